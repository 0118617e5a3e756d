;; Imports test:math/adder, exports run: func(x: u32) -> u32 = add(x, x).
(component
  (import "test:math/adder@1.0.0" (instance $add (export "add" (func (param "a" u32) (param "b" u32) (result u32)))))
  (alias export $add "add" (func $addf))
  (core func $addc (canon lower (func $addf)))
  (core instance $host (export "add" (func $addc)))
  (core module $m
    (import "host" "add" (func $a (param i32 i32) (result i32)))
    (func (export "run") (param i32) (result i32) local.get 0 local.get 0 call $a))
  (core instance $i (instantiate $m (with "host" (instance $host))))
  (alias core export $i "run" (core func $runc))
  (func $run (param "x" u32) (result u32) (canon lift (core func $runc)))
  (export "run" (func $run))
)
