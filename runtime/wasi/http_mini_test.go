package wasi_test

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/wasmcm/wasmcm/canon"
	"github.com/wasmcm/wasmcm/component"
	"github.com/wasmcm/wasmcm/internal/testutil"
	"github.com/wasmcm/wasmcm/internal/wat"
	"github.com/wasmcm/wasmcm/wit"
)

// miniWorld is the world of the hand-written proxies: wasi:http 0.2.0, the
// oldest version, so that they also test the semver matching to the
// host's definitions.
const miniWorld = `package wasmcm:mini-proxy;

world mini {
  import wasi:http/types@0.2.0;
  import wasi:io/streams@0.2.0;
  export wasi:http/incoming-handler@0.2.0;
}
`

// miniCore is a core module implementing incoming-handler.handle in a few
// calls, its behaviour picked by %s (the body of handle). Memory: strings
// at fixed places, a return area at 1024, the response body's bytes at 200.
const miniCore = `(module
  (import "wasi:http/types@0.2.0" "[constructor]fields" (func $fields_new (result i32)))
  (import "wasi:http/types@0.2.0" "[method]fields.append" (func $append (param i32 i32 i32 i32 i32 i32)))
  (import "wasi:http/types@0.2.0" "[constructor]outgoing-response" (func $resp_new (param i32) (result i32)))
  (import "wasi:http/types@0.2.0" "[method]outgoing-response.headers" (func $resp_headers (param i32) (result i32)))
  (import "wasi:http/types@0.2.0" "[method]outgoing-response.set-status-code" (func $set_status (param i32 i32) (result i32)))
  (import "wasi:http/types@0.2.0" "[method]outgoing-response.body" (func $resp_body (param i32 i32)))
  (import "wasi:http/types@0.2.0" "[method]outgoing-body.write" (func $body_write (param i32 i32)))
  (import "wasi:http/types@0.2.0" "[static]outgoing-body.finish" (func $body_finish (param i32 i32 i32 i32)))
  (import "wasi:http/types@0.2.0" "[static]response-outparam.set" (func $set (param i32 i32 i32 i32 i64 i32 i32 i32 i32)))
  (import "wasi:http/types@0.2.0" "[resource-drop]incoming-request" (func $drop_req (param i32)))
  (import "wasi:http/types@0.2.0" "[resource-drop]fields" (func $drop_fields (param i32)))
  (import "wasi:io/streams@0.2.0" "[method]output-stream.blocking-write-and-flush" (func $write (param i32 i32 i32 i32)))
  (import "wasi:io/streams@0.2.0" "[resource-drop]output-stream" (func $drop_stream (param i32)))
  (memory (export "memory") 1)
  (global $heap (mut i32) (i32.const 4096))
  (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32)
    (local $p i32)
    (local.set $p (i32.and (i32.add (global.get $heap) (i32.const 7)) (i32.const -8)))
    (global.set $heap (i32.add (local.get $p) (local.get 3)))
    (local.get $p))
  (data (i32.const 16) "content-type")
  (data (i32.const 32) "text/plain")
  (data (i32.const 48) "hello from wat\n")
  (data (i32.const 64) "bad name")
  (data (i32.const 80) "a\nb")
  (data (i32.const 96) "connection")
  (data (i32.const 112) "x-ok")
  (data (i32.const 128) "partial")
  ;; append's outcome as a digit: 0 ok, else 1 + the header-error case.
  (func $outcome (result i32)
    (if (result i32) (i32.load8_u (i32.const 1024))
      (then (i32.add (i32.const 49) (i32.load8_u (i32.const 1025))))
      (else (i32.const 48))))
  ;; start: a response with headers h and its body's stream, the response set.
  (func $start (param $out i32) (param $h i32) (result i32 i32)
    (local $resp i32) (local $body i32)
    (local.set $resp (call $resp_new (local.get $h)))
    (call $resp_body (local.get $resp) (i32.const 1024))
    (local.set $body (i32.load (i32.const 1028)))
    (call $body_write (local.get $body) (i32.const 1024))
    (call $set (local.get $out) (i32.const 0) (local.get $resp) (i32.const 0) (i64.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0))
    (local.get $body) (i32.load (i32.const 1028)))
  (func $finish (param $body i32) (param $s i32)
    (call $drop_stream (local.get $s))
    (call $body_finish (local.get $body) (i32.const 0) (i32.const 0) (i32.const 1024)))
  (func (export "wasi:http/incoming-handler@0.2.0#handle") (param $req i32) (param $out i32)
    (local $h i32) (local $body i32) (local $s i32) (local $hh i32) (local $resp i32)
    %s)
)`

