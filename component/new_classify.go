package component

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/wasmcm/wasmcm/canon"
	"github.com/wasmcm/wasmcm/internal/wasm"
	"github.com/wasmcm/wasmcm/wit"
)

// This file classifies a core module's function imports the way
// validation.rs does: world and interface functions (lowered sync or with
// [async-lower]), resource intrinsics, and the canonical built-ins of the
// async and threading proposals ([task-return]foo, [waitable-set-wait],
// [stream-read-N]foo, ...). Names in the standard32 scheme (cm32p2...)
// are first rewritten into the legacy scheme, which says the same with
// other spellings.

// newIntrinsic is a canonical built-in a module imports.
type newIntrinsic struct {
	op      CanonOp
	flag    bool         // async or cancellable, for the ops that have it
	valType wasm.ValType // context.get/set
	slot    uint32       // context.get/set
	enc     canon.StringEncoding

	// Streams and futures: the payload's stream or future type (unit when
	// there is none), and whether it comes from an import (or, for an
	// export, the exported interface, if any).
	payload  wit.TypeID
	unit     bool
	imported bool
	iface    wit.InterfaceID
	hasIface bool

	fn   *wit.Function // task.return: the exported function
	opts newOpts
	// tls is set for wasm-ld's __wasm_{get,set}_tls_base: context slot 1
	// when the module uses threads, else a global of the shim module.
	tls bool
}

// needsLate reports whether the built-in needs something that exists only
// once the module is instantiated (its memory, realloc or table).
func (in *newIntrinsic) needsLate() bool {
	return in.opts.memory || in.opts.realloc || in.op == CanonThreadNewIndirect || in.op == CanonWaitableSetWait || in.op == CanonWaitableSetPoll
}

// standardName rewrites an import in the standard32 scheme (module cm32p2,
// cm32p2|iface, cm32p2|_ex_iface) into the legacy one. canonical says the
// interface is named by its canonical id (ns:pkg/i@0.2).
func standardName(module, name string) (mod, nm string, canonical bool, err error) {
	rest, _ := strings.CutPrefix(module, "cm32p2")
	switch {
	case rest == "":
		mod = "$root"
	case rest == "_ex_":
		mod = "[export]$root"
	case strings.HasPrefix(rest, "|_ex_"):
		mod, canonical = "[export]"+rest[len("|_ex_"):], true
	case strings.HasPrefix(rest, "|"):
		mod, canonical = rest[1:], true
	default:
		return "", "", false, fmt.Errorf("unknown or invalid component model import syntax")
	}
	nm = name
	for _, s := range [][2]string{{"_drop", "[resource-drop]"}, {"_new", "[resource-new]"}, {"_rep", "[resource-rep]"}} {
		if base, ok := strings.CutSuffix(name, s[0]); ok {
			nm = s[1] + base
			break
		}
	}
	return mod, nm, canonical, nil
}

// canonicalID is an interface's id with the version cut to what semver
// says is compatible (1.2.3 → 1, 0.2.1 → 0.2), as in standard32 names.
func canonicalID(r *wit.Resolve, id wit.InterfaceID) string {
	s, err := witIDOf(r, id)
	if err != nil {
		return ""
	}
	at := strings.LastIndexByte(s, '@')
	if at < 0 {
		return s
	}
	v, err := wit.ParseVersion(s[at+1:])
	if err != nil {
		return s
	}
	return s[:at+1] + v.CompatKey()
}

// moduleToInterface finds the world item an import module names among
// items: a plain name, an interface id, or (legacy) a semver-compatible
// version of one; with canonical, names are canonical ids.
func (n *newEnc) moduleToInterface(items []wit.WorldItem, module string, canonical bool) (*wit.WorldItem, error) {
	for i := range items {
		it := &items[i]
		if it.Kind != wit.WorldItemInterface {
			continue
		}
		if !it.Key.IsInterface() {
			if it.Key.Name == module {
				return it, nil
			}
			continue
		}
		if canonical && canonicalID(n.r, it.Key.Interface) == module {
			return it, nil
		}
		if !canonical && n.keyName(it.Key) == module {
			return it, nil
		}
	}
	if !canonical {
		if it := semverMatch(n.r, items, module); it != nil && it.Kind == wit.WorldItemInterface {
			return it, nil
		}
		return nil, fmt.Errorf("module requires an import interface named `%s`", module)
	}
	return nil, fmt.Errorf("failed to find world item corresponding to interface `%s`", module)
}

