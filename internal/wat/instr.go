package wat

import (
	"strconv"
	"strings"
)

// imm says which immediates an instruction takes in the text format.
type imm uint8

const (
	imNone imm = iota
	imBlock
	imTryTable
	imEnd       // end/else with an optional label
	imLabel     // br, br_if, br_on_null ...
	imBrTable   // labels, the last is the default
	imFunc      // call, ref.func, return_call
	imCallInd   // table? typeuse
	imLocal     // local.get ...
	imGlobal    // global.get ...
	imTable     // table? (default 0)
	imMem       // memory? (default 0)
	imMemarg    // memory? offset=? align=?
	imI32       // i32.const
	imI64       // i64.const
	imF32       // f32.const
	imF64       // f64.const
	imRefNull   // heap type
	imSelect    // (result t)*
	imMemInit   // memory? data
	imData      // data.drop
	imMemCopy   // (memory memory)?
	imTableInit // table? elem
	imElem      // elem.drop
	imTableCopy // (table table)?
	imType      // call_ref, struct.new ...
	imTypeField // struct.get $t $f
	imTag       // throw
	imTypeU32   // array.new_fixed $t N
	imTypeData  // array.new_data $t $d
	imTypeElem  // array.new_elem $t $e
	imTypeType  // array.copy $t $t
	imRefTest   // ref.test/ref.cast: (ref null? ht)
	imV128      // v128.const
)

// op describes one instruction: its encoding and its text immediates.
type op struct {
	name   string
	prefix byte // 0, 0xfb, 0xfc, 0xfd
	code   uint32
	imm    imm
	align  uint32 // natural alignment (log2) of memory accesses
}

var ops = map[string]*op{}

// endOp and elseOp close and split folded blocks.
var endOp, elseOp *op

