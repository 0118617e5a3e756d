package wasi

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wasmcm/wasmcm/internal/testutil"
	"github.com/wasmcm/wasmcm/wit"
)

// TestEveryHTTPVersionServed checks that the host defines every function
// and resource of wasi:http/types and wasi:http/outgoing-handler of every
// 0.2.x release (all feature gates on, so the unstable
// send-informational too), as TestEveryVersionServed does for the rest.
func TestEveryHTTPVersionServed(t *testing.T) {
	root := testutil.Shared(t, "conformance/wasi")
	served := hostServes(t)
	passed, total := 0, 0
	for minor := 0; minor <= 12; minor++ {
		ver := fmt.Sprintf("0.2.%d", minor)
		// Some releases kept the previous wasi:http (0.2.4 has 0.2.3's),
		// whose deps are of another version: each wasi:http once.
		proxy, err := os.ReadFile(filepath.Join(root, ver, "http", "proxy.wit"))
		if err != nil || !strings.Contains(string(proxy), "package wasi:http@"+ver+";") {
			continue
		}
		dir := assembleWIT(t, filepath.Join(root, ver), "http", "cli", "io", "clocks", "random", "filesystem", "sockets")
		r, w := loadWorld(t, dir, ver, "proxy")
		p, n := countServed(t, ver, r, w, served, func(pkg wit.PackageName) bool {
			return pkg.Namespace == "wasi" && pkg.Name == "http"
		})
		passed, total = passed+p, total+n
	}
	if total == 0 {
		t.Fatal("no wasi:http interfaces found in the corpus")
	}
	testutil.Conformance(t, "wasi-http-host-functions", passed, total)
}