func coreSig(params, results []canon.CoreType) canon.CoreFuncType {
	return canon.CoreFuncType{Params: params, Results: results}
}

var (
	cI32 = canon.CoreI32
	cI64 = canon.CoreI64
)

// rootBuiltin classifies the built-ins imported from $root that name no
// WIT item.
func rootBuiltin(name string) (*newIntrinsic, canon.CoreFuncType, bool) {
	simple := map[string]struct {
		op  CanonOp
		sig canon.CoreFuncType
	}{
		"[error-context-drop]":     {CanonErrorContextDrop, coreSig([]canon.CoreType{cI32}, nil)},
		"[backpressure-inc]":       {CanonBackpressureInc, coreSig(nil, nil)},
		"[backpressure-dec]":       {CanonBackpressureDec, coreSig(nil, nil)},
		"[waitable-set-new]":       {CanonWaitableSetNew, coreSig(nil, []canon.CoreType{cI32})},
		"[waitable-set-drop]":      {CanonWaitableSetDrop, coreSig([]canon.CoreType{cI32}, nil)},
		"[waitable-join]":          {CanonWaitableJoin, coreSig([]canon.CoreType{cI32, cI32}, nil)},
		"[subtask-drop]":           {CanonSubtaskDrop, coreSig([]canon.CoreType{cI32}, nil)},
		"[thread-index]":           {CanonThreadIndex, coreSig(nil, []canon.CoreType{cI32})},
		"[thread-new-indirect-v0]": {CanonThreadNewIndirect, coreSig([]canon.CoreType{cI32, cI32}, []canon.CoreType{cI32})},
		"[thread-resume-later]":    {CanonThreadResumeLater, coreSig([]canon.CoreType{cI32}, nil)},
	}
	if s, ok := simple[name]; ok {
		return &newIntrinsic{op: s.op}, s.sig, true
	}
	clean, cancellable := strings.CutPrefix(name, "[cancellable]")
	for _, w := range []struct {
		prefix string
		op     CanonOp
	}{{"[waitable-set-wait", CanonWaitableSetWait}, {"[waitable-set-poll", CanonWaitableSetPoll}} {
		tail, ok := strings.CutPrefix(clean, w.prefix)
		if !ok {
			continue
		}
		tail, ok = strings.CutSuffix(tail, "]")
		if !ok {
			continue
		}
		res := cI32
		switch tail {
		case "", "-i32":
		case "-i64":
			res = cI64
		default:
			continue
		}
		return &newIntrinsic{op: w.op, flag: cancellable}, coreSig([]canon.CoreType{cI32, res}, []canon.CoreType{cI32}), true
	}
	threads := map[string]struct {
		op  CanonOp
		sig canon.CoreFuncType
	}{
		"[thread-suspend]":              {CanonThreadSuspend, coreSig(nil, []canon.CoreType{cI32})},
		"[thread-yield]":                {CanonThreadYield, coreSig(nil, []canon.CoreType{cI32})},
		"[thread-suspend-then-resume]":  {CanonThreadSuspendThenResume, coreSig([]canon.CoreType{cI32}, []canon.CoreType{cI32})},
		"[thread-yield-then-resume]":    {CanonThreadYieldThenResume, coreSig([]canon.CoreType{cI32}, []canon.CoreType{cI32})},
		"[thread-suspend-then-promote]": {CanonThreadSuspendThenPromote, coreSig([]canon.CoreType{cI32}, []canon.CoreType{cI32})},
		"[thread-yield-then-promote]":   {CanonThreadYieldThenPromote, coreSig([]canon.CoreType{cI32}, []canon.CoreType{cI32})},
	}
	if s, ok := threads[clean]; ok {
		return &newIntrinsic{op: s.op, flag: cancellable}, s.sig, true
	}
	clean, async := strings.CutPrefix(name, "[async-lower]")
	if clean == "[subtask-cancel]" {
		return &newIntrinsic{op: CanonSubtaskCancel, flag: async}, coreSig([]canon.CoreType{cI32}, []canon.CoreType{cI32}), true
	}
	encs := map[string]canon.StringEncoding{"utf8": canon.UTF8, "utf16": canon.UTF16, "latin1+utf16": canon.Latin1UTF16}
	if e, ok := strings.CutPrefix(name, "[error-context-new-"); ok {
		if enc, ok := encs[strings.TrimSuffix(e, "]")]; ok && strings.HasSuffix(e, "]") {
			in := &newIntrinsic{op: CanonErrorContextNew, enc: enc, opts: newOpts{memory: true, strings: true}}
			return in, coreSig([]canon.CoreType{cI32, cI32}, []canon.CoreType{cI32}), true
		}
	}
	if e, ok := strings.CutPrefix(name, "[error-context-debug-message-"); ok {
		if enc, ok := encs[strings.TrimSuffix(e, "]")]; ok && strings.HasSuffix(e, "]") {
			in := &newIntrinsic{op: CanonErrorContextDebug, enc: enc, opts: newOpts{memory: true, realloc: true, strings: true}}
			return in, coreSig([]canon.CoreType{cI32, cI32}, nil), true
		}
	}
	for _, c := range []struct {
		prefix string
		op     CanonOp
	}{{"[context-get-", CanonContextGet}, {"[context-set-", CanonContextSet}} {
		rest, ok := strings.CutPrefix(name, c.prefix)
		if !ok {
			continue
		}
		rest, ok = strings.CutSuffix(rest, "]")
		if !ok || strings.Contains(rest, "]") {
			continue
		}
		vt, ct, slot := wasm.ValI32, cI32, rest
		if t, s, ok := strings.Cut(rest, "-"); ok {
			switch t {
			case "i32":
			case "i64":
				vt, ct = wasm.ValI64, cI64
			default:
				continue
			}
			slot = s
		}
		v, err := strconv.ParseUint(slot, 10, 32)
		if err != nil {
			continue
		}
		sig := coreSig(nil, []canon.CoreType{ct})
		if c.op == CanonContextSet {
			sig = coreSig([]canon.CoreType{ct}, nil)
		}
		return &newIntrinsic{op: c.op, valType: vt, slot: uint32(v)}, sig, true
	}
	return nil, canon.CoreFuncType{}, false
}

