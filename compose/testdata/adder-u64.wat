;; Exports test:math/adder@1.0.0 with add(a: u64, b: u64): a type mismatch
;; for app.wat.
(component
  (core module $m
    (func (export "add") (param i64 i64) (result i64)
      unreachable))
  (core instance $i (instantiate $m))
  (alias core export $i "add" (core func $addc))
  (func $add (param "a" u64) (param "b" u64) (result u64) (canon lift (core func $addc)))
  (instance $exp (export "add" (func $add)))
  (export "test:math/adder@1.0.0" (instance $exp))
)
