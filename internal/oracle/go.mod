module github.com/wasmcm/wasmcm/internal/oracle

go 1.25.0

require (
	github.com/tetratelabs/wazero v1.12.0
	github.com/wasmcm/wasmcm v0.0.0-00010101000000-000000000000
	go.bytecodealliance.org v0.7.0
)

require (
	github.com/coreos/go-semver v0.3.1 // indirect
	golang.org/x/sys v0.44.0 // indirect
)

replace github.com/wasmcm/wasmcm => ../..