// envBuiltin classifies the stack-pointer and TLS imports wasm-ld emits
// for threads: they become context slots 0 (stack pointer) and 1 (TLS).
func envBuiltin(name string, ft *wasm.FuncType) (*newIntrinsic, bool) {
	if ft == nil {
		return nil, false
	}
	vt := func(vs []wasm.ValType) (wasm.ValType, bool) {
		if len(vs) == 0 {
			return wasm.ValType{}, false
		}
		return vs[0], true
	}
	var in newIntrinsic
	var ok bool
	switch name {
	case "__wasm_get_stack_pointer":
		in.op, in.slot = CanonContextGet, 0
		in.valType, ok = vt(ft.Results)
	case "__wasm_set_stack_pointer":
		in.op, in.slot = CanonContextSet, 0
		in.valType, ok = vt(ft.Params)
	case "__wasm_get_tls_base":
		in.op, in.slot, in.tls = CanonContextGet, 1, true
		in.valType, ok = vt(ft.Results)
	case "__wasm_set_tls_base":
		in.op, in.slot, in.tls = CanonContextSet, 1, true
		in.valType, ok = vt(ft.Params)
	}
	return &in, ok
}

// payloadOps are the stream and future built-ins, by name prefix; async
// says the name may carry [async-lower].
var payloadOps = []struct {
	prefix string
	op     CanonOp
	async  bool
	sig    canon.CoreFuncType
}{
	{"[future-new-", CanonFutureNew, false, coreSig(nil, []canon.CoreType{cI64})},
	{"[future-write-", CanonFutureWrite, true, coreSig([]canon.CoreType{cI32, cI32}, []canon.CoreType{cI32})},
	{"[future-read-", CanonFutureRead, true, coreSig([]canon.CoreType{cI32, cI32}, []canon.CoreType{cI32})},
	{"[future-cancel-write-", CanonFutureCancelWrite, true, coreSig([]canon.CoreType{cI32}, []canon.CoreType{cI32})},
	{"[future-cancel-read-", CanonFutureCancelRead, true, coreSig([]canon.CoreType{cI32}, []canon.CoreType{cI32})},
	{"[future-drop-writable-", CanonFutureDropWritable, false, coreSig([]canon.CoreType{cI32}, nil)},
	{"[future-drop-readable-", CanonFutureDropReadable, false, coreSig([]canon.CoreType{cI32}, nil)},
	{"[stream-new-", CanonStreamNew, false, coreSig(nil, []canon.CoreType{cI64})},
	{"[stream-write-", CanonStreamWrite, true, coreSig([]canon.CoreType{cI32, cI32, cI32}, []canon.CoreType{cI32})},
	{"[stream-read-", CanonStreamRead, true, coreSig([]canon.CoreType{cI32, cI32, cI32}, []canon.CoreType{cI32})},
	{"[stream-cancel-write-", CanonStreamCancelWrite, true, coreSig([]canon.CoreType{cI32}, []canon.CoreType{cI32})},
	{"[stream-cancel-read-", CanonStreamCancelRead, true, coreSig([]canon.CoreType{cI32}, []canon.CoreType{cI32})},
	{"[stream-drop-writable-", CanonStreamDropWritable, false, coreSig([]canon.CoreType{cI32}, nil)},
	{"[stream-drop-readable-", CanonStreamDropReadable, false, coreSig([]canon.CoreType{cI32}, nil)},
}