func init() {
	add := func(prefix byte, im imm, list string) {
		for _, f := range strings.Fields(list) {
			parts := strings.Split(f, "=")
			code, _ := strconv.ParseUint(parts[1], 16, 32)
			o := &op{name: parts[0], prefix: prefix, code: uint32(code), imm: im}
			if len(parts) > 2 {
				a, _ := strconv.Atoi(parts[2])
				o.align = uint32(a)
			}
			ops[o.name] = o
		}
	}
	add(0, imNone, `unreachable=00 nop=01 return=0f drop=1a throw_ref=0a
		ref.is_null=d1 ref.eq=d3 ref.as_non_null=d4`)
	add(0, imBlock, `block=02 loop=03 if=04`)
	add(0, imTryTable, `try_table=1f`)
	add(0, imEnd, `else=05 end=0b`)
	endOp, elseOp = ops["end"], ops["else"]
	add(0, imLabel, `br=0c br_if=0d br_on_null=d5 br_on_non_null=d6`)
	add(0, imBrTable, `br_table=0e`)
	add(0, imFunc, `call=10 return_call=12 ref.func=d2`)
	add(0, imCallInd, `call_indirect=11 return_call_indirect=13`)
	add(0, imType, `call_ref=14 return_call_ref=15`)
	add(0, imSelect, `select=1b`)
	add(0, imLocal, `local.get=20 local.set=21 local.tee=22`)
	add(0, imGlobal, `global.get=23 global.set=24`)
	add(0, imTable, `table.get=25 table.set=26`)
	add(0, imTag, `throw=08`)
	add(0, imMemarg, `i32.load=28=2 i64.load=29=3 f32.load=2a=2 f64.load=2b=3
		i32.load8_s=2c=0 i32.load8_u=2d=0 i32.load16_s=2e=1 i32.load16_u=2f=1
		i64.load8_s=30=0 i64.load8_u=31=0 i64.load16_s=32=1 i64.load16_u=33=1 i64.load32_s=34=2 i64.load32_u=35=2
		i32.store=36=2 i64.store=37=3 f32.store=38=2 f64.store=39=3
		i32.store8=3a=0 i32.store16=3b=1 i64.store8=3c=0 i64.store16=3d=1 i64.store32=3e=2`)
	add(0, imMem, `memory.size=3f memory.grow=40`)
	add(0, imI32, `i32.const=41`)
	add(0, imI64, `i64.const=42`)
	add(0, imF32, `f32.const=43`)
	add(0, imF64, `f64.const=44`)
	add(0, imRefNull, `ref.null=d0`)
	add(0, imNone, `i32.eqz=45 i32.eq=46 i32.ne=47 i32.lt_s=48 i32.lt_u=49 i32.gt_s=4a i32.gt_u=4b i32.le_s=4c i32.le_u=4d i32.ge_s=4e i32.ge_u=4f
		i64.eqz=50 i64.eq=51 i64.ne=52 i64.lt_s=53 i64.lt_u=54 i64.gt_s=55 i64.gt_u=56 i64.le_s=57 i64.le_u=58 i64.ge_s=59 i64.ge_u=5a
		f32.eq=5b f32.ne=5c f32.lt=5d f32.gt=5e f32.le=5f f32.ge=60
		f64.eq=61 f64.ne=62 f64.lt=63 f64.gt=64 f64.le=65 f64.ge=66
		i32.clz=67 i32.ctz=68 i32.popcnt=69 i32.add=6a i32.sub=6b i32.mul=6c i32.div_s=6d i32.div_u=6e i32.rem_s=6f i32.rem_u=70
		i32.and=71 i32.or=72 i32.xor=73 i32.shl=74 i32.shr_s=75 i32.shr_u=76 i32.rotl=77 i32.rotr=78
		i64.clz=79 i64.ctz=7a i64.popcnt=7b i64.add=7c i64.sub=7d i64.mul=7e i64.div_s=7f i64.div_u=80 i64.rem_s=81 i64.rem_u=82
		i64.and=83 i64.or=84 i64.xor=85 i64.shl=86 i64.shr_s=87 i64.shr_u=88 i64.rotl=89 i64.rotr=8a
		f32.abs=8b f32.neg=8c f32.ceil=8d f32.floor=8e f32.trunc=8f f32.nearest=90 f32.sqrt=91 f32.add=92 f32.sub=93 f32.mul=94
		f32.div=95 f32.min=96 f32.max=97 f32.copysign=98
		f64.abs=99 f64.neg=9a f64.ceil=9b f64.floor=9c f64.trunc=9d f64.nearest=9e f64.sqrt=9f f64.add=a0 f64.sub=a1 f64.mul=a2
		f64.div=a3 f64.min=a4 f64.max=a5 f64.copysign=a6
		i32.wrap_i64=a7 i32.trunc_f32_s=a8 i32.trunc_f32_u=a9 i32.trunc_f64_s=aa i32.trunc_f64_u=ab
		i64.extend_i32_s=ac i64.extend_i32_u=ad i64.trunc_f32_s=ae i64.trunc_f32_u=af i64.trunc_f64_s=b0 i64.trunc_f64_u=b1
		f32.convert_i32_s=b2 f32.convert_i32_u=b3 f32.convert_i64_s=b4 f32.convert_i64_u=b5 f32.demote_f64=b6
		f64.convert_i32_s=b7 f64.convert_i32_u=b8 f64.convert_i64_s=b9 f64.convert_i64_u=ba f64.promote_f32=bb
		i32.reinterpret_f32=bc i64.reinterpret_f64=bd f32.reinterpret_i32=be f64.reinterpret_i64=bf
		i32.extend8_s=c0 i32.extend16_s=c1 i64.extend8_s=c2 i64.extend16_s=c3 i64.extend32_s=c4`)
	add(0xfc, imNone, `i32.trunc_sat_f32_s=0 i32.trunc_sat_f32_u=1 i32.trunc_sat_f64_s=2 i32.trunc_sat_f64_u=3
		i64.trunc_sat_f32_s=4 i64.trunc_sat_f32_u=5 i64.trunc_sat_f64_s=6 i64.trunc_sat_f64_u=7`)
	add(0xfc, imMemInit, `memory.init=8`)
	add(0xfc, imData, `data.drop=9`)
	add(0xfc, imMemCopy, `memory.copy=a`)
	add(0xfc, imMem, `memory.fill=b`)
	add(0xfc, imTableInit, `table.init=c`)
	add(0xfc, imElem, `elem.drop=d`)
	add(0xfc, imTableCopy, `table.copy=e`)
	add(0xfc, imTable, `table.grow=f table.size=10 table.fill=11`)
	add(0xfb, imType, `struct.new=0 struct.new_default=1 array.new=6 array.new_default=7 array.get=b array.get_s=c
		array.get_u=d array.set=e array.fill=10`)
	add(0xfb, imTypeField, `struct.get=2 struct.get_s=3 struct.get_u=4 struct.set=5`)
	add(0xfb, imTypeU32, `array.new_fixed=8`)
	add(0xfb, imTypeData, `array.new_data=9 array.init_data=12`)
	add(0xfb, imTypeElem, `array.new_elem=a array.init_elem=13`)
	add(0xfb, imTypeType, `array.copy=11`)
	add(0xfb, imNone, `array.len=f any.convert_extern=1a extern.convert_any=1b ref.i31=1c i31.get_s=1d i31.get_u=1e`)
	add(0xfb, imRefTest, `ref.test=14 ref.cast=16`)
	add(0xfd, imV128, `v128.const=c`)
}

