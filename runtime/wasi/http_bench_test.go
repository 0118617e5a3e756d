package wasi_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/wasmcm/wasmcm/runtime"
	"github.com/wasmcm/wasmcm/runtime/wasi"
)

// BenchmarkHTTPServe is requests to a hello-world proxy over loopback HTTP
// with keep-alive, one client at a time (ns/op is the latency) and from
// parallel clients, on wasmcm's HTTPHandler and on wasmtime serve in the
// same run when wasmtime is present. Proxies: the hand-written one (wat)
// and componentize-js's (js, a 12 MB JS engine instantiated per request).
func BenchmarkHTTPServe(b *testing.B) {
	guests := []struct {
		name string
		path func(testing.TB) string
		url  string
	}{
		{"wat", func(t testing.TB) string { return miniProxy(t, "hello") }, "/"},
		{"js", httpGuest, "/hello"},
	}
	for _, g := range guests {
		b.Run(g.name, func(b *testing.B) {
			comp := g.path(b)
			h, err := wasi.NewHTTPHandler(compile(b, comp), wasi.Config{})
			if err != nil {
				b.Fatal(err)
			}
			srv := httptest.NewServer(h)
			defer srv.Close()
			pre, err := wasi.NewHTTPHandler(compile(b, comp), wasi.Config{})
			if err != nil {
				b.Fatal(err)
			}
			pre.Prewarm = 2
			defer pre.Close()
			preSrv := httptest.NewServer(pre)
			defer preSrv.Close()
			hosts := []struct{ name, base string }{{"wasmcm", srv.URL}, {"wasmcm-prewarm", preSrv.URL}}
			if testing.Short() {
				b.Skip("skipped in -short")
			}
			hosts = append(hosts, struct{ name, base string }{"wasmtime", ""})
			for _, host := range hosts {
				b.Run(host.name, func(b *testing.B) {
					base := host.base
					if base == "" {
						base = wasmtimeServe(b, comp)
					}
					benchRequests(b, base+g.url)
				})
			}
		})
	}
}

func benchRequests(b *testing.B, url string) {
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 16}}
	get := func() {
		resp, err := client.Get(url)
		if err != nil {
			b.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			b.Fatalf("status %d", resp.StatusCode)
		}
	}
	get() // warm: the first request compiles or connects
	b.Run("serial", func(b *testing.B) {
		start := time.Now()
		for b.Loop() {
			get()
		}
		b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "req/s")
	})
	b.Run("idle", func(b *testing.B) {
		// A request now and then, after 10 ms with nothing to do: the
		// latency a lightly loaded server shows (ns/op counts only the
		// requests).
		var busy time.Duration
		for b.Loop() {
			b.StopTimer()
			time.Sleep(10 * time.Millisecond)
			b.StartTimer()
			start := time.Now()
			get()
			busy += time.Since(start)
		}
		b.ReportMetric(float64(busy.Microseconds())/float64(b.N), "µs/req")
	})
	b.Run("parallel", func(b *testing.B) {
		b.SetParallelism(2)
		start := time.Now()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				get()
			}
		})
		b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "req/s")
	})
}

// BenchmarkHTTPInstantiate is the per-request instantiation cost of the
// handler: a Linker with the WASI host, instantiate, close.
func BenchmarkHTTPInstantiate(b *testing.B) {
	for _, g := range []struct {
		name string
		path func(testing.TB) string
	}{
		{"wat", func(t testing.TB) string { return miniProxy(t, "hello") }},
		{"js", httpGuest},
	} {
		b.Run(g.name, func(b *testing.B) {
			c := compile(b, g.path(b))
			ctx := context.Background()
			defer cpuMetric(b)()
			for b.Loop() {
				l := runtime.NewLinker()
				h, err := wasi.Add(l, wasi.Config{})
				if err != nil {
					b.Fatal(err)
				}
				inst, err := c.Instantiate(ctx, l)
				if err != nil {
					b.Fatal(err)
				}
				inst.Close(ctx)
				h.Close()
			}
		})
	}
}
