package wit

// SetUIDecodeWasm lets the external test package give the wit-parser UI
// conformance test the wasm decoder, which package wit cannot import.
func SetUIDecodeWasm(f func(path string, data []byte) (*Resolve, PackageID, error)) {
	uiDecodeWasm = f
}
