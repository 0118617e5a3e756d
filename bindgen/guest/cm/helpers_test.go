package cm

import (
	"errors"
	"strings"
	"testing"
	"unsafe"
)

type codeErr uint8

func (c codeErr) Error() string { return "code " + string('0'+rune(c)) }

func TestResultOf(t *testing.T) {
	if r, err := ResultOf[int, string](7, nil); err != nil || r.IsErr() || r.ok != 7 {
		t.Errorf("ok: %+v, %v", r, err)
	}
	if r, err := ResultOf[int, string](0, ErrorOf[string]{Value: "bad"}); err != nil || !r.IsErr() || r.err != "bad" {
		t.Errorf("ErrorOf: %+v, %v", r, err)
	}
	if r, err := ResultOf[int, codeErr](0, codeErr(3)); err != nil || r.err != 3 {
		t.Errorf("an error type: %+v, %v", r, err)
	}
	if r, err := ResultOf[int, struct{}](0, errors.New("any")); err != nil || !r.IsErr() {
		t.Errorf("no error type: %+v, %v", r, err)
	}
	other := errors.New("other")
	if _, err := ResultOf[int, codeErr](0, other); err != other {
		t.Errorf("an error holding no E: %v, want it back", err)
	}
	defer func() {
		if p, _ := recover().(string); !strings.Contains(p, "f returned an error that does not hold its WIT error type: other") {
			t.Errorf("MustResult panicked with %q", p)
		}
	}()
	MustResult[int, codeErr]("f", 0, other)
}

func TestUnwrap(t *testing.T) {
	fail := errors.New("call failed")
	if v, err := Unwrap(OK[int, codeErr](5), nil); v != 5 || err != nil {
		t.Errorf("ok: %d, %v", v, err)
	}
	if v, err := Unwrap(OK[int, codeErr](5), fail); v != 0 || err != fail {
		t.Errorf("a failed call: %d, %v", v, err)
	}
	if _, err := Unwrap(Err[int](codeErr(2)), nil); err != codeErr(2) {
		t.Errorf("an error type: %v", err)
	}
	var of ErrorOf[string]
	if _, err := UnwrapValue(Err[int]("nope"), nil); !errors.As(err, &of) || of.Value != "nope" {
		t.Errorf("a value: %v", err)
	}
	if _, err := UnwrapUnit(Err[int](struct{}{}), nil); err != ErrResult {
		t.Errorf("no error type: %v", err)
	}
	if v, err := Checked(9, fail); v != 0 || err != fail {
		t.Errorf("Checked: %d, %v", v, err)
	}
}

func TestCaseLabels(t *testing.T) {
	if v, ok := Case(true, "x"); v != "x" || !ok {
		t.Errorf("held case: %q, %v", v, ok)
	}
	if v, ok := Case(false, "x"); v != "" || ok {
		t.Errorf("other case: %q, %v", v, ok)
	}
	labels := []string{"a", "b", "c"}
	if got := Label(labels, 1, "e"); got != "b" {
		t.Errorf("Label = %q", got)
	}
	if got := Label(labels, 3, "e"); got != "e(?)" {
		t.Errorf("Label out of range = %q", got)
	}
	if got := FlagNames(labels, 0b101); got != "a|c" {
		t.Errorf("FlagNames = %q", got)
	}
	if got := Disc("enum e", 2, 3); got != 2 {
		t.Errorf("Disc = %d", got)
	}
	defer func() {
		if p, _ := recover().(string); !strings.Contains(p, "invalid case of enum e (discriminant 3, 3 cases)") {
			t.Errorf("Disc panicked with %q", p)
		}
	}()
	Disc("enum e", 3, 3)
}

// The list functions' element loops, on Go memory: this runs on 64-bit
// hosts too, where a pointer does not fit the 32-bit addresses the lifting
// side takes, so lowering is checked through the pinned block itself.
func TestLowerListFunc(t *testing.T) {
	var pins Pins
	if ptr, n := LowerListFunc(&pins, []string(nil), 8, StoreString); ptr != 0 || n != 0 || pins.Len() != 0 {
		t.Errorf("empty list: %d, %d, %d pins", ptr, n, pins.Len())
	}
	var blocks []unsafe.Pointer
	store := func(p *Pins, v uint16, a unsafe.Pointer) {
		*(*uint16)(a) = v
		blocks = append(blocks, a)
	}
	_, n := LowerListFunc(&pins, []uint16{1, 2, 3}, 4, store)
	if n != 3 || len(blocks) != 3 || pins.Len() != 1 {
		t.Fatalf("n %d, %d stores, %d pins", n, len(blocks), pins.Len())
	}
	for i, b := range blocks {
		if uintptr(b) != uintptr(blocks[0])+uintptr(4*i) || *(*uint16)(b) != uint16(i+1) {
			t.Errorf("element %d at +%d holds %d", i, uintptr(b)-uintptr(blocks[0]), *(*uint16)(b))
		}
	}
	if got := LiftListFunc(0, 0, 4, func(unsafe.Pointer) uint16 { t.Error("load called"); return 0 }); got != nil {
		t.Errorf("empty lift = %v", got)
	}
}

func TestExportTableLiftLower(t *testing.T) {
	// Resource types are interfaces; any stands for one.
	var tab ExportTable[any]
	var v any = new(int)
	rep := tab.Lower("thing", v)
	// The host hands the owned handle back: the value leaves the table.
	var dropped []uint32
	got := tab.Lift(100, true, func(h uint32) uint32 { return rep }, func(h uint32) {
		dropped = append(dropped, h)
		tab.Destroy(rep) // the drop runs the destructor
	})
	if got != v || len(dropped) != 1 || dropped[0] != 100 || tab.Len() != 0 {
		t.Errorf("owned lift: %v, dropped %v, %d left", got, dropped, tab.Len())
	}
	rep = tab.Lower("thing", v)
	if tab.Lift(rep, false, nil, nil) != v {
		t.Error("a borrow does not give the value")
	}
	tab.Destroy(rep)
	if tab.Len() != 0 {
		t.Errorf("%d values left after the destructor", tab.Len())
	}
	defer func() {
		if p, _ := recover().(string); p != "bindgen: nil thing returned to the host" {
			t.Errorf("Lower(nil) panicked with %q", p)
		}
	}()
	tab.Lower("thing", nil)
}
