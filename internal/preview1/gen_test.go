package preview1

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tetratelabs/wazero"

	"github.com/wasmcm/wasmcm/canon"
	"github.com/wasmcm/wasmcm/component"
	"github.com/wasmcm/wasmcm/internal/testutil"
	"github.com/wasmcm/wasmcm/internal/wasm"
	"github.com/wasmcm/wasmcm/wit"
)

// preview1Funcs are the 46 functions of wasi_snapshot_preview1 with their
// core signatures ('i' i32, 'I' i64; every one but proc_exit returns an
// errno), from the preview-1 witx.
var preview1Funcs = map[string]string{
	"args_get": "ii", "args_sizes_get": "ii", "environ_get": "ii", "environ_sizes_get": "ii",
	"clock_res_get": "ii", "clock_time_get": "iIi", "fd_advise": "iIIi", "fd_allocate": "iII",
	"fd_close": "i", "fd_datasync": "i", "fd_fdstat_get": "ii", "fd_fdstat_set_flags": "ii",
	"fd_fdstat_set_rights": "iII", "fd_filestat_get": "ii", "fd_filestat_set_size": "iI",
	"fd_filestat_set_times": "iIIi", "fd_pread": "iiiIi", "fd_prestat_get": "ii",
	"fd_prestat_dir_name": "iii", "fd_pwrite": "iiiIi", "fd_read": "iiii", "fd_readdir": "iiiIi",
	"fd_renumber": "ii", "fd_seek": "iIii", "fd_sync": "i", "fd_tell": "ii", "fd_write": "iiii",
	"path_create_directory": "iii", "path_filestat_get": "iiiii", "path_filestat_set_times": "iiiiIIi",
	"path_link": "iiiiiii", "path_open": "iiiiiIIii", "path_readlink": "iiiiii",
	"path_remove_directory": "iii", "path_rename": "iiiiii", "path_symlink": "iiiii",
	"path_unlink_file": "iii", "poll_oneoff": "iiii", "proc_exit": "i", "proc_raise": "i",
	"random_get": "ii", "sched_yield": "", "sock_accept": "iii", "sock_recv": "iiiiii",
	"sock_send": "iiiii", "sock_shutdown": "ii",
}

func sigString(ft *wasm.FuncType) string {
	var b strings.Builder
	for _, p := range ft.Params {
		if p.Code == wasm.I64 {
			b.WriteByte('I')
		} else {
			b.WriteByte('i')
		}
	}
	b.WriteString("->")
	for range ft.Results {
		b.WriteByte('i')
	}
	return b.String()
}

var allOptions = []Options{
	{Flavor: Command}, {Flavor: Reactor},
	{Flavor: Command, StateAddr: goStateAddr, StateSize: goStateSize},
	{Flavor: Reactor, StateAddr: goStateAddr, StateSize: goStateSize},
}

// TestGenerateValidates compiles every flavour on wazero.
func TestGenerateValidates(t *testing.T) {
	ctx := context.Background()
	r := wazero.NewRuntimeWithConfig(ctx, wazero.NewRuntimeConfigInterpreter())
	defer r.Close(ctx)
	for _, o := range allOptions {
		b, err := Generate(o)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := r.CompileModule(ctx, b); err != nil {
			t.Fatalf("%+v: %v", o, err)
		}
		t.Logf("%+v: %d bytes", o, len(b))
	}
}