// futuresAndStreams lists the future and stream types of f in the order
// [future-new-N] counts them: depth first, parameters then result.
func futuresAndStreams(r *wit.Resolve, f *wit.Function) []wit.TypeID {
	var out []wit.TypeID
	var walk func(t wit.Type, depth int)
	walk = func(t wit.Type, depth int) {
		id, ok := t.ID()
		if !ok || depth > 1000 {
			return
		}
		td := r.Types[id]
		switch td.Kind {
		case wit.KindRecord:
			for _, f := range td.Fields {
				walk(f.Type, depth+1)
			}
		case wit.KindTuple:
			for _, e := range td.Tuple {
				walk(e, depth+1)
			}
		case wit.KindVariant:
			for _, c := range td.Cases {
				if c.Type != wit.NoneType {
					walk(c.Type, depth+1)
				}
			}
		case wit.KindOption, wit.KindList, wit.KindFixedLengthList, wit.KindType:
			walk(td.Elem, depth+1)
		case wit.KindMap:
			walk(td.Key, depth+1)
			walk(td.Elem, depth+1)
		case wit.KindResult:
			if td.Ok != wit.NoneType {
				walk(td.Ok, depth+1)
			}
			if td.Err != wit.NoneType {
				walk(td.Err, depth+1)
			}
		case wit.KindFuture, wit.KindStream:
			if td.Elem != wit.NoneType {
				walk(td.Elem, depth+1)
			}
			out = append(out, id)
		}
	}
	for _, p := range f.Params {
		walk(p.Type, 0)
	}
	if f.Result != wit.NoneType {
		walk(f.Result, 0)
	}
	return out
}

