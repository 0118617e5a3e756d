package wasi_test

import (
	"context"
	"io"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/imports/wasi_snapshot_preview1"

	"github.com/wasmcm/wasmcm/runtime"
	"github.com/wasmcm/wasmcm/runtime/wasi"
)

// BenchmarkStartupHello is startup to exit of the hello command component,
// compiled once: link, instantiate, run, close.
func BenchmarkStartupHello(b *testing.B) {
	g := rustGuest(b)
	c := compile(b, g.component)
	ctx := context.Background()
	b.ResetTimer()
	defer cpuMetric(b)()
	for b.Loop() {
		l := runtime.NewLinker()
		h, err := wasi.Add(l, wasi.Config{Args: []string{"guest", "hello"}, Stdout: io.Discard})
		if err != nil {
			b.Fatal(err)
		}
		inst, err := c.Instantiate(ctx, l)
		if err != nil {
			b.Fatal(err)
		}
		if code, err := wasi.Run(ctx, inst); code != 0 || err != nil {
			b.Fatal(code, err)
		}
		inst.Close(ctx)
		h.Close()
	}
}

// BenchmarkStartupHelloWasip1 is the same program as a raw wasip1 module on
// wazero's own wasi_snapshot_preview1 host: the bar the component is held to.
func BenchmarkStartupHelloWasip1(b *testing.B) {
	g := rustGuest(b)
	ctx := context.Background()
	r := wazero.NewRuntime(ctx)
	defer r.Close(ctx)
	wasi_snapshot_preview1.MustInstantiate(ctx, r)
	bin, err := os.ReadFile(g.core)
	if err != nil {
		b.Fatal(err)
	}
	m, err := r.CompileModule(ctx, bin)
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	defer cpuMetric(b)()
	for b.Loop() {
		mod, err := r.InstantiateModule(ctx, m, wazero.NewModuleConfig().WithName("").WithArgs("guest", "hello").WithStdout(io.Discard))
		if err != nil {
			b.Fatal(err)
		}
		mod.Close(ctx)
	}
}

// cpuMetric reports the process's CPU time per op (user and system, the
// garbage collector included): on a shared machine wall time mostly
// measures the other processes.
func cpuMetric(b *testing.B) func() {
	start := cpuTime()
	return func() {
		if b.N > 0 {
			b.ReportMetric(float64(cpuTime()-start)/float64(b.N), "cpu-ns/op")
		}
	}
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkStdoutThroughput is a guest writing 100 MiB to stdout in 64 KiB
// chunks; b.SetBytes makes the MB/s column the throughput.
func BenchmarkStdoutThroughput(b *testing.B) {
	g := rustGuest(b)
	c := compile(b, g.component)
	ctx := context.Background()
	b.SetBytes(100 << 20)
	b.ResetTimer()
	for b.Loop() {
		l := runtime.NewLinker()
		h, err := wasi.Add(l, wasi.Config{Args: []string{"guest", "write", "100"}, Stdout: io.Discard})
		if err != nil {
			b.Fatal(err)
		}
		inst, err := c.Instantiate(ctx, l)
		if err != nil {
			b.Fatal(err)
		}
		if code, err := wasi.Run(ctx, inst); code != 0 || err != nil {
			b.Fatal(code, err)
		}
		inst.Close(ctx)
		h.Close()
	}
}

// BenchmarkStdoutThroughputWasip1 is the same guest as a raw wasip1 module
// on wazero's host, for comparison.
func BenchmarkStdoutThroughputWasip1(b *testing.B) {
	g := rustGuest(b)
	ctx := context.Background()
	r := wazero.NewRuntime(ctx)
	defer r.Close(ctx)
	wasi_snapshot_preview1.MustInstantiate(ctx, r)
	bin, err := os.ReadFile(g.core)
	if err != nil {
		b.Fatal(err)
	}
	m, err := r.CompileModule(ctx, bin)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(100 << 20)
	b.ResetTimer()
	for b.Loop() {
		mod, err := r.InstantiateModule(ctx, m, wazero.NewModuleConfig().WithName("").WithArgs("guest", "write", "100").WithStdout(io.Discard))
		if err != nil {
			b.Fatal(err)
		}
		mod.Close(ctx)
	}
}