// miniModes are the handle bodies of the hand-written proxies.
var miniModes = map[string]string{
	// hello answers 200 "hello from wat\n" as text/plain.
	"hello": `
    (call $drop_req (local.get $req))
    (local.set $h (call $fields_new))
    (call $append (local.get $h) (i32.const 16) (i32.const 12) (i32.const 32) (i32.const 10) (i32.const 1024))
    (call $start (local.get $out) (local.get $h))
    (local.set $s) (local.set $body)
    (call $write (local.get $s) (i32.const 48) (i32.const 15) (i32.const 1024))
    (call $finish (local.get $body) (local.get $s))`,
	// spin never returns.
	"spin": `(loop $l (br $l))`,
	// informational answers with status 103, which cannot end a request.
	"informational": `
    (local.set $resp (call $resp_new (call $fields_new)))
    (drop (call $set_status (local.get $resp) (i32.const 103)))
    (call $set (local.get $out) (i32.const 0) (local.get $resp) (i32.const 0) (i64.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0))`,
	// noresponse returns without setting the response-outparam.
	"noresponse": `(call $drop_req (local.get $req))`,
	// trap sends the status and part of the body, then traps.
	"trap": `
    (call $start (local.get $out) (call $fields_new))
    (local.set $s) (local.set $body)
    (call $write (local.get $s) (i32.const 128) (i32.const 7) (i32.const 1024))
    unreachable`,
	// headers answers with the outcomes of four appends: an invalid name,
	// an invalid value, a forbidden name, and a name appended to the
	// immutable headers of a response.
	"headers": `
    (local.set $h (call $fields_new))
    (call $append (local.get $h) (i32.const 64) (i32.const 8) (i32.const 32) (i32.const 10) (i32.const 1024))
    (i32.store8 (i32.const 200) (call $outcome))
    (call $append (local.get $h) (i32.const 112) (i32.const 4) (i32.const 80) (i32.const 3) (i32.const 1024))
    (i32.store8 (i32.const 201) (call $outcome))
    (call $append (local.get $h) (i32.const 96) (i32.const 10) (i32.const 32) (i32.const 10) (i32.const 1024))
    (i32.store8 (i32.const 202) (call $outcome))
    (local.set $resp (call $resp_new (local.get $h)))
    (local.set $hh (call $resp_headers (local.get $resp)))
    (call $append (local.get $hh) (i32.const 112) (i32.const 4) (i32.const 32) (i32.const 10) (i32.const 1024))
    (i32.store8 (i32.const 203) (call $outcome))
    (call $drop_fields (local.get $hh))
    (call $resp_body (local.get $resp) (i32.const 1024))
    (local.set $body (i32.load (i32.const 1028)))
    (call $body_write (local.get $body) (i32.const 1024))
    (local.set $s (i32.load (i32.const 1028)))
    (call $set (local.get $out) (i32.const 0) (local.get $resp) (i32.const 0) (i64.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0))
    (call $write (local.get $s) (i32.const 200) (i32.const 4) (i32.const 1024))
    (call $finish (local.get $body) (local.get $s))`,
}

// miniProxy assembles the proxy of mode and makes it a component with
// wasmcm's own embed and new, against wasi:http 0.2.0 from the corpus.
func miniProxy(t testing.TB, mode string) string {
	t.Helper()
	wasiDir := testutil.Shared(t, "conformance/wasi/0.2.0")
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "world.wit"), []byte(miniWorld), 0o644)
	for _, p := range []string{"cli", "io", "clocks", "random", "filesystem", "sockets", "http"} {
		files, _ := filepath.Glob(filepath.Join(wasiDir, p, "*.wit"))
		os.MkdirAll(filepath.Join(dir, "deps", p), 0o755)
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			os.WriteFile(filepath.Join(dir, "deps", p, filepath.Base(f)), b, 0o644)
		}
	}
	r, pkgs, err := wit.Load(dir, wit.Options{})
	if err != nil {
		t.Fatal(err)
	}
	world, err := r.SelectWorld(pkgs, "mini")
	if err != nil {
		t.Fatal(err)
	}
	core, err := wat.Parse(mode+".wat", []byte(fmt.Sprintf(miniCore, miniModes[mode])))
	if err != nil {
		t.Fatal(err)
	}
	emb, err := component.Embed(core, r, world, canon.UTF8)
	if err != nil {
		t.Fatal(err)
	}
	comp, err := component.New(emb, component.NewOptions{})
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, mode+".component.wasm")
	if err := os.WriteFile(out, comp, 0o644); err != nil {
		t.Fatal(err)
	}
	return out
}
