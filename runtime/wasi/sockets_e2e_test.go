package wasi_test

import (
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wasmcm/wasmcm/canon"
	"github.com/wasmcm/wasmcm/component"
	"github.com/wasmcm/wasmcm/internal/testutil"
	"github.com/wasmcm/wasmcm/internal/wat"
	"github.com/wasmcm/wasmcm/runtime"
	"github.com/wasmcm/wasmcm/runtime/wasi"
	"github.com/wasmcm/wasmcm/wit"
)

// echoWorld is the world of the hand-written socket client: wasi:sockets
// 0.2.0, the oldest, so that the semver matching to the host's 0.2.12
// definitions is tested too.
const echoWorld = `package wasmcm:sock-echo;

world echo {
  import wasi:io/poll@0.2.0;
  import wasi:io/streams@0.2.0;
  import wasi:sockets/instance-network@0.2.0;
  import wasi:sockets/tcp-create-socket@0.2.0;
  import wasi:sockets/tcp@0.2.0;
  import wasi:sockets/udp-create-socket@0.2.0;
  import wasi:sockets/udp@0.2.0;
  export tcp-echo: func(port: u16) -> string;
  export udp-echo: func(port: u16) -> string;
  export misuse: func() -> string;
  export wait-accept: func();
}
`

// echoCore sends "hello tcp" or "hello udp" to 127.0.0.1:port and returns
// what comes back. A failing step returns two letters: 'A' plus the step,
// 'a' plus the error-code case. Memory: messages at 16 and 32, the return
// area at 1024, an outgoing-datagram at 2048, the result string at 3000.
const echoCore = `(module
  (import "wasi:sockets/instance-network@0.2.0" "instance-network" (func $network (result i32)))
  (import "wasi:sockets/tcp-create-socket@0.2.0" "create-tcp-socket" (func $create_tcp (param i32 i32)))
  (import "wasi:sockets/tcp@0.2.0" "[method]tcp-socket.start-connect"
    (func $start_connect (param i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32)))
  (import "wasi:sockets/tcp@0.2.0" "[method]tcp-socket.subscribe" (func $tcp_subscribe (param i32) (result i32)))
  (import "wasi:sockets/tcp@0.2.0" "[method]tcp-socket.finish-connect" (func $finish_connect (param i32 i32)))
  (import "wasi:io/poll@0.2.0" "[method]pollable.block" (func $block (param i32)))
  (import "wasi:io/streams@0.2.0" "[method]output-stream.blocking-write-and-flush" (func $write (param i32 i32 i32 i32)))
  (import "wasi:io/streams@0.2.0" "[method]input-stream.blocking-read" (func $read (param i32 i64 i32)))
  (import "wasi:sockets/udp-create-socket@0.2.0" "create-udp-socket" (func $create_udp (param i32 i32)))
  (import "wasi:sockets/udp@0.2.0" "[method]udp-socket.start-bind"
    (func $udp_bind (param i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32)))
  (import "wasi:sockets/udp@0.2.0" "[method]udp-socket.finish-bind" (func $udp_finish_bind (param i32 i32)))
  (import "wasi:sockets/udp@0.2.0" "[method]udp-socket.stream"
    (func $udp_stream (param i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32)))
  (import "wasi:sockets/udp@0.2.0" "[method]outgoing-datagram-stream.check-send" (func $check_send (param i32 i32)))
  (import "wasi:sockets/udp@0.2.0" "[method]outgoing-datagram-stream.send" (func $send (param i32 i32 i32 i32)))
  (import "wasi:sockets/udp@0.2.0" "[method]incoming-datagram-stream.subscribe" (func $in_subscribe (param i32) (result i32)))
  (import "wasi:sockets/udp@0.2.0" "[method]incoming-datagram-stream.receive" (func $receive (param i32 i64 i32)))
  (import "wasi:sockets/tcp@0.2.0" "[method]tcp-socket.start-bind"
    (func $tcp_bind (param i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32)))
  (import "wasi:sockets/tcp@0.2.0" "[method]tcp-socket.finish-bind" (func $tcp_finish_bind (param i32 i32)))
  (import "wasi:sockets/tcp@0.2.0" "[method]tcp-socket.start-listen" (func $start_listen (param i32 i32)))
  (import "wasi:sockets/tcp@0.2.0" "[method]tcp-socket.finish-listen" (func $finish_listen (param i32 i32)))
  (import "wasi:sockets/tcp@0.2.0" "[method]tcp-socket.accept" (func $accept (param i32 i32)))
  (import "wasi:sockets/tcp@0.2.0" "[method]tcp-socket.local-address" (func $local_address (param i32 i32)))
  (import "wasi:sockets/tcp@0.2.0" "[method]tcp-socket.remote-address" (func $remote_address (param i32 i32)))
  (import "wasi:sockets/tcp@0.2.0" "[method]tcp-socket.shutdown" (func $shutdown (param i32 i32 i32)))
  (import "wasi:sockets/tcp@0.2.0" "[method]tcp-socket.set-hop-limit" (func $set_hop_limit (param i32 i32 i32)))
  (import "wasi:sockets/tcp@0.2.0" "[method]tcp-socket.set-receive-buffer-size" (func $set_recv_buf (param i32 i64 i32)))
  (import "wasi:sockets/tcp@0.2.0" "[method]tcp-socket.set-listen-backlog-size" (func $set_backlog (param i32 i64 i32)))
  (memory (export "memory") 1)
  (global $heap (mut i32) (i32.const 8192))
  (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32)
    (local $p i32)
    (local.set $p (i32.and (i32.add (global.get $heap) (i32.const 7)) (i32.const -8)))
    (global.set $heap (i32.add (local.get $p) (local.get 3)))
    (local.get $p))
  (data (i32.const 16) "hello tcp")
  (data (i32.const 32) "hello udp")
  ;; $fail's $at is where the result's error payload is: 1 after a u8
  ;; case for result<_, error-code>, 4 or 8 when the ok payload is wider.
  (func $fail (param $step i32) (param $at i32) (result i32)
    (i32.store8 (i32.const 3008) (i32.add (i32.const 65) (local.get $step)))
    (i32.store8 (i32.const 3009) (i32.add (i32.const 97) (i32.load8_u (i32.add (i32.const 1024) (local.get $at)))))
    (i32.store (i32.const 3000) (i32.const 3008))
    (i32.store (i32.const 3004) (i32.const 2))
    (i32.const 3000))
  (func $failed (result i32) (i32.load8_u (i32.const 1024)))
  (func $string (param $ptr i32) (param $len i32) (result i32)
    (i32.store (i32.const 3000) (local.get $ptr))
    (i32.store (i32.const 3004) (local.get $len))
    (i32.const 3000))
  ;; misuse records one letter per call: '.' for ok, else 'a' plus the
  ;; error-code, read at $at past the return area.
  (global $cursor (mut i32) (i32.const 3100))
  (func $put (param $at i32)
    (i32.store8 (global.get $cursor)
      (if (result i32) (call $failed)
        (then (i32.add (i32.const 97) (i32.load8_u (i32.add (i32.const 1024) (local.get $at)))))
        (else (i32.const 46))))
    (global.set $cursor (i32.add (global.get $cursor) (i32.const 1))))
  (func $loopback (param $s i32) (param $port i32) (param $f i32)
    (call_indirect (type $addrfn) (local.get $s) (call $network)
      (i32.const 0) (local.get $port) (i32.const 127) (i32.const 0) (i32.const 0) (i32.const 1)
      (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0)
      (i32.const 1024) (local.get $f)))
  (type $addrfn (func (param i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32)))
  (table 3 funcref)
  (elem (i32.const 0) $tcp_bind $start_connect $udp_bind)
  (func (export "misuse") (result i32)
    (local $s i32) (local $t i32) (local $u i32) (local $port i32)
    (call $create_tcp (i32.const 0) (i32.const 1024))
    (local.set $s (i32.load (i32.const 1028)))
    (call $tcp_finish_bind (local.get $s) (i32.const 1024)) (call $put (i32.const 1))
    (call $finish_connect (local.get $s) (i32.const 1024)) (call $put (i32.const 4))
    (call $finish_listen (local.get $s) (i32.const 1024)) (call $put (i32.const 1))
    (call $start_listen (local.get $s) (i32.const 1024)) (call $put (i32.const 1))
    (call $local_address (local.get $s) (i32.const 1024)) (call $put (i32.const 4))
    (call $loopback (local.get $s) (i32.const 0) (i32.const 0)) (call $put (i32.const 1))
    (call $loopback (local.get $s) (i32.const 0) (i32.const 0)) (call $put (i32.const 1))
    (call $start_listen (local.get $s) (i32.const 1024)) (call $put (i32.const 1))
    (call $tcp_finish_bind (local.get $s) (i32.const 1024)) (call $put (i32.const 1))
    (call $tcp_finish_bind (local.get $s) (i32.const 1024)) (call $put (i32.const 1))
    (call $start_listen (local.get $s) (i32.const 1024)) (call $put (i32.const 1))
    (call $start_listen (local.get $s) (i32.const 1024)) (call $put (i32.const 1))
    (call $finish_listen (local.get $s) (i32.const 1024)) (call $put (i32.const 1))
    (call $loopback (local.get $s) (i32.const 1) (i32.const 1)) (call $put (i32.const 1))
    (call $accept (local.get $s) (i32.const 1024)) (call $put (i32.const 4))
    (call $remote_address (local.get $s) (i32.const 1024)) (call $put (i32.const 4))
    (call $create_tcp (i32.const 0) (i32.const 1024))
    (local.set $t (i32.load (i32.const 1028)))
    (call $loopback (local.get $t) (i32.const 0) (i32.const 1)) (call $put (i32.const 1))
    (call $shutdown (local.get $t) (i32.const 2) (i32.const 1024)) (call $put (i32.const 1))
    (call $set_hop_limit (local.get $t) (i32.const 0) (i32.const 1024)) (call $put (i32.const 1))
    (call $set_recv_buf (local.get $t) (i64.const 0) (i32.const 1024)) (call $put (i32.const 1))
    (call $create_udp (i32.const 0) (i32.const 1024))
    (local.set $u (i32.load (i32.const 1028)))
    (call $udp_finish_bind (local.get $u) (i32.const 1024)) (call $put (i32.const 1))
    (call $udp_stream (local.get $u)
      (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0)
      (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0)
      (i32.const 1024)) (call $put (i32.const 4))
    (call $loopback (local.get $u) (i32.const 0) (i32.const 2)) (call $put (i32.const 1))
    (call $loopback (local.get $u) (i32.const 0) (i32.const 2)) (call $put (i32.const 1))
    ;; a socket bound first connects to the listener s
    (call $create_tcp (i32.const 0) (i32.const 1024))
    (local.set $t (i32.load (i32.const 1028)))
    (call $local_address (local.get $s) (i32.const 1024))
    (local.set $port (i32.load16_u (i32.const 1032)))
    (call $loopback (local.get $t) (i32.const 0) (i32.const 0)) (call $put (i32.const 1))
    (call $tcp_finish_bind (local.get $t) (i32.const 1024)) (call $put (i32.const 1))
    (call $loopback (local.get $t) (local.get $port) (i32.const 1)) (call $put (i32.const 1))
    (call $loopback (local.get $t) (local.get $port) (i32.const 1)) (call $put (i32.const 1))
    (call $block (call $tcp_subscribe (local.get $t)))
    (call $finish_connect (local.get $t) (i32.const 1024)) (call $put (i32.const 4))
    (call $finish_connect (local.get $t) (i32.const 1024)) (call $put (i32.const 4))
    (call $loopback (local.get $t) (local.get $port) (i32.const 1)) (call $put (i32.const 1))
    (call $loopback (local.get $t) (i32.const 0) (i32.const 0)) (call $put (i32.const 1))
    (call $start_listen (local.get $t) (i32.const 1024)) (call $put (i32.const 1))
    (call $set_backlog (local.get $t) (i64.const 8) (i32.const 1024)) (call $put (i32.const 1))
    (call $remote_address (local.get $t) (i32.const 1024)) (call $put (i32.const 4))
    (call $shutdown (local.get $t) (i32.const 1) (i32.const 1024)) (call $put (i32.const 1))
    ;; a refused connect leaves its socket closed
    (call $create_tcp (i32.const 0) (i32.const 1024))
    (local.set $t (i32.load (i32.const 1028)))
    (call $loopback (local.get $t) (i32.const 1) (i32.const 1)) (call $put (i32.const 1))
    (call $block (call $tcp_subscribe (local.get $t)))
    (call $finish_connect (local.get $t) (i32.const 1024)) (call $put (i32.const 4))
    (call $loopback (local.get $t) (i32.const 1) (i32.const 1)) (call $put (i32.const 1))
    ;; udp: bound, streams to port 0 refused, unconnected sends need an address
    (call $udp_finish_bind (local.get $u) (i32.const 1024)) (call $put (i32.const 1))
    (call $udp_stream (local.get $u)
      (i32.const 1) (i32.const 0) (i32.const 0) (i32.const 127) (i32.const 0) (i32.const 0) (i32.const 1)
      (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0)
      (i32.const 1024)) (call $put (i32.const 4))
    (call $udp_stream (local.get $u)
      (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0)
      (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0)
      (i32.const 1024)) (call $put (i32.const 4))
    (local.set $t (i32.load (i32.const 1032)))
    (call $check_send (local.get $t) (i32.const 1024)) (call $put (i32.const 8))
    (i32.store (i32.const 2048) (i32.const 16))
    (i32.store (i32.const 2052) (i32.const 2))
    (i32.store8 (i32.const 2056) (i32.const 0))
    (call $send (local.get $t) (i32.const 2048) (i32.const 1) (i32.const 1024)) (call $put (i32.const 8))
    (call $string (i32.const 3100) (i32.sub (global.get $cursor) (i32.const 3100))))
  ;; wait-accept listens and waits for a connection that never comes.
  (func (export "wait-accept")
    (local $s i32)
    (call $create_tcp (i32.const 0) (i32.const 1024))
    (local.set $s (i32.load (i32.const 1028)))
    (call $loopback (local.get $s) (i32.const 0) (i32.const 0))
    (call $tcp_finish_bind (local.get $s) (i32.const 1024))
    (call $start_listen (local.get $s) (i32.const 1024))
    (call $finish_listen (local.get $s) (i32.const 1024))
    (call $block (call $tcp_subscribe (local.get $s))))
  (func (export "tcp-echo") (param $port i32) (result i32)
    (local $net i32) (local $s i32) (local $in i32) (local $out i32)
    (local.set $net (call $network))
    (call $create_tcp (i32.const 0) (i32.const 1024))
    (if (call $failed) (then (return (call $fail (i32.const 0) (i32.const 4)))))
    (local.set $s (i32.load (i32.const 1028)))
    (call $start_connect (local.get $s) (local.get $net)
      (i32.const 0) (local.get $port) (i32.const 127) (i32.const 0) (i32.const 0) (i32.const 1)
      (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0)
      (i32.const 1024))
    (if (call $failed) (then (return (call $fail (i32.const 1) (i32.const 1)))))
    (call $block (call $tcp_subscribe (local.get $s)))
    (call $finish_connect (local.get $s) (i32.const 1024))
    (if (call $failed) (then (return (call $fail (i32.const 2) (i32.const 4)))))
    (local.set $in (i32.load (i32.const 1028)))
    (local.set $out (i32.load (i32.const 1032)))
    (call $write (local.get $out) (i32.const 16) (i32.const 9) (i32.const 1024))
    (if (call $failed) (then (return (call $fail (i32.const 3) (i32.const 4)))))
    (call $read (local.get $in) (i64.const 64) (i32.const 1024))
    (if (call $failed) (then (return (call $fail (i32.const 4) (i32.const 4)))))
    (call $string (i32.load (i32.const 1028)) (i32.load (i32.const 1032))))
  (func (export "udp-echo") (param $port i32) (result i32)
    (local $net i32) (local $s i32) (local $in i32) (local $out i32)
    (local.set $net (call $network))
    (call $create_udp (i32.const 0) (i32.const 1024))
    (if (call $failed) (then (return (call $fail (i32.const 0) (i32.const 4)))))
    (local.set $s (i32.load (i32.const 1028)))
    (call $udp_bind (local.get $s) (local.get $net)
      (i32.const 0) (i32.const 0) (i32.const 127) (i32.const 0) (i32.const 0) (i32.const 1)
      (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0)
      (i32.const 1024))
    (if (call $failed) (then (return (call $fail (i32.const 1) (i32.const 1)))))
    (call $udp_finish_bind (local.get $s) (i32.const 1024))
    (if (call $failed) (then (return (call $fail (i32.const 2) (i32.const 1)))))
    ;; stream(some(127.0.0.1:port))
    (call $udp_stream (local.get $s)
      (i32.const 1) (i32.const 0) (local.get $port) (i32.const 127) (i32.const 0) (i32.const 0) (i32.const 1)
      (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0)
      (i32.const 1024))
    (if (call $failed) (then (return (call $fail (i32.const 3) (i32.const 4)))))
    (local.set $in (i32.load (i32.const 1028)))
    (local.set $out (i32.load (i32.const 1032)))
    (call $check_send (local.get $out) (i32.const 1024))
    (if (call $failed) (then (return (call $fail (i32.const 4) (i32.const 8)))))
    ;; one outgoing-datagram {data: "hello udp", remote-address: none}
    (i32.store (i32.const 2048) (i32.const 32))
    (i32.store (i32.const 2052) (i32.const 9))
    (i32.store8 (i32.const 2056) (i32.const 0))
    (call $send (local.get $out) (i32.const 2048) (i32.const 1) (i32.const 1024))
    (if (call $failed) (then (return (call $fail (i32.const 5) (i32.const 8)))))
    (block $got
      (loop $wait
        (call $block (call $in_subscribe (local.get $in)))
        (call $receive (local.get $in) (i64.const 1) (i32.const 1024))
        (if (call $failed) (then (return (call $fail (i32.const 6) (i32.const 4)))))
        (br_if $got (i32.load (i32.const 1032)))
        (br $wait)))
    ;; the first incoming-datagram's data
    (call $string (i32.load (i32.load (i32.const 1028))) (i32.load offset=4 (i32.load (i32.const 1028)))))
)`

