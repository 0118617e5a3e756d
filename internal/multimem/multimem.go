// Package multimem runs core modules that use more than one memory on an
// engine that has only one per module (wazero 1.12), by lowering them.
//
// Lower keeps one memory (the native one, memory 0 unless Options says
// otherwise) in the main module and moves every other memory k into an
// accessor module of its own, which imports or defines exactly that memory
// and exports small functions doing each access natively. The main module
// imports those functions and calls them wherever it touched memory k:
//
//   - a load or store (scalar, SIMD, lane) with memory k calls the accessor
//     function for that (opcode, offset, alignment, lane): the accessor does
//     the same access with the same offset, so traps are exactly the
//     original ones;
//   - memory.size, memory.grow, memory.fill, memory.copy within k and
//     memory.init into k call the accessor; the data segments memory.init
//     uses are copied into the accessor as passive segments, and data.drop
//     drops every copy;
//   - memory.copy between two different memories calls a helper function
//     added to the main module, which checks both ranges first (a trapping
//     copy writes nothing), then moves 128-byte blocks as eight v128 values
//     (read_block/write_block of the accessors, plain v128 loads and stores
//     on the native memory) and the rest in 16-, 4- and 1-byte units; it
//     copies downwards when the destination is above the source, so two
//     imports of one memory still behave as memmove (blocks of 64 bytes
//     measured about half as fast, 256 no faster);
//   - atomics on a memory other than the native one are refused.
//
// Active data segments for a non-native memory cannot stay active in two
// modules without changing the order in which the spec applies them (and
// so what a trap part way leaves behind in an imported memory). When a
// module has any, every active data segment becomes passive and a start
// function added to the main module applies them in order (memory.init and
// data.drop, as the spec defines active segments) before calling the
// original start function: element segments still come first, and a trap
// leaves exactly the earlier segments written.
//
// Function imports are added after the module's own, so every defined
// function index moves up by their number; calls, ref.func, element
// segments, exports, the start function and global and table initialisers
// are renumbered. The name section is dropped (its indices would be
// stale). A module with at most one memory is returned unchanged.
package multimem

import (
	"fmt"

	"github.com/wasmcm/wasmcm/internal/wasm"
)

// Options tune Lower.
type Options struct {
	// Native is the index of the memory the main module keeps.
	Native uint32
	// ModulePrefix is the prefix of the module names the main module imports
	// accessor functions from; the memory index follows it. Empty means
	// DefaultModulePrefix.
	ModulePrefix string
}

// DefaultModulePrefix is the import module prefix of accessor functions.
const DefaultModulePrefix = "wasmcm:multimem/"

// Lowered is a module split into a main module and accessor modules.
type Lowered struct {
	// Main is the main module. It imports what the original imported (minus
	// the memories that moved to accessors) and, after those, the accessor
	// functions from the module names given by each Accessor's Module.
	Main []byte
	// Native is the original index of the memory Main kept (its memory 0).
	Native uint32
	// Accessors holds one module per other memory, in memory index order;
	// instantiate them before Main.
	Accessors []Accessor
}

// Accessor is the module that owns one of the original memories.
type Accessor struct {
	// Memory is the memory's index in the original module.
	Memory uint32
	// Module is the accessor module's binary.
	Module []byte
	// Name is the module name under which Main imports its functions.
	Name string
	// Import is the original import of the memory (the accessor imports it
	// under the same module and name), or nil when the module defined it.
	Import *wasm.Import
	// Exports are the names the original module exported the memory under;
	// the accessor exports it under the same names.
	Exports []string
}

// Count returns the number of memories a module uses, reading only its
// import and memory sections; Lower changes nothing when it is at most 1.
func Count(info *wasm.ModuleInfo) int { return len(info.Memories) }

// Lower rewrites the core module bin, when it has more than one memory, into
// a main module using one memory and an accessor module per other memory.
// A module with at most one memory comes back as Main, unchanged.
func Lower(bin []byte, opts Options) (*Lowered, error) {
	info, err := wasm.ReadModule(bin, 0)
	if err != nil {
		return nil, err
	}
	if len(info.Memories) <= 1 {
		return &Lowered{Main: bin}, nil
	}
	if int64(opts.Native) >= int64(len(info.Memories)) {
		return nil, fmt.Errorf("multimem: native memory %d out of range: the module has %d memories", opts.Native, len(info.Memories))
	}
	for i, m := range info.Memories {
		if m.Is64 {
			return nil, fmt.Errorf("multimem: memory %d is a 64-bit memory, which is not supported", i)
		}
		if m.PageSizeLog2 != nil && *m.PageSizeLog2 != 16 {
			return nil, fmt.Errorf("multimem: memory %d has a custom page size, which is not supported", i)
		}
	}
	if opts.ModulePrefix == "" {
		opts.ModulePrefix = DefaultModulePrefix
	}
	l := &lowering{bin: bin, info: info, opts: opts}
	return l.run()
}
