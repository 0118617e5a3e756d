// Package hostcm is the run-time support of the Go host bindings that
// `wasmcm bindgen go --host` generates: the typed lifting and lowering
// state (Lift, Lower) over the fast path of package canon, the table of
// host-implemented resources, the handles of exported ones, the check that
// a component matches the world the bindings were generated for, and the
// generic shapes generated code calls instead of spelling them out per
// type: lists and maps element by element (LiftListFunc, LowerMap...),
// results made and taken apart (ResultOf, Unwrap...).
//
// Generated code is its only intended user; its API follows what that code
// needs and may change with the generator.
package hostcm

import "github.com/wasmcm/wasmcm/bindgen/guest/cm"

// Option is WIT's option<T>, the same type the guest bindings use.
type Option[T any] = cm.Option[T]

// Result is WIT's result<T, E> where it appears inside another type.
type Result[T, E any] = cm.Result[T, E]

// ErrorOf is the error a function returns for result<T, E> when E has no
// Error method of its own; errors.As with a *ErrorOf[E] gets the value.
type ErrorOf[E any] = cm.ErrorOf[E]

// ErrResult is the error of a result with no error type.
var ErrResult = cm.ErrResult

// Some returns an option holding v.
func Some[T any](v T) Option[T] { return cm.Some(v) }

// None returns an option holding nothing.
func None[T any]() Option[T] { return cm.None[T]() }

// OK returns the ok case of a result.
func OK[T, E any](v T) Result[T, E] { return cm.OK[T, E](v) }

// Err returns the error case of a result.
func Err[T, E any](e E) Result[T, E] { return cm.Err[T, E](e) }

// ErrorValue finds the E in an error a host function returned for its
// result<T, E>.
func ErrorValue[E any](err error) (E, bool) { return cm.ErrorValue[E](err) }

// ResultOf is the result<T, E> a host function's (v, err) stands for (see
// package cm); it returns err itself when err holds no E.
func ResultOf[T, E any](v T, err error) (Result[T, E], error) { return cm.ResultOf[T, E](v, err) }

// Unwrap is the (T, error) of a result whose error type is a Go error, or
// err when the call itself failed.
func Unwrap[T any, E error](r Result[T, E], err error) (T, error) { return cm.Unwrap(r, err) }

// UnwrapValue is Unwrap for an error type that is no Go error (the error
// is an ErrorOf[E]).
func UnwrapValue[T, E any](r Result[T, E], err error) (T, error) { return cm.UnwrapValue(r, err) }

// UnwrapUnit is Unwrap for a result with no error type (the error is
// ErrResult).
func UnwrapUnit[T any](r Result[T, struct{}], err error) (T, error) { return cm.UnwrapUnit(r, err) }

// Checked returns v, or the zero T when err is not nil.
func Checked[T any](v T, err error) (T, error) { return cm.Checked(v, err) }

// Case returns the payload p of a variant's case and true when the
// variant holds that case (holds), else the zero T and false.
func Case[T any](holds bool, p T) (T, bool) { return cm.Case(holds, p) }

// Label returns the WIT name of case i of type what, from its labels.
func Label(labels []string, i int, what string) string { return cm.Label(labels, i, what) }

// FlagNames returns the WIT names of the flags set in bits, separated by |.
func FlagNames(labels []string, bits uint64) string { return cm.FlagNames(labels, bits) }
