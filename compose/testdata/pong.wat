;; Imports test:cycle/ping, exports test:cycle/pong: the other half.
(component
  (import "test:cycle/ping" (instance $p (export "ping" (func))))
  (core module $m (func (export "pong")))
  (core instance $i (instantiate $m))
  (alias core export $i "pong" (core func $f))
  (func $pong (canon lift (core func $f)))
  (instance $exp (export "pong" (func $pong)))
  (export "test:cycle/pong" (instance $exp))
)