// memArg is a memory immediate.
type memArg struct {
	mem    index
	offset uint64
	align  uint32 // log2
}

// catchT is one clause of try_table.
type catchT struct {
	kind  byte // 0 catch, 1 catch_ref, 2 catch_all, 3 catch_all_ref
	tag   index
	label index
}

// instr is one instruction with its immediates as written.
type instr struct {
	op      *op
	pos     int
	label   string   // block label
	tu      *typeUse // block type, call_indirect type
	idx     []index
	bits    uint64 // constants
	mem     *memArg
	vts     []valT // select
	heap    heapT  // ref.null, ref.test
	null    bool   // ref.test null
	hasVts  bool
	catches []catchT
	v128    [16]byte
}

// instrs parses an instruction sequence (plain and folded, mixed) until the
// end of the cursor's list.
func (c *cur) instrs(out *[]instr, depth int) error {
	for !c.done() {
		if err := c.instr(out, depth); err != nil {
			return err
		}
	}
	return nil
}

func (c *cur) instr(out *[]instr, depth int) error {
	n := c.peek()
	if n.kind == kList {
		if depth > maxDepth {
			return c.errorf("instructions nest too deeply")
		}
		c.i++
		return c.s.cursor(n, 0).folded(out, depth+1)
	}
	if n.kind != kKeyword {
		return c.expected("an instruction")
	}
	o := ops[n.text]
	if o == nil {
		return c.s.errorf(n.pos, "unknown operator or unexpected token `%s`", n.text)
	}
	c.i++
	in := instr{op: o, pos: n.pos}
	if err := c.immediates(&in); err != nil {
		return err
	}
	*out = append(*out, in)
	return nil
}