// TestConventions checks what component.New relies on: env.memory, the
// lowered WASI imports of the embedded world, every preview-1 export with
// its signature, cabi_import_realloc, and wasi:cli/run for a command.
func TestConventions(t *testing.T) {
	for _, o := range allOptions {
		b, err := Generate(o)
		if err != nil {
			t.Fatal(err)
		}
		info, err := wasm.ReadModule(b, 0)
		if err != nil {
			t.Fatal(err)
		}
		bind, core, err := component.ReadEmbedded(b)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := wasm.ReadModule(core, 0); err != nil {
			t.Fatal(err)
		}
		w := bind.Resolve.Worlds[bind.World]
		abi := canon.New(bind.Resolve, canon.Addr32)
		worldIfaces := map[string]wit.InterfaceID{}
		for _, it := range w.Imports {
			if it.Kind == wit.WorldItemInterface {
				iface := bind.Resolve.Interfaces[it.Interface]
				p := bind.Resolve.Packages[iface.Package].Name
				worldIfaces[p.Namespace+":"+p.Name+"/"+iface.Name+"@"+p.Version.String()] = it.Interface
			}
		}
		for _, im := range info.Imports {
			switch {
			case im.Module == "env" && im.Name == "memory":
				if im.Type.Kind != wasm.ExternMemory {
					t.Errorf("env.memory is a %v", im.Type.Kind)
				}
			case im.Module == "__main_module__":
				if im.Name != "_start" || o.Flavor != Command {
					t.Errorf("%+v imports __main_module__.%s", o, im.Name)
				}
			default:
				id, ok := worldIfaces[im.Module]
				if !ok {
					t.Errorf("import %s.%s is not of the world", im.Module, im.Name)
					continue
				}
				if strings.HasPrefix(im.Name, "[resource-drop]") {
					continue
				}
				f := bind.Resolve.Interfaces[id].Function(im.Name)
				if f == nil {
					t.Errorf("import %s.%s is not in the world's interface", im.Module, im.Name)
					continue
				}
				want, err := abi.FuncType(f, canon.FuncTypeOptions{}, canon.ContextLower)
				if err != nil {
					t.Fatal(err)
				}
				got := info.FuncType(im.Type.Index)
				if len(got.Params) != len(want.Params) || len(got.Results) != len(want.Results) {
					t.Errorf("import %s.%s: %v, the world lowers to %v", im.Module, im.Name, got, want)
				}
			}
		}
		exports := map[string]string{}
		for _, e := range info.Exports {
			ft, _ := info.ExportType(e)
			exports[e.Name] = sigString(info.FuncType(ft.Index))
		}
		for name, sig := range preview1Funcs {
			want := sig + "->i"
			if name == "proc_exit" {
				want = sig + "->"
			}
			if exports[name] != want {
				t.Errorf("%+v: export %s is %q, want %q", o, name, exports[name], want)
			}
		}
		if exports["cabi_import_realloc"] != "iiii->i" {
			t.Errorf("cabi_import_realloc: %q", exports["cabi_import_realloc"])
		}
		run := "wasi:cli/run@" + WASIVersion + "#run"
		if _, ok := exports[run]; ok != (o.Flavor == Command) {
			t.Errorf("%+v: export %s present %v", o, run, ok)
		}
		if len(exports) != len(preview1Funcs)+1+map[bool]int{true: 1}[o.Flavor == Command] {
			t.Errorf("%+v: unexpected exports: %v", o, exports)
		}
	}
}

// TestSameExportsAsReference compares the preview-1 exports with jco's
// reference adapters: ours must offer each of theirs with the same type.
func TestSameExportsAsReference(t *testing.T) {
	for _, f := range []Flavor{Command, Reactor} {
		ref, err := os.ReadFile(filepath.Join(testutil.RepoRoot(t), ".cache", "jco", "node_modules", "@bytecodealliance", "jco", "lib", "wasi_snapshot_preview1."+f.String()+".wasm"))
		if err != nil {
			t.Skipf("skipped: jco's adapters are absent (npm install --prefix .cache/jco @bytecodealliance/jco@1.35.0)")
		}
		ours, err := Generate(Options{Flavor: f})
		if err != nil {
			t.Fatal(err)
		}
		ri, err := wasm.ReadModule(ref, 0)
		if err != nil {
			t.Fatal(err)
		}
		oi, err := wasm.ReadModule(ours, 0)
		if err != nil {
			t.Fatal(err)
		}
		mine := map[string]string{}
		for _, e := range oi.Exports {
			ft, _ := oi.ExportType(e)
			mine[e.Name] = sigString(oi.FuncType(ft.Index))
		}
		n := 0
		for _, e := range ri.Exports {
			if _, ok := preview1Funcs[e.Name]; !ok && e.Name != "cabi_import_realloc" {
				continue // adapter_* test hooks, reset_adapter_state, wasi:cli/run of another version
			}
			ft, _ := ri.ExportType(e)
			if want := sigString(ri.FuncType(ft.Index)); mine[e.Name] != want {
				t.Errorf("%s: %s is %q, the reference's %q", f, e.Name, mine[e.Name], want)
			}
			n++
		}
		if n != len(preview1Funcs)+1 {
			t.Errorf("%s: compared %d exports", f, n)
		}
	}
}

