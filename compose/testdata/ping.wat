;; Imports test:cycle/pong, exports test:cycle/ping: one half of a cycle.
(component
  (import "test:cycle/pong" (instance $p (export "pong" (func))))
  (core module $m (func (export "ping")))
  (core instance $i (instantiate $m))
  (alias core export $i "ping" (core func $f))
  (func $ping (canon lift (core func $f)))
  (instance $exp (export "ping" (func $ping)))
  (export "test:cycle/ping" (instance $exp))
)