// echoComponent makes the client a component with wasmcm's own embed and
// new, against wasi 0.2.0 from the corpus.
func echoComponent(t testing.TB) string {
	t.Helper()
	wasiDir := testutil.Shared(t, "conformance/wasi/0.2.0")
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "world.wit"), []byte(echoWorld), 0o644)
	for _, p := range []string{"io", "clocks", "sockets"} {
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
	world, err := r.SelectWorld(pkgs, "echo")
	if err != nil {
		t.Fatal(err)
	}
	core, err := wat.Parse("echo.wat", []byte(echoCore))
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
	out := filepath.Join(dir, "echo.component.wasm")
	if err := os.WriteFile(out, comp, 0o644); err != nil {
		t.Fatal(err)
	}
	return out
}

// echoServers starts a TCP and a UDP echo server on 127.0.0.1.
func echoServers(t testing.TB) (tcpPort, udpPort int) {
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() { io.Copy(c, c); c.Close() }()
		}
	}()
	pc, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pc.Close() })
	go func() {
		buf := make([]byte, 2048)
		for {
			n, from, err := pc.ReadFrom(buf)
			if err != nil {
				return
			}
			pc.WriteTo(buf[:n], from)
		}
	}()
	return ln.Addr().(*net.TCPAddr).Port, pc.LocalAddr().(*net.UDPAddr).Port
}

