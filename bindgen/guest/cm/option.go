package cm

import "errors"

// Option is WIT's option<T>: either none or some value. The zero value is
// none.
type Option[T any] struct {
	some  bool
	value T
}

// Some returns an option holding v.
func Some[T any](v T) Option[T] { return Option[T]{some: true, value: v} }

// None returns an option holding nothing.
func None[T any]() Option[T] { return Option[T]{} }

// Get returns the value and true, or the zero value and false for none.
func (o Option[T]) Get() (T, bool) { return o.value, o.some }

// IsNone reports whether o holds nothing.
func (o Option[T]) IsNone() bool { return !o.some }

// Value returns the value, or the zero value for none.
func (o Option[T]) Value() T { return o.value }

// Result is WIT's result<T, E> where it appears inside another type (a field,
// a list element). A function whose result is a result returns (T, error)
// instead. The zero value is ok with T's zero value. A missing type is
// struct{}.
type Result[T, E any] struct {
	isErr bool
	ok    T
	err   E
}

// OK returns the ok case of a result.
func OK[T, E any](v T) Result[T, E] { return Result[T, E]{ok: v} }

// Err returns the error case of a result.
func Err[T, E any](e E) Result[T, E] { return Result[T, E]{isErr: true, err: e} }

// IsErr reports whether r is the error case.
func (r Result[T, E]) IsErr() bool { return r.isErr }

// OK returns the ok value and true, or the zero value and false.
func (r Result[T, E]) OK() (T, bool) { return r.ok, !r.isErr }

// Err returns the error value and true, or the zero value and false.
func (r Result[T, E]) Err() (E, bool) { return r.err, r.isErr }

// ErrorOf is the error a function returns for result<T, E> when E is not a
// type of the bindings that carries its own Error method (a string, a
// number, a list...). Use errors.As with a *ErrorOf[E] to get the value.
type ErrorOf[E any] struct {
	Value E
}

// Error describes the value: strings as they are, other values by their
// String or Error method when they have one.
func (e ErrorOf[E]) Error() string {
	switch v := any(e.Value).(type) {
	case string:
		return v
	case interface{ Error() string }:
		return v.Error()
	case interface{ String() string }:
		return v.String()
	}
	return "error result"
}

// ErrResult is the error a function returns for a result with no error
// type (result<T> or result): the callee said "error" and nothing more.
var ErrResult = errors.New("error result")

// ErrorValue finds the E in an error an exported function returned for its
// result<T, E>: E itself when E is an error type, an ErrorOf[E], or, for a
// string E, the error's text.
func ErrorValue[E any](err error) (E, bool) {
	var e E
	if _, ok := any(e).(error); ok && errors.As(err, &e) {
		return e, true
	}
	var w ErrorOf[E]
	if errors.As(err, &w) {
		return w.Value, true
	}
	if s, ok := any(err.Error()).(E); ok {
		return s, true
	}
	return e, false
}

// ResultOf is the result<T, E> a Go function's (v, err) stands for: ok
// with v when err is nil, else the error case holding the E that err
// holds (see ErrorValue). When E is struct{} (a result with no error
// type), any error is the error case. It returns err itself when err
// holds no E.
func ResultOf[T, E any](v T, err error) (Result[T, E], error) {
	if err == nil {
		return OK[T, E](v), nil
	}
	var e E
	if _, unit := any(e).(struct{}); unit {
		return Err[T, E](e), nil
	}
	e, ok := ErrorValue[E](err)
	if !ok {
		return Result[T, E]{}, err
	}
	return Err[T, E](e), nil
}

// MustResult is ResultOf for an export, which has no way to report an
// error outside its result: an error holding no E (what names the export)
// is a bug of the program, and panics.
func MustResult[T, E any](what string, v T, err error) Result[T, E] {
	r, err := ResultOf[T, E](v, err)
	if err != nil {
		panic("bindgen: " + what + " returned an error that does not hold its WIT error type: " + err.Error())
	}
	return r
}

// Unwrap is the (T, error) of a result whose error type is a Go error (a
// WIT enum or variant used as one): r's ok value, or its error value as the
// error. A non-nil err (the call's own failure) comes first.
func Unwrap[T any, E error](r Result[T, E], err error) (T, error) {
	var zero T
	if err != nil {
		return zero, err
	}
	if r.isErr {
		return zero, r.err
	}
	return r.ok, nil
}

// UnwrapValue is Unwrap for an error type that is no Go error: the error
// is an ErrorOf[E] holding the value.
func UnwrapValue[T, E any](r Result[T, E], err error) (T, error) {
	var zero T
	if err != nil {
		return zero, err
	}
	if r.isErr {
		return zero, ErrorOf[E]{Value: r.err}
	}
	return r.ok, nil
}

// UnwrapUnit is Unwrap for a result with no error type: the error is
// ErrResult.
func UnwrapUnit[T any](r Result[T, struct{}], err error) (T, error) {
	var zero T
	if err != nil {
		return zero, err
	}
	if r.isErr {
		return zero, ErrResult
	}
	return r.ok, nil
}

// Checked returns v, or the zero T when err is not nil: a call that failed
// returns no part of what it may have lifted.
func Checked[T any](v T, err error) (T, error) {
	if err != nil {
		var zero T
		return zero, err
	}
	return v, nil
}

// Case returns the payload p of a variant's case and true when the
// variant holds that case (holds), else the zero T and false.
func Case[T any](holds bool, p T) (T, bool) {
	if !holds {
		var zero T
		return zero, false
	}
	return p, true
}

// Label returns the WIT name of case i of type what, from its labels.
func Label(labels []string, i int, what string) string {
	if i >= 0 && i < len(labels) {
		return labels[i]
	}
	return what + "(?)"
}

// FlagNames returns the WIT names of the flags set in bits, from their
// labels, separated by |.
func FlagNames(labels []string, bits uint64) string {
	s := ""
	for i, l := range labels {
		if bits&(1<<i) != 0 {
			if s != "" {
				s += "|"
			}
			s += l
		}
	}
	return s
}