// TestResultOffsets checks the return-area offsets the functions use
// against the canonical ABI's layouts of the WASI types.
func TestResultOffsets(t *testing.T) {
	r, _, err := loadWorld(Command)
	if err != nil {
		t.Fatal(err)
	}
	abi := canon.New(r, canon.Addr32)
	fnResult := func(iface, name string) *canon.Layout {
		for _, i := range r.Interfaces {
			if i.Name != iface {
				continue
			}
			if f := i.Function(name); f != nil {
				l, err := abi.Layout(f.Result)
				if err != nil {
					t.Fatal(err)
				}
				return l
			}
		}
		t.Fatalf("no %s.%s", iface, name)
		return nil
	}
	cases := []struct {
		iface, fn string
		off       uint64
	}{
		{"types", "[method]descriptor.sync", rCode1},
		{"types", "[method]descriptor.get-type", rCode1},
		{"types", "[method]descriptor.get-flags", rCode1},
		{"types", "[method]descriptor.open-at", rCode4},
		{"types", "[method]descriptor.read", rCode4},
		{"types", "[method]descriptor.readlink-at", rCode4},
		{"types", "[method]descriptor.read-directory", rCode4},
		{"types", "[method]directory-entry-stream.read-directory-entry", rCode4},
		{"types", "[method]descriptor.write", rCode8},
		{"types", "[method]descriptor.stat", rCode8},
		{"types", "[method]descriptor.metadata-hash", rCode8},
		{"streams", "[method]input-stream.blocking-read", 4},
		{"streams", "[method]output-stream.blocking-write-and-flush", 4},
	}
	for _, c := range cases {
		if l := fnResult(c.iface, c.fn); l.PayloadOffset != c.off {
			t.Errorf("%s: payload at %d, the adapter reads %d", c.fn, l.PayloadOffset, c.off)
		}
	}
	// descriptor-stat fields (type, link-count, size, three timestamps) and
	// the option<datetime> inside, as filestat reads them.
	stat := fnResult("types", "[method]descriptor.stat").Cases()[0]
	if got := stat.FieldOffsets; len(got) != 6 || got[0] != 0 || got[1] != 8 || got[2] != 16 || got[3] != 24 || got[4] != 48 || got[5] != 72 {
		t.Errorf("descriptor-stat offsets %v", got)
	}
	ts := stat.Fields()[3]
	if ts.PayloadOffset != 8 {
		t.Errorf("option<datetime> payload at %d", ts.PayloadOffset)
	}
	// directory-entry inside result<option<_>>: type at 8, name at 12.
	ent := fnResult("types", "[method]directory-entry-stream.read-directory-entry").Cases()[0]
	if some := ent.Cases()[1]; ent.PayloadOffset != 4 || some.FieldOffsets[1] != 4 {
		t.Errorf("directory-entry at %d, name at %v", ent.PayloadOffset, some.FieldOffsets)
	}
}

func TestOptions(t *testing.T) {
	if _, err := Generate(Options{Flavor: 7}); err == nil {
		t.Error("unknown flavour accepted")
	}
	if _, err := Generate(Options{StateAddr: 4096, StateSize: 100}); err == nil || !strings.Contains(err.Error(), "too small") {
		t.Errorf("small state: %v", err)
	}
	if _, err := Generate(Options{StateAddr: 0xffff_f000, StateSize: 8192}); err == nil {
		t.Error("state beyond 4 GiB accepted")
	}
	if _, err := OptionsFor([]byte("not wasm")); err == nil {
		t.Error("OptionsFor accepted garbage")
	}
	// A module exporting _start is a command; one with a go:buildid
	// section gets its state at the Go linker's hole.
	m := wasm.Builder{}
	m.AddMemory(wasm.MemoryType{Limits: wasm.Limits{Min: 1}})
	f := m.AddFunc(wasm.Func{Type: m.AddFuncType(nil, nil), Body: []byte{wasm.OpEnd}})
	m.Export("_start", wasm.ExternFunc, f)
	o, err := OptionsFor(m.Encode())
	if err != nil || o != (Options{Flavor: Command}) {
		t.Errorf("command: %+v %v", o, err)
	}
	if a, err := ForModule(m.Encode()); a != nil || err != nil {
		t.Errorf("ForModule of a module without preview-1 imports: %d bytes, %v", len(a), err)
	}
	m.Exports = nil
	m.Customs = []wasm.Custom{{Name: "go:buildid", Data: []byte("x")}}
	o, err = OptionsFor(m.Encode())
	if err != nil || o != (Options{Flavor: Reactor, StateAddr: goStateAddr, StateSize: goStateSize}) {
		t.Errorf("go reactor: %+v %v", o, err)
	}
	m.AddImport(ModuleName, "fd_write", wasm.ExternType{Kind: wasm.ExternFunc, Index: m.AddFuncType(sig2vals("iiii"), sig2vals("i"))})
	a, err := ForModule(m.Encode())
	if err != nil {
		t.Fatal(err)
	}
	if want, _ := Generate(Options{Flavor: Reactor, StateAddr: goStateAddr, StateSize: goStateSize}); string(a) != string(want) {
		t.Error("ForModule differs from Generate(OptionsFor)")
	}
}
