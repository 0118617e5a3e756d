;; Imports test:math/offset, exports test:math/adder@1.0.0
;; { add: func(a: u32, b: u32) -> u32 } returning a + b + offset().
(component
  (import "test:math/offset@1.0.0" (instance $off (export "offset" (func (result u32)))))
  (alias export $off "offset" (func $offf))
  (core func $offc (canon lower (func $offf)))
  (core instance $host (export "offset" (func $offc)))
  (core module $m
    (import "host" "offset" (func $o (result i32)))
    (func (export "add") (param i32 i32) (result i32)
      local.get 0 local.get 1 i32.add call $o i32.add))
  (core instance $i (instantiate $m (with "host" (instance $host))))
  (alias core export $i "add" (core func $addc))
  (func $add (param "a" u32) (param "b" u32) (result u32) (canon lift (core func $addc)))
  (instance $exp (export "add" (func $add)))
  (export "test:math/adder@1.0.0" (instance $exp))
)
