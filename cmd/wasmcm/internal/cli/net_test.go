package cli

import (
	"fmt"
	goio "io"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/wasmcm/wasmcm/internal/testutil"
	"github.com/wasmcm/wasmcm/runtime/wasi"
)

// TestNetworkGrants: run and serve grant wasi:sockets only through their
// network flags, read by the shared grant.
func TestNetworkGrants(t *testing.T) {
	parse := func(args ...string) (wasi.Config, error) {
		var nf netFlags
		cmd := &cobra.Command{}
		nf.register(cmd)
		if err := cmd.ParseFlags(args); err != nil {
			return wasi.Config{}, err
		}
		var cfg wasi.Config
		err := grant(&cfg, nil, nil, &nf)
		return cfg, err
	}
	cfg, err := parse()
	if err != nil || cfg.Network.AllowTCP || cfg.Network.AllowUDP || cfg.Network.AllowNameLookup || len(cfg.Network.AllowedAddrs) != 0 {
		t.Fatalf("no flags granted %+v (%v)", cfg.Network, err)
	}
	cfg, _ = parse("--inherit-network")
	if !cfg.Network.AllowTCP || !cfg.Network.AllowUDP || cfg.Network.AllowNameLookup {
		t.Fatalf("--inherit-network: %+v", cfg.Network)
	}
	cfg, _ = parse("--allow-addr", "127.0.0.1:8080", "--allow-addr", "[::1]:1-2", "--udp=false", "--allow-ip-name-lookup")
	n := cfg.Network
	if !n.AllowTCP || n.AllowUDP || !n.AllowNameLookup || len(n.AllowedAddrs) != 2 ||
		!n.AllowedAddrs[0].Admits(netip.MustParseAddrPort("127.0.0.1:8080")) ||
		n.AllowedAddrs[0].Admits(netip.MustParseAddrPort("127.0.0.1:8081")) {
		t.Fatalf("--allow-addr: %+v", n)
	}
	if _, err := parse("--allow-addr", "example.com:80"); err == nil || !strings.Contains(err.Error(), "--allow-addr") {
		t.Fatalf("a host name as --allow-addr: %v", err)
	}
}

// tcpClientWIT and tcpClientWAT are a minimal wasi:sockets 0.2.0 client:
// tcp-echo connects to 127.0.0.1:port, sends "hi", and returns what comes
// back, or on failure 'A' plus the step and 'a' plus the error-code.
const tcpClientWIT = `package wasmcm:tcp-client;

world client {
  import wasi:io/poll@0.2.0;
  import wasi:io/streams@0.2.0;
  import wasi:sockets/instance-network@0.2.0;
  import wasi:sockets/tcp-create-socket@0.2.0;
  import wasi:sockets/tcp@0.2.0;
  export tcp-echo: func(port: u16) -> string;
}
`