// intrinsicContext is where a WIT intrinsic's name is looked up: an
// interface (item non-nil) or the world's top level, of its imports or its
// exports.
type intrinsicContext struct {
	item    *wit.WorldItem
	import_ bool
}

// function finds the function a built-in's name refers to.
func (n *newEnc) contextFunction(ctx intrinsicContext, name string) *wit.Function {
	if ctx.item != nil {
		return n.r.Interfaces[ctx.item.Interface].Function(name)
	}
	w := n.r.Worlds[n.world]
	items := w.Exports
	if ctx.import_ {
		items = w.Imports
	}
	if it := n.worldItem(items, name); it != nil && it.Kind == wit.WorldItemFunction && !it.Key.IsInterface() {
		return it.Function
	}
	return nil
}

// witIntrinsic classifies name as an intrinsic of a WIT item (resource,
// task, stream or future ones), as maybe_classify_wit_intrinsic does; ok is
// false when it is none.
func (n *newEnc) witIntrinsic(ni *newImport, name string, ctx intrinsicContext) (ok bool, err error) {
	w := n.r.Worlds[n.world]
	resource := func(rname string) (wit.TypeID, bool) {
		if ctx.item != nil {
			return n.resourceOf(n.r.Interfaces[ctx.item.Interface], rname)
		}
		it := n.worldItem(w.Imports, rname)
		if it == nil || it.Kind != wit.WorldItemType || n.r.Types[n.r.DealiasID(it.Type)].Kind != wit.KindResource {
			return 0, false
		}
		return it.Type, true
	}
	if ctx.item != nil {
		ni.key = n.keyName(ctx.item.Key)
	}
	if rname, ok := strings.CutPrefix(name, "[resource-drop]"); ok {
		if id, ok := resource(rname); ok {
			ni.res = n.r.DealiasID(id)
			ni.sig = coreSig([]canon.CoreType{cI32}, nil)
			ni.kind = impResourceDrop
			if !ctx.import_ {
				ni.kind = impExportDrop
			}
			return true, nil
		}
	}
	if !ctx.import_ {
		for _, p := range []struct {
			prefix string
			kind   newImportKind
		}{{"[resource-new]", impExportNew}, {"[resource-rep]", impExportRep}} {
			rname, ok := strings.CutPrefix(name, p.prefix)
			if !ok {
				continue
			}
			if id, ok := resource(rname); ok {
				ni.kind, ni.res = p.kind, n.r.DealiasID(id)
				ni.sig = coreSig([]canon.CoreType{cI32}, []canon.CoreType{cI32})
				return true, nil
			}
		}
		if fname, ok := strings.CutPrefix(name, "[task-return]"); ok {
			f := n.contextFunction(ctx, fname)
			if f == nil {
				return false, fmt.Errorf("no export `%s` found", fname)
			}
			o, err := n.requiredOptions(f, abiImport)
			if err != nil {
				return false, err
			}
			o.realloc = false // task.return has no realloc option
			// The module's own type says how the result is passed; the
			// reference does not check it either.
			ni.kind, ni.intr = impIntrinsic, &newIntrinsic{op: CanonTaskReturn, fn: f, opts: o}
			if ctx.item != nil {
				ni.intr.iface, ni.intr.hasIface = ctx.item.Interface, true
			}
			ni.sig = canon.CoreFuncType{}
			ni.noSigCheck = true
			return true, nil
		}
		if name == "[task-cancel]" {
			ni.kind, ni.intr = impIntrinsic, &newIntrinsic{op: CanonTaskCancel}
			ni.sig = coreSig(nil, nil)
			return true, nil
		}
	}
	for _, p := range payloadOps {
		async := false
		clean := name
		if p.async {
			async, clean = false, name
			if c, ok := strings.CutPrefix(name, "[async-lower]"); ok {
				async, clean = true, c
			}
		}
		rest, ok := strings.CutPrefix(clean, p.prefix)
		if !ok {
			continue
		}
		idx, fname, ok := strings.Cut(rest, "]")
		if !ok {
			continue
		}
		in := &newIntrinsic{op: p.op, flag: async, imported: ctx.import_}
		if ctx.item != nil {
			in.iface, in.hasIface = ctx.item.Interface, true
		}
		if idx == "unit" {
			in.unit = true
		} else {
			k, err := strconv.ParseUint(idx, 10, 32)
			if err != nil {
				continue
			}
			f := n.contextFunction(ctx, fname)
			if f == nil {
				continue
			}
			fs := futuresAndStreams(n.r, f)
			if k >= uint64(len(fs)) {
				continue
			}
			in.payload = fs[k]
			isFuture := strings.HasPrefix(p.prefix, "[future")
			if kind := n.r.Types[in.payload].Kind; (kind == wit.KindFuture) != isFuture {
				continue
			}
		}
		if err := n.payloadOptions(in); err != nil {
			return false, err
		}
		ni.kind, ni.intr, ni.sig = impIntrinsic, in, p.sig
		return true, nil
	}
	return false, nil
}