// folded parses (op imm* instr*), (block ...), (if ... (then ...) (else ...)).
func (c *cur) folded(out *[]instr, depth int) error {
	n := c.peek()
	if n == nil || n.kind != kKeyword || ops[n.text] == nil {
		return c.expected("an instruction")
	}
	o := ops[n.text]
	c.i++
	in := instr{op: o, pos: n.pos}
	if err := c.immediates(&in); err != nil {
		return err
	}
	switch o.imm {
	case imEnd:
		return c.s.errorf(n.pos, "`%s` cannot be folded", o.name)
	case imBlock, imTryTable:
		if o.name != "if" {
			*out = append(*out, in)
			if err := c.instrs(out, depth); err != nil {
				return err
			}
			*out = append(*out, instr{op: endOp, pos: c.pos()})
			return nil
		}
		// The condition is folded instructions up to (then ...).
		for !c.done() && !c.isList("then") {
			if c.peek().kind != kList {
				return c.expected("`(`")
			}
			if err := c.instr(out, depth); err != nil {
				return err
			}
		}
		tc, err := c.sub("then")
		if err != nil {
			return c.errorf("previous `if` had no `then`")
		}
		*out = append(*out, in)
		if err := tc.instrs(out, depth); err != nil {
			return err
		}
		if c.isList("else") {
			ec, _ := c.sub("else")
			*out = append(*out, instr{op: elseOp, pos: ec.list.pos})
			if err := ec.instrs(out, depth); err != nil {
				return err
			}
		}
		if !c.done() {
			return c.errorf("unexpected token: too many payloads inside of `(if)`")
		}
		*out = append(*out, instr{op: endOp, pos: c.pos()})
		return nil
	}
	if err := c.instrs(out, depth); err != nil {
		return err
	}
	*out = append(*out, in)
	return nil
}

// keywordField reads a field like offset=8 or align=4.
func (c *cur) keywordField(name string) (uint64, bool, error) {
	n := c.peek()
	if n == nil || n.kind != kKeyword || !strings.HasPrefix(n.text, name+"=") {
		return 0, false, nil
	}
	v, ok := parseUint(n.text[len(name)+1:], 64)
	if !ok {
		return 0, false, c.s.errorf(n.pos, "invalid %s: expected an unsigned integer", name)
	}
	c.i++
	return v, true, nil
}

