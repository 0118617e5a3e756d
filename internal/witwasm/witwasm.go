// Package witwasm decodes WIT packages encoded as wasm, in the binary or the
// text format, for wit.Options.DecodeWasm. It sits apart from package
// component because the text assembler (internal/wat) imports component.
package witwasm

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/wasmcm/wasmcm/component"
	"github.com/wasmcm/wasmcm/internal/wat"
	"github.com/wasmcm/wasmcm/wit"
)

// Decode is wit.Options.DecodeWasm: data (read from path) is a component
// binary, or its text which is assembled first, that encodes a WIT package,
// as the reference's push_file accepts. A component that is not a WIT
// package (one with core code) is an error, as there.
func Decode(path string, data []byte) (*wit.Resolve, wit.PackageID, error) {
	if !bytes.HasPrefix(data, []byte("\x00asm")) {
		b, err := wat.Parse(path, data)
		if err != nil {
			return nil, wit.NoPackage, err
		}
		data = b
	}
	d, err := component.DecodeWIT(data)
	if err != nil {
		return nil, wit.NoPackage, fmt.Errorf("failed to decode WIT package in [%s]: %w", path, err)
	}
	if d.World != wit.NoWorld {
		return nil, wit.NoPackage, errors.New("found an actual component instead of an encoded WIT package in wasm")
	}
	return d.Resolve, d.Package, nil
}