// payloadOptions works out the options of a stream or future read or
// write: memory always, and what lifting (write) or lowering (read) the
// payload needs.
func (n *newEnc) payloadOptions(in *newIntrinsic) error {
	read := in.op == CanonStreamRead || in.op == CanonFutureRead
	write := in.op == CanonStreamWrite || in.op == CanonFutureWrite
	if !read && !write {
		return nil
	}
	f := &wit.Function{Kind: wit.Freestanding}
	if !in.unit {
		if elem := n.r.Types[in.payload].Elem; elem != wit.NoneType {
			if read {
				f.Result = elem
			} else {
				f.Params = []wit.Param{{Name: "a", Type: elem}}
			}
		}
	}
	abi := abiImport
	if in.flag {
		abi = abiImportAsync
	}
	o, err := n.requiredOptions(f, abi)
	if err != nil {
		return err
	}
	o.memory, o.async = true, false // async is the built-in's own flag here
	in.opts = o
	return nil
}

// newABI is the ABI variant of a lift or lower, as wit-parser's AbiVariant.
type newABI uint8

const (
	abiImport newABI = iota
	abiImportAsync
	abiExport
	abiExportAsync         // [async-lift], with a callback
	abiExportAsyncStackful // [async-lift-stackful]
)

func (a newABI) async() bool {
	return a == abiImportAsync || a == abiExportAsync || a == abiExportAsyncStackful
}

// coreFuncType is the core signature of f lifted or lowered with abi.
func (n *newEnc) coreFuncType(f *wit.Function, abi newABI) (canon.CoreFuncType, error) {
	ctx := canon.ContextLower
	if abi >= abiExport {
		ctx = canon.ContextLift
	}
	return n.abi.FuncType(f, canon.FuncTypeOptions{Async: abi.async(), Callback: abi == abiExportAsync}, ctx)
}

