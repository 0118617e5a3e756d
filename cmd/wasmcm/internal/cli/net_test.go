package cli

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/spf13/cobra"
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
