module github.com/wasmcm/wasmcm

go 1.25.0