// requiredOptions works out the canonical options lifting (exports) or
// lowering (imports) f with abi needs, as RequiredOptions does.
func (n *newEnc) requiredOptions(f *wit.Function, abi newABI) (newOpts, error) {
	var o newOpts
	var params []wit.Type
	var pStr, pList, rStr, rList bool
	for _, p := range f.Params {
		params = append(params, p.Type)
		s, l := n.typeNeeds(p.Type, 0)
		pStr, pList = pStr || s, pList || l
	}
	if f.Result != wit.NoneType {
		rStr, rList = n.typeNeeds(f.Result, 0)
	}
	np, err := n.abi.FlatCount(params)
	if err != nil {
		return o, err
	}
	var nr uint64
	if f.Result != wit.NoneType {
		if nr, err = n.abi.FlatCount([]wit.Type{f.Result}); err != nil {
			return o, err
		}
	}
	maxParams := uint64(canon.MaxFlatParams)
	if abi == abiImportAsync {
		maxParams = canon.MaxFlatAsyncParams
	}
	indirect := np > maxParams
	var retptr bool
	switch abi {
	case abiImport, abiExport:
		retptr = nr > canon.MaxFlatResults
	case abiImportAsync:
		retptr = f.Result != wit.NoneType
	}
	lift := func(str, list bool) { // values read out of memory
		o.memory = o.memory || str || list
		o.strings = o.strings || str
	}
	lower := func(str, list bool) { // values written into memory
		o.memory = o.memory || str || list
		o.realloc = o.realloc || str || list
		o.strings = o.strings || str
	}
	if abi < abiExport {
		lift(pStr, pList)
		lower(rStr, rList)
		o.memory = o.memory || retptr || indirect
	} else {
		lower(pStr, pList)
		lift(rStr, rList)
		if retptr || indirect {
			o.memory = true
			o.realloc = o.realloc || indirect
		}
	}
	o.async = abi.async()
	if abi == abiExportAsync || abi == abiExportAsyncStackful {
		// The options task.return needs join those of the lift.
		tr, err := n.requiredOptions(f, abiImport)
		if err != nil {
			return o, err
		}
		o.memory = o.memory || tr.memory
		o.strings = o.strings || tr.strings
	}
	return o, nil
}

// classifyImport classifies a function import that is neither an
// adapter's nor the main module's (see validate), as
// classify_component_model_import does, filling ni.
func (n *newEnc) classifyImport(ni *newImport, module, name string, ft *wasm.FuncType) error {
	w := n.r.Worlds[n.world]
	canonical := false
	if strings.HasPrefix(module, "cm32p2") {
		var err error
		if module, name, canonical, err = standardName(module, name); err != nil {
			return err
		}
	}
	if module == "$root" {
		if in, sig, ok := rootBuiltin(name); ok && !canonical {
			ni.kind, ni.intr, ni.sig = impIntrinsic, in, sig
			return nil
		}
		async, fname := false, name
		if !canonical {
			if c, ok := strings.CutPrefix(name, "[async-lower]"); ok {
				async, fname = true, c
			}
		}
		if it := n.worldItem(w.Imports, fname); it != nil && it.Kind == wit.WorldItemFunction && !it.Key.IsInterface() {
			return n.lowering(ni, it.Function, async, "")
		}
		if ok, err := n.witIntrinsic(ni, name, intrinsicContext{import_: true}); ok || err != nil {
			return err
		}
		if it := n.worldItem(w.Imports, fname); it != nil {
			return fmt.Errorf("expected world top-level import `%s` to be a function", name)
		}
		return fmt.Errorf("no top-level imported function `%s` specified", name)
	}
	if module == "env" && !canonical {
		if in, ok := envBuiltin(name, ft); ok {
			ni.kind, ni.intr = impIntrinsic, in
			ni.sig = coreSig(nil, []canon.CoreType{cI32})
			if in.valType == wasm.ValI64 {
				ni.sig = coreSig(nil, []canon.CoreType{cI64})
			}
			if in.op == CanonContextSet {
				ni.sig.Params, ni.sig.Results = ni.sig.Results, nil
			}
			return nil
		}
	}
	if module == "[export]$root" {
		if ok, err := n.witIntrinsic(ni, name, intrinsicContext{}); ok || err != nil {
			return err
		}
	}
	if key, ok := strings.CutPrefix(module, "[export]"); ok {
		it, err := n.moduleToInterface(w.Exports, key, canonical)
		if err != nil {
			if !canonical {
				return fmt.Errorf("module requires an exported interface named `%s`", key)
			}
			return err
		}
		if ok, err := n.witIntrinsic(ni, name, intrinsicContext{item: it}); ok || err != nil {
			return err
		}
		return fmt.Errorf("unknown function `%s`", name)
	}
	it, err := n.moduleToInterface(w.Imports, module, canonical)
	if err != nil {
		return err
	}
	iface := n.r.Interfaces[it.Interface]
	async, fname := false, name
	if !canonical {
		if c, ok := strings.CutPrefix(name, "[async-lower]"); ok {
			async, fname = true, c
		}
	}
	if f := iface.Function(fname); f != nil {
		if err := n.lowering(ni, f, async, n.keyName(it.Key)); err != nil {
			return fmt.Errorf("failed to validate import interface `%s`: %w", n.keyName(it.Key), err)
		}
		return nil
	}
	if ok, err := n.witIntrinsic(ni, name, intrinsicContext{item: it, import_: true}); ok || err != nil {
		return err
	}
	return fmt.Errorf("import interface `%s` is missing function `%s` that is required by the module", module, name)
}

