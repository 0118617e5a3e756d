;; A socket that imports test:cycle/ping and exports go: func().
(component
  (import "test:cycle/ping" (instance $p (export "ping" (func))))
  (alias export $p "ping" (func $f))
  (export "go" (func $f))
)