const tcpClientWAT = `(module
  (import "wasi:sockets/instance-network@0.2.0" "instance-network" (func $network (result i32)))
  (import "wasi:sockets/tcp-create-socket@0.2.0" "create-tcp-socket" (func $create (param i32 i32)))
  (import "wasi:sockets/tcp@0.2.0" "[method]tcp-socket.start-connect"
    (func $start_connect (param i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32)))
  (import "wasi:sockets/tcp@0.2.0" "[method]tcp-socket.subscribe" (func $subscribe (param i32) (result i32)))
  (import "wasi:sockets/tcp@0.2.0" "[method]tcp-socket.finish-connect" (func $finish_connect (param i32 i32)))
  (import "wasi:io/poll@0.2.0" "[method]pollable.block" (func $block (param i32)))
  (import "wasi:io/streams@0.2.0" "[method]output-stream.blocking-write-and-flush" (func $write (param i32 i32 i32 i32)))
  (import "wasi:io/streams@0.2.0" "[method]input-stream.blocking-read" (func $read (param i32 i64 i32)))
  (memory (export "memory") 1)
  (global $heap (mut i32) (i32.const 8192))
  (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32)
    (local $p i32)
    (local.set $p (i32.and (i32.add (global.get $heap) (i32.const 7)) (i32.const -8)))
    (global.set $heap (i32.add (local.get $p) (local.get 3)))
    (local.get $p))
  (data (i32.const 16) "hi")
  (func $fail (param $step i32) (param $at i32) (result i32)
    (i32.store8 (i32.const 3008) (i32.add (i32.const 65) (local.get $step)))
    (i32.store8 (i32.const 3009) (i32.add (i32.const 97) (i32.load8_u (i32.add (i32.const 1024) (local.get $at)))))
    (i32.store (i32.const 3000) (i32.const 3008))
    (i32.store (i32.const 3004) (i32.const 2))
    (i32.const 3000))
  (func $failed (result i32) (i32.load8_u (i32.const 1024)))
  (func (export "tcp-echo") (param $port i32) (result i32)
    (local $s i32) (local $in i32)
    (call $create (i32.const 0) (i32.const 1024))
    (if (call $failed) (then (return (call $fail (i32.const 0) (i32.const 4)))))
    (local.set $s (i32.load (i32.const 1028)))
    (call $start_connect (local.get $s) (call $network)
      (i32.const 0) (local.get $port) (i32.const 127) (i32.const 0) (i32.const 0) (i32.const 1)
      (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0)
      (i32.const 1024))
    (if (call $failed) (then (return (call $fail (i32.const 1) (i32.const 1)))))
    (call $block (call $subscribe (local.get $s)))
    (call $finish_connect (local.get $s) (i32.const 1024))
    (if (call $failed) (then (return (call $fail (i32.const 2) (i32.const 4)))))
    (local.set $in (i32.load (i32.const 1028)))
    (call $write (i32.load (i32.const 1032)) (i32.const 16) (i32.const 2) (i32.const 1024))
    (call $read (local.get $in) (i64.const 64) (i32.const 1024))
    (if (call $failed) (then (return (call $fail (i32.const 4) (i32.const 4)))))
    (i32.store (i32.const 3000) (i32.load (i32.const 1028)))
    (i32.store (i32.const 3004) (i32.load (i32.const 1032)))
    (i32.const 3000))
)`

// TestRunNetworkFlags builds the client with the CLI (parse, component
// embed, component new) and runs it against a Go echo server: refused at
// create without flags, at connect with another address allowed, echoed
// with --allow-addr or --inherit-network.
func TestRunNetworkFlags(t *testing.T) {
	wasiDir := testutil.Shared(t, "conformance/wasi/0.2.0")
	dir := t.TempDir()
	witDir := filepath.Join(dir, "wit")
	os.MkdirAll(witDir, 0o755)
	os.WriteFile(filepath.Join(witDir, "world.wit"), []byte(tcpClientWIT), 0o644)
	for _, p := range []string{"io", "clocks", "sockets"} {
		files, _ := filepath.Glob(filepath.Join(wasiDir, p, "*.wit"))
		os.MkdirAll(filepath.Join(witDir, "deps", p), 0o755)
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			os.WriteFile(filepath.Join(witDir, "deps", p, filepath.Base(f)), b, 0o644)
		}
	}
	watPath := filepath.Join(dir, "client.wat")
	os.WriteFile(watPath, []byte(tcpClientWAT), 0o644)
	core, emb, comp := filepath.Join(dir, "client.wasm"), filepath.Join(dir, "emb.wasm"), filepath.Join(dir, "comp.wasm")
	for _, args := range [][]string{
		{"parse", watPath, "-o", core},
		{"component", "embed", "--world", "client", witDir, core, "-o", emb},
		{"component", "new", emb, "-o", comp},
	} {
		if code, _, errs := run(t, "", args...); code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, errs)
		}
	}
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() { goio.Copy(c, c); c.Close() }()
		}
	}()
	port := ln.Addr().(*net.TCPAddr).Port
	invoke := fmt.Sprintf("tcp-echo(%d)", port)
	for _, c := range []struct {
		flags []string
		want  string
	}{
		{nil, `"Ab"`}, // create: access-denied
		{[]string{"--allow-addr", "127.0.0.1:1"}, `"Bb"`}, // connect: access-denied
		{[]string{"--allow-addr", fmt.Sprintf("127.0.0.1:%d", port)}, `"hi"`},
		{[]string{"--inherit-network"}, `"hi"`},
		{[]string{"--inherit-network", "--tcp=false"}, `"Ab"`},
	} {
		args := append(append([]string{"run"}, c.flags...), "--invoke", invoke, comp)
		code, out, errs := run(t, "", args...)
		if code != 0 || strings.TrimSpace(out) != c.want {
			t.Errorf("%v: exit %d, %q (%s), want %s", c.flags, code, out, errs, c.want)
		}
	}
}
