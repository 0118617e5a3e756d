;; Exports test:math/offset@2.0.0: not semver-compatible with 1.0.0.
(component
  (core module $m
    (func (export "offset") (result i32) i32.const 20))
  (core instance $i (instantiate $m))
  (alias core export $i "offset" (core func $f))
  (func $offset (result u32) (canon lift (core func $f)))
  (instance $exp (export "offset" (func $offset)))
  (export "test:math/offset@2.0.0" (instance $exp))
)