// callEcho instantiates the client with cfg and calls fn(port).
func callEcho(t *testing.T, c *runtime.Compiled, cfg wasi.Config, fn string, port int) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	l := runtime.NewLinker()
	h, err := wasi.Add(l, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	inst, err := c.Instantiate(ctx, l)
	if err != nil {
		t.Fatal(err)
	}
	defer inst.Close(ctx)
	f, err := inst.Func(fn)
	if err != nil {
		t.Fatal(err)
	}
	var args []canon.Value
	if port > 0 {
		args = append(args, canon.U16(uint16(port)))
	}
	res, err := f.Call(ctx, args...)
	if err != nil {
		t.Fatalf("%s: %v", fn, err)
	}
	return res[0].String()
}

// TestSocketsEchoComponent: a hand-written component talks TCP and UDP
// to Go echo servers through wasi:sockets 0.2.0, and is refused
// (access-denied at connect, or at create with nothing granted) without
// the grants.
func TestSocketsEchoComponent(t *testing.T) {
	c := compile(t, echoComponent(t))
	tcpPort, udpPort := echoServers(t)
	lo, err := wasi.ParseAddrPattern("127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	granted := wasi.Config{Network: wasi.Network{AllowTCP: true, AllowUDP: true, AllowedAddrs: []wasi.AddrPattern{lo}}}
	if got := callEcho(t, c, granted, "tcp-echo", tcpPort); got != "hello tcp" {
		t.Errorf("tcp-echo: %q", got)
	}
	if got := callEcho(t, c, granted, "udp-echo", udpPort); got != "hello udp" {
		t.Errorf("udp-echo: %q", got)
	}
	// 'A'+step, 'a'+error-code: create (step 0) denied is "Ab", connect
	// (step 1) denied "Bb", stream (step 3) denied "Db".
	if got := callEcho(t, c, wasi.Config{}, "tcp-echo", tcpPort); got != "Ab" {
		t.Errorf("tcp-echo with nothing granted: %q, want Ab (create: access-denied)", got)
	}
	other, _ := wasi.ParseAddrPattern("127.0.0.1:1")
	onlyPort1 := wasi.Config{Network: wasi.Network{AllowTCP: true, AllowUDP: true, AllowedAddrs: []wasi.AddrPattern{other}}}
	if got := callEcho(t, c, onlyPort1, "tcp-echo", tcpPort); got != "Bb" {
		t.Errorf("tcp-echo to an address not granted: %q, want Bb (connect: access-denied)", got)
	}
	// The ephemeral bind is the client's local end, allowed; the peer is
	// not granted.
	if got := callEcho(t, c, onlyPort1, "udp-echo", udpPort); got != "Db" {
		t.Errorf("udp-echo to an address not granted: %q, want Db (stream: access-denied)", got)
	}
}

// TestSocketsEchoWasmtime runs the same component under wasmtime with
// -S inherit-network, the reference host, and expects the same answers,
// the misuse codes included.
func TestSocketsEchoWasmtime(t *testing.T) {
	bin, err := exec.LookPath("wasmtime")
	if err != nil {
		t.Skip("skipped: wasmtime is absent (the reference host this test compares with)")
	}
	comp := echoComponent(t)
	tcpPort, udpPort := echoServers(t)
	for _, c := range []struct {
		fn   string
		port int
		want string
	}{{"tcp-echo", tcpPort, "hello tcp"}, {"udp-echo", udpPort, "hello udp"}, {"misuse", 0, misuseWant}} {
		call := fmt.Sprintf("%s(%d)", c.fn, c.port)
		if c.port == 0 {
			call = c.fn + "()"
		}
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		out, err := exec.CommandContext(ctx, bin, "run", "-S", "inherit-network", "--invoke", call, comp).CombinedOutput()
		cancel()
		if err != nil {
			t.Fatalf("wasmtime %s: %v\n%s", c.fn, err, out)
		}
		if got := strings.TrimSpace(string(out)); got != fmt.Sprintf("%q", c.want) {
			t.Errorf("wasmtime %s: %s, want %q", c.fn, got, c.want)
		}
	}
}

// misuseWant is what the misuse export records, one letter per call:
// '.' for ok, else 'a' plus the error-code (h not-in-progress, j
// invalid-state, g concurrency-conflict, i would-block, d
// invalid-argument).
const misuseWant = "hhhjj" + // finish-bind, finish-connect, finish-listen, start-listen, local-address: unbound
	".gg" + // start-bind; start-bind again and start-listen while it is in progress
	".h" + // finish-bind; again
	".g." + // start-listen; again while in progress; finish-listen
	"jij" + // start-connect on a listener; accept with none waiting; remote-address
	"djdd" + // a new socket: connect to port 0, shutdown unconnected, hop limit 0, buffer size 0
	"hj.g" + // udp: finish-bind unbound, stream unbound, start-bind, start-bind again while in progress
	"...g" + // a socket: start-bind, finish-bind, start-connect to the listener, again while in progress
	".h" + // finish-connect; again
	"jjjj" + // connected: start-connect, start-bind, start-listen, set-listen-backlog-size
	".." + // remote-address, shutdown(send)
	".oj" + // another: start-connect to a closed port; finish-connect refused; start-connect on the closed socket
	".d." + // udp: finish-bind, stream to port 0, stream(none)
	".d" // check-send; send without an address on an unconnected stream

// TestSocketsMisuseComponent: the component's misuse of the two-phase
// state machines gets the WIT's error codes.
func TestSocketsMisuseComponent(t *testing.T) {
	c := compile(t, echoComponent(t))
	got := callEcho(t, c, wasi.Config{Network: wasi.InheritNetwork()}, "misuse", 0)
	if got != misuseWant {
		t.Errorf("misuse: %q, want %q", got, misuseWant)
	}
}

// TestSocketsDeadlineStopsGuest: a guest blocked waiting for a connection
// is stopped by its context's deadline.
func TestSocketsDeadlineStopsGuest(t *testing.T) {
	c := compile(t, echoComponent(t))
	l := runtime.NewLinker()
	h, err := wasi.Add(l, wasi.Config{Network: wasi.InheritNetwork()})
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	ctx := context.Background()
	inst, err := c.Instantiate(ctx, l)
	if err != nil {
		t.Fatal(err)
	}
	defer inst.Close(ctx)
	f, err := inst.Func("wait-accept")
	if err != nil {
		t.Fatal(err)
	}
	dctx, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err = f.Call(dctx)
	if err == nil || !strings.Contains(err.Error(), "deadline") {
		t.Fatalf("wait-accept: %v, want the deadline", err)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Fatalf("stopped after %v", d)
	}
}
