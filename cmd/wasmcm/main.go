// Command wasmcm is the WebAssembly Component Model toolchain.
package main

func main() {}