// lowering fills ni as the lowering of f (imported under key, "" for the
// world's top level).
func (n *newEnc) lowering(ni *newImport, f *wit.Function, async bool, key string) error {
	abi := abiImport
	if async {
		abi = abiImportAsync
	}
	sig, err := n.coreFuncType(f, abi)
	if err != nil {
		return err
	}
	o, err := n.requiredOptions(f, abi)
	if err != nil {
		return err
	}
	ni.kind, ni.fn, ni.key, ni.sig, ni.opts = impLower, f, key, sig, o
	return nil
}

// readExports records the module's exports by the legacy names of what
// they are: exports in the standard32 scheme (cm32p2||f, cm32p2|i|f,
// cm32p2|i|r_dtor, cm32p2_memory, ...) under the names the legacy scheme
// gives the same things, with realNames to find them again.
func (n *newEnc) readExports() {
	n.coreExports = map[string]wasm.Export{}
	n.realNames = map[string]string{}
	w := n.r.Worlds[n.world]
	for _, e := range n.info.Exports {
		name := e.Name
		if rest, ok := strings.CutPrefix(e.Name, "cm32p2"); ok {
			if name = n.legacyExportName(w, rest); name == "" {
				continue
			}
			n.realNames[name] = e.Name
		}
		if _, dup := n.coreExports[name]; !dup {
			n.coreExports[name] = e
		}
	}
}

// legacyExportName is the legacy name of a standard32 export (with cm32p2
// cut off), or "" when it names nothing known.
func (n *newEnc) legacyExportName(w *wit.World, rest string) string {
	switch rest {
	case "_memory":
		return "memory"
	case "_initialize":
		return "_initialize"
	case "_realloc":
		return "cabi_realloc"
	}
	parts := strings.Split(rest, "|")
	if len(parts) != 3 || parts[0] != "" {
		return ""
	}
	item, post := parts[2], false
	if c, ok := strings.CutSuffix(item, "_post"); ok {
		item, post = c, true
	}
	var legacy string
	if parts[1] == "" {
		legacy = item
	} else {
		var key string
		for _, it := range w.Exports {
			if it.Kind != wit.WorldItemInterface {
				continue
			}
			if (!it.Key.IsInterface() && it.Key.Name == parts[1]) || (it.Key.IsInterface() && canonicalID(n.r, it.Key.Interface) == parts[1]) {
				key = n.keyName(it.Key)
				break
			}
		}
		if key == "" {
			return ""
		}
		if r, ok := strings.CutSuffix(item, "_dtor"); ok && !post {
			return key + "#[dtor]" + r
		}
		legacy = key + "#" + item
	}
	if post {
		return "cabi_post_" + legacy
	}
	return legacy
}

// real is the module's own name of the export recorded as name.
func (n *newEnc) real(name string) string {
	if r, ok := n.realNames[name]; ok {
		return r
	}
	return name
}

func canonVals(vs []wasm.ValType) []canon.CoreType {
	out := make([]canon.CoreType, len(vs))
	for i, v := range vs {
		switch v {
		case wasm.ValI64:
			out[i] = canon.CoreI64
		case wasm.ValF32:
			out[i] = canon.CoreF32
		case wasm.ValF64:
			out[i] = canon.CoreF64
		default:
			out[i] = canon.CoreI32
		}
	}
	return out
}
