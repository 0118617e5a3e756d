package component

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/wasmcm/wasmcm/internal/testutil"
)

// cpuTime is the CPU time the process has used, in nanoseconds: on a
// shared machine a steadier measure than wall time.
func cpuTime() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}

// largestComponent returns the largest component binary of the corpora.
func largestComponent(b *testing.B) ([]byte, string) {
	root := testutil.Shared(b, "conformance")
	var best []byte
	var name string
	for _, pat := range []string{"wast-bin/*/*/*/*.wasm", "wast-bin/*/*/*/*/*.wasm", "wit-component/components/*/component.wasm", "wit-component/interfaces/*.wasm"} {
		files, _ := filepath.Glob(filepath.Join(root, pat))
		for _, p := range files {
			data, err := os.ReadFile(p)
			if err == nil && IsComponent(data) && len(data) > len(best) {
				best, name = data, p
			}
		}
	}
	if best == nil {
		b.Skip("no component in the corpora")
	}
	return best, name
}

func BenchmarkDecode(b *testing.B) {
	data, name := largestComponent(b)
	b.Logf("%s: %d bytes", filepath.Base(filepath.Dir(name))+"/"+filepath.Base(name), len(data))
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	start := cpuTime()
	for b.Loop() {
		if _, err := Decode(data); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(data))*float64(b.N)/time.Duration(cpuTime()-start).Seconds()/1e6, "cpu-MB/s")
}

func BenchmarkEncode(b *testing.B) {
	data, _ := largestComponent(b)
	c, err := Decode(data)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		c.Encode()
	}
}

// jsComponent returns the largest component cached under .cache/guests/,
// which the runtime/wasi tests build from testdata/guests/js with
// componentize-js (about 12 MB, most of it the JS engine's core module).
func jsComponent(b *testing.B) ([]byte, string) {
	files, _ := filepath.Glob(filepath.Join(testutil.RepoRoot(b), ".cache", "guests", "*", "guest.component.wasm"))
	var best []byte
	var name string
	for _, p := range files {
		data, err := os.ReadFile(p)
		if err == nil && IsComponent(data) && len(data) > len(best) {
			best, name = data, p
		}
	}
	if len(best) < 5<<20 {
		b.Skip("skipped: no componentize-js component (5 MB or more) cached under .cache/guests; the runtime/wasi tests build one when componentize-js is installed")
	}
	return best, name
}

// componentLevelBytes counts the bytes of b that are not core module
// bodies: what Decode and Validate parse in full (of a core module they
// read only the types, imports and exports, skipping code and data).
func componentLevelBytes(c *Component, total int) int {
	n := total
	var walk func(c *Component)
	walk = func(c *Component) {
		for _, s := range c.Sections {
			switch s := s.(type) {
			case *CoreModuleSection:
				n -= len(s.Bytes)
			case *ComponentSection:
				walk(s.Component)
			}
		}
	}
	walk(c)
	return n
}

// BenchmarkDecodeValidate decodes and validates the largest component of
// the corpora and a componentize-js component. MB/s counts every byte of
// the file; component-MB/s counts only the component-level bytes (the
// core modules' bodies, skipped by design, left out).
func BenchmarkDecodeValidate(b *testing.B) {
	for _, tc := range []struct {
		name string
		get  func(*testing.B) ([]byte, string)
	}{{"corpus-largest", largestComponent}, {"componentize-js", jsComponent}} {
		b.Run(tc.name, func(b *testing.B) {
			data, name := tc.get(b)
			c, err := Decode(data)
			if err != nil {
				b.Fatal(err)
			}
			level := componentLevelBytes(c, len(data))
			b.Logf("%s: %d bytes, %d at the component level", filepath.Base(filepath.Dir(name))+"/"+filepath.Base(name), len(data), level)
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			start := cpuTime()
			for b.Loop() {
				c, err := Decode(data)
				if err != nil {
					b.Fatal(err)
				}
				if err := Validate(c, AllFeatures); err != nil {
					b.Fatal(err)
				}
			}
			// The machine is shared: CPU time says more than wall time.
			cpu := time.Duration(cpuTime() - start).Seconds()
			b.ReportMetric(float64(len(data))*float64(b.N)/cpu/1e6, "cpu-MB/s")
			b.ReportMetric(float64(level)*float64(b.N)/cpu/1e6, "component-cpu-MB/s")
		})
	}
}