// immediates reads the text immediates of in.op.
func (c *cur) immediates(in *instr) error {
	var err error
	one := func() error {
		x, err := c.index()
		in.idx = append(in.idx, x)
		return err
	}
	opt := func() {
		if c.isIndex() {
			x, _ := c.index()
			in.idx = append(in.idx, x)
		} else {
			in.idx = append(in.idx, numIndex(0))
		}
	}
	switch in.op.imm {
	case imBlock, imTryTable:
		in.label, _ = c.optID()
		if _, _, err := c.optNameAnnot(); err != nil {
			return err
		}
		if in.tu, err = c.typeUse(false); err != nil {
			return err
		}
		if in.op.imm == imTryTable {
			for {
				var k byte
				switch c.peek().head() {
				case "catch":
					k = 0
				case "catch_ref":
					k = 1
				case "catch_all":
					k = 2
				case "catch_all_ref":
					k = 3
				default:
					return nil
				}
				sc, _ := c.anyList()
				sc.i = 1
				ct := catchT{kind: k}
				if k < 2 {
					if ct.tag, err = sc.index(); err != nil {
						return err
					}
				}
				if ct.label, err = sc.index(); err != nil {
					return err
				}
				if err := sc.end(); err != nil {
					return err
				}
				in.catches = append(in.catches, ct)
			}
		}
	case imEnd:
		in.label, _ = c.optID()
	case imLabel, imFunc, imLocal, imGlobal, imData, imElem, imType, imTag:
		return one()
	case imBrTable:
		if err := one(); err != nil {
			return err
		}
		for c.isIndex() {
			_ = one()
		}
	case imCallInd:
		opt()
		if in.tu, err = c.typeUse(false); err != nil {
			return err
		}
	case imTable, imMem:
		opt()
	case imMemarg:
		m := &memArg{align: in.op.align}
		if c.isIndex() {
			m.mem, _ = c.index()
		} else {
			m.mem = numIndex(0)
		}
		if m.offset, _, err = c.keywordField("offset"); err != nil {
			return err
		}
		a, ok, err := c.keywordField("align")
		if err != nil {
			return err
		}
		if ok {
			if a == 0 || a&(a-1) != 0 {
				return c.errorf("alignment must be a power of two")
			}
			m.align = 0
			for a > 1 {
				a >>= 1
				m.align++
			}
		}
		in.mem = m
	case imI32, imI64:
		n := c.peek()
		if n == nil || n.kind != kNum {
			return c.expected("an integer")
		}
		bits := 32
		if in.op.imm == imI64 {
			bits = 64
		}
		v, ok := parseInt(n.text, bits)
		if !ok {
			return c.s.errorf(n.pos, "i%d constant out of range", bits)
		}
		c.i++
		in.bits = uint64(v)
	case imF32, imF64:
		n := c.peek()
		if n == nil || n.kind != kNum {
			return c.expected("a float")
		}
		bits := 32
		if in.op.imm == imF64 {
			bits = 64
		}
		v, ok := parseFloat(n.text, bits)
		if !ok {
			return c.s.errorf(n.pos, "invalid f%d constant `%s`", bits, n.text)
		}
		c.i++
		in.bits = v
	case imRefNull:
		in.heap, err = c.heapType()
		return err
	case imRefTest:
		sc, err := c.sub("ref")
		if err != nil {
			return err
		}
		in.null = sc.optKw("null")
		if in.heap, err = sc.heapType(); err != nil {
			return err
		}
		return sc.end()
	case imSelect:
		for c.isList("result") {
			in.hasVts = true
			sc, _ := c.sub("result")
			for !sc.done() {
				t, err := sc.valType()
				if err != nil {
					return err
				}
				in.vts = append(in.vts, t)
			}
		}
	case imMemInit, imTableInit:
		if err := one(); err != nil {
			return err
		}
		if c.isIndex() {
			_ = one()
		} else {
			in.idx = append([]index{numIndex(0)}, in.idx...)
		}
	case imMemCopy, imTableCopy:
		if c.isIndex() {
			_ = one()
			if err := one(); err != nil {
				return err
			}
		} else {
			in.idx = []index{numIndex(0), numIndex(0)}
		}
	case imTypeField, imTypeData, imTypeElem, imTypeType:
		if err := one(); err != nil {
			return err
		}
		return one()
	case imTypeU32:
		if err := one(); err != nil {
			return err
		}
		v, err := c.u32()
		in.bits = uint64(v)
		return err
	case imV128:
		return c.v128(in)
	}
	return nil
}

// v128 reads v128.const SHAPE lanes.
func (c *cur) v128(in *instr) error {
	n := c.peek()
	if n == nil || n.kind != kKeyword {
		return c.expected("a v128 shape")
	}
	c.i++
	var lanes, width int
	float := false
	switch n.text {
	case "i8x16":
		lanes, width = 16, 1
	case "i16x8":
		lanes, width = 8, 2
	case "i32x4":
		lanes, width = 4, 4
	case "i64x2":
		lanes, width = 2, 8
	case "f32x4":
		lanes, width, float = 4, 4, true
	case "f64x2":
		lanes, width, float = 2, 8, true
	default:
		return c.s.errorf(n.pos, "unknown v128 shape `%s`", n.text)
	}
	for l := 0; l < lanes; l++ {
		t := c.peek()
		if t == nil || t.kind != kNum {
			return c.expected("a lane value")
		}
		var v uint64
		var ok bool
		if float {
			v, ok = parseFloat(t.text, width*8)
		} else {
			var s int64
			s, ok = parseInt(t.text, width*8)
			if width < 8 && ok {
				// parseInt wraps 32-bit values; narrower lanes check by hand.
				if width < 4 {
					ok = s >= -(1<<(width*8-1)) && s < 1<<(width*8)
				}
			}
			v = uint64(s)
		}
		if !ok {
			return c.s.errorf(t.pos, "constant out of range")
		}
		c.i++
		for b := 0; b < width; b++ {
			in.v128[l*width+b] = byte(v >> (8 * b))
		}
	}
	return nil
}
