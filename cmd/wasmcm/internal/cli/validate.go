package cli

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/wasmcm/wasmcm/component"
	"github.com/wasmcm/wasmcm/internal/wasm"
)

// featureNames maps the names wasm-tools gives the Component Model's gated
// features (its --features flag) to where they live in component.Features.
var featureNames = map[string]func(*component.Features) *bool{
	"cm-async":                  func(f *component.Features) *bool { return &f.Async },
	"cm-async-stackful":         func(f *component.Features) *bool { return &f.AsyncStackful },
	"cm-more-async-builtins":    func(f *component.Features) *bool { return &f.MoreAsyncBuiltins },
	"cm-threading":              func(f *component.Features) *bool { return &f.Threading },
	"cm-error-context":          func(f *component.Features) *bool { return &f.ErrorContext },
	"cm-fixed-length-lists":     func(f *component.Features) *bool { return &f.FixedLengthLists },
	"cm-gc":                     func(f *component.Features) *bool { return &f.GC },
	"cm-map":                    func(f *component.Features) *bool { return &f.Map },
	"cm-values":                 func(f *component.Features) *bool { return &f.Values },
	"cm-nested-names":           func(f *component.Features) *bool { return &f.NestedNames },
	"cm64":                      func(f *component.Features) *bool { return &f.Memory64 },
	"cm-implements":             func(f *component.Features) *bool { return &f.Implements },
	"cm-canon-names":            func(f *component.Features) *bool { return &f.CanonNames },
	"shared-everything-threads": func(f *component.Features) *bool { return &f.SharedThreads },
}

// featureList lists the feature names for help and errors.
func featureList() string {
	names := make([]string, 0, len(featureNames))
	for n := range featureNames {
		names = append(names, n)
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}

// parseFeatures applies --features values to the defaults: "name" enables
// a feature, "-name" disables it, "all" enables every one. Names may use
// '_' for '-', as wasm-tools accepts.
func parseFeatures(vals []string, all bool) (component.Features, error) {
	f := component.DefaultFeatures
	if all {
		f = component.AllFeatures
	}
	for _, v := range splitFeatures(vals) {
		name, on := strings.ReplaceAll(v, "_", "-"), true
		if rest, ok := strings.CutPrefix(name, "-"); ok {
			name, on = rest, false
		}
		if name == "all" {
			if on {
				f = component.AllFeatures
			} else {
				f = component.Features{}
			}
			continue
		}
		field, ok := featureNames[name]
		if !ok {
			return f, fmt.Errorf("unknown feature %q (known: all, %s)", v, featureList())
		}
		*field(&f) = on
	}
	return f, nil
}

func newValidate(io IO) *cobra.Command {
	var features []string
	var all bool
	cmd := &cobra.Command{
		Use:   "validate [flags] FILE",
		Short: "Check that a component binary is valid",
		Long: `Decode and validate the component FILE ("-" for standard input) against the
Component Model's rules: the binary format, index spaces, types and
subtyping, instantiation, names, resources and canonical options. Core
modules inside it are checked for their imports, exports and types; their
function bodies are left to the runtime, which compiles them. A core module
given as FILE is read for its sections, types, imports and exports.

Exit code 0: valid, nothing printed. Exit code 1: invalid; the error names
the byte offset of the item at fault, the path of sections and items to it,
and what is wrong, followed by the bytes at that offset.

--features takes wasm-tools' names, separated by commas: ` + featureList() + `
("-name" turns one off, "all" turns every one on). The defaults are the
features that shipped in a WASI release: cm-async, cm-map and
cm-implements. --all-features starts from every feature instead.`,
		Example: `  wasmcm validate app.wasm
  wasmcm validate --features cm-fixed-length-lists,cm-error-context app.wasm
  wasmcm validate --all-features app.wasm
  cat app.wasm | wasmcm validate -`,
		Args: exactlyOne("FILE", "wasmcm validate"),
		RunE: func(cmd *cobra.Command, args []string) error {
			f, err := parseFeatures(features, all)
			if err != nil {
				return userErr(fmt.Errorf("%w\nRun 'wasmcm validate --help' for usage.", err))
			}
			return runValidate(io, args[0], f)
		},
	}
	fl := cmd.Flags()
	fl.StringSliceVarP(&features, "features", "f", nil, "gated features to enable, as wasm-tools names them (repeatable, comma-separated)")
	fl.BoolVar(&all, "all-features", false, "enable every gated feature")
	return cmd
}

func runValidate(io IO, path string, f component.Features) error {
	b, err := readWasm(io, path)
	if err != nil {
		return userErr(err)
	}
	if err := validateBinary(b, f); err != nil {
		return userErr(locate(path, b, err))
	}
	return nil
}

// validateBinary decodes and validates a component, or reads the facts of
// a core module.
func validateBinary(b []byte, f component.Features) error {
	if len(b) >= 8 && string(b[:4]) == "\x00asm" && b[6] == 0 && b[7] == 0 {
		_, err := wasm.ReadModule(b, 0)
		return err
	}
	c, err := component.Decode(b)
	if err != nil {
		return err
	}
	return component.Validate(c, f)
}

// locate words an error of Decode or Validate for the command line: the
// file, the offset, where and what, then the bytes at the offset.
func locate(path string, b []byte, err error) error {
	off := -1
	var ve *component.ValidationError
	var de *component.DecodeError
	switch {
	case errors.As(err, &ve):
		off = ve.Offset
	case errors.As(err, &de):
		off = de.Offset
	}
	name := path
	if path == "-" {
		name = "<stdin>"
	}
	msg := fmt.Sprintf("%s: %v", name, err)
	if off >= 0 {
		msg += "\n" + hexAt(b, off)
	}
	return errors.New(msg)
}

// hexAt shows up to 16 bytes of b from off, with a caret under the first:
//
//	0x2a | 70 05 00
//	       ^^
func hexAt(b []byte, off int) string {
	head := fmt.Sprintf("  0x%x | ", off)
	if off >= len(b) {
		return head + "(end of input)"
	}
	end := min(off+16, len(b))
	var s strings.Builder
	s.WriteString(head)
	for i, c := range b[off:end] {
		if i > 0 {
			s.WriteByte(' ')
		}
		fmt.Fprintf(&s, "%02x", c)
	}
	if end < len(b) {
		s.WriteString(" …")
	}
	s.WriteString("\n" + strings.Repeat(" ", len(head)) + "^^")
	return s.String()
}
