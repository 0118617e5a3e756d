package wasi

import (
	"context"
	"math/rand/v2"
	"net"
	"testing"
	"time"

	"github.com/wasmcm/wasmcm/canon"
	"github.com/wasmcm/wasmcm/runtime"
	"github.com/wasmcm/wasmcm/runtime/wasi/internal/host"
)

// TestSocketsRandomCalls drives random sequences of wasi:sockets calls,
// well-typed as a guest's would be but in any order and with any values,
// and checks that the host answers each with a value (an error-code at
// worst), never a Go error or a panic, and blocks nowhere.
func TestSocketsRandomCalls(t *testing.T) {
	ln := echoListener(t)
	udpSrv, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer udpSrv.Close()
	addrs := []canon.Value{
		addr(ln.Addr().String()), addr(udpSrv.LocalAddr().String()), addr("127.0.0.1:0"), addr("127.0.0.1:1"),
		addr("0.0.0.0:0"), addr("10.9.8.7:80"), addr("[::1]:0"), addr("[::1]:9"), addr("[::ffff:127.0.0.1]:80"),
	}
	nums := []uint64{0, 1, 2, 64, 255, 1 << 16, 1 << 32, 1<<64 - 1}
	for seed := range uint64(4) {
		rng := rand.New(rand.NewPCG(seed, 7))
		x := newSockHost(t, loopback())
		var tcps, udps, ins, outs []canon.Value
		pick := func(vs []canon.Value) (canon.Value, bool) {
			if len(vs) == 0 {
				return canon.Value{}, false
			}
			return vs[rng.IntN(len(vs))], true
		}
		call := func(iface, name string, args ...canon.Value) canon.Value {
			t.Helper()
			f := x.h.defs[iface+"#"+name].(runtime.HostFunc)
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			res, err := f(ctx, args)
			if err != nil {
				t.Fatalf("seed %d: %s: %v", seed, name, err)
			}
			if len(res) == 0 {
				return canon.Value{}
			}
			return res[0]
		}
		tcpMethods := []string{"finish-bind", "finish-connect", "start-listen", "finish-listen", "accept",
			"finish-bind", "finish-connect", "start-listen", "finish-listen", "accept",
			"local-address", "remote-address", "is-listening", "address-family", "keep-alive-enabled",
			"keep-alive-idle-time", "keep-alive-interval", "keep-alive-count", "hop-limit",
			"receive-buffer-size", "send-buffer-size"}
		tcpSetters := []string{"set-listen-backlog-size", "set-keep-alive-idle-time", "set-keep-alive-interval",
			"set-receive-buffer-size", "set-send-buffer-size"}
		for range 1500 {
			switch rng.IntN(12) {
			case 0:
				if len(tcps) >= 6 {
					continue
				}
				if r := call(ifTCPCreate, "create-tcp-socket", canon.Enum(uint32(rng.IntN(2)))); r.Case() == 0 {
					tcps = append(tcps, borrow(mustPayload(r)))
				}
			case 1:
				if len(udps) >= 4 {
					continue
				}
				if r := call(ifUDPCreate, "create-udp-socket", canon.Enum(uint32(rng.IntN(2)))); r.Case() == 0 {
					udps = append(udps, borrow(mustPayload(r)))
				}
			case 2:
				if s, ok := pick(tcps); ok {
					a, _ := pick(addrs)
					op := []string{"start-bind", "start-connect"}[rng.IntN(2)]
					call(ifTCP, "[method]tcp-socket."+op, s, x.net, a)
				}
			case 3:
				if s, ok := pick(tcps); ok {
					m := tcpMethods[rng.IntN(len(tcpMethods))]
					r := call(ifTCP, "[method]tcp-socket."+m, s)
					if m == "finish-connect" && r.Case() == 0 {
						p := mustPayload(r)
						ins, outs = append(ins, borrow(p.Index(0))), append(outs, borrow(p.Index(1)))
					}
					if m == "accept" && r.Case() == 0 {
						p := mustPayload(r)
						tcps = append(tcps, borrow(p.Index(0)))
						ins, outs = append(ins, borrow(p.Index(1))), append(outs, borrow(p.Index(2)))
					}
				}
			case 4:
				if s, ok := pick(tcps); ok {
					n := nums[rng.IntN(len(nums))]
					call(ifTCP, "[method]tcp-socket."+tcpSetters[rng.IntN(len(tcpSetters))], s, canon.U64(n))
					call(ifTCP, "[method]tcp-socket.set-hop-limit", s, canon.U8(uint8(n)))
					call(ifTCP, "[method]tcp-socket.set-keep-alive-count", s, canon.U32(uint32(n)))
					call(ifTCP, "[method]tcp-socket.set-keep-alive-enabled", s, canon.Bool(n&1 == 1))
				}
			case 5:
				if s, ok := pick(tcps); ok {
					call(ifTCP, "[method]tcp-socket.shutdown", s, canon.Enum(uint32(rng.IntN(3))))
				}
			case 6:
				if s, ok := pick(tcps); ok {
					// Wait a little for a connect or an accept to be ready.
					p := call(ifTCP, "[method]tcp-socket.subscribe", s)
					pl, _ := get[host.Pollable](x.h, p, "pollable")
					ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
					host.Block(ctx, pl)
					cancel()
					call(ifPoll, "[method]pollable.ready", borrow(p))
					x.h.drop(context.Background(), p.Handle())
				}
			case 7:
				if s, ok := pick(udps); ok {
					a, _ := pick(addrs)
					switch rng.IntN(3) {
					case 0:
						call(ifUDP, "[method]udp-socket.start-bind", s, x.net, a)
					case 1:
						call(ifUDP, "[method]udp-socket.finish-bind", s)
					case 2:
						remote := canon.None()
						if rng.IntN(2) == 0 {
							remote = canon.Some(a)
						}
						if r := call(ifUDP, "[method]udp-socket.stream", s, remote); r.Case() == 0 {
							p := mustPayload(r)
							ins, outs = append(ins, borrow(p.Index(0))), append(outs, borrow(p.Index(1)))
						}
					}
				}
			case 8:
				if s, ok := pick(udps); ok {
					for _, m := range []string{"local-address", "remote-address", "unicast-hop-limit", "receive-buffer-size"} {
						call(ifUDP, "[method]udp-socket."+m, s)
					}
					call(ifUDP, "[method]udp-socket.set-unicast-hop-limit", s, canon.U8(uint8(rng.IntN(3))))
				}
			case 9: // a datagram stream: send within the permit, receive
				if o, ok := pick(outs); ok {
					if _, isUDP := x.h.table.Get(o.Handle()).(*outgoingStream); isUDP {
						r := call(ifUDP, "[method]outgoing-datagram-stream.check-send", o)
						if r.Case() == 0 && mustPayload(r).Uint() > 0 {
							a, _ := pick(addrs)
							to := canon.None()
							if rng.IntN(2) == 0 {
								to = canon.Some(a)
							}
							call(ifUDP, "[method]outgoing-datagram-stream.send", o, canon.List(canon.Record(byteList([]byte("d")), to)))
						}
					}
				}
				if in, ok := pick(ins); ok {
					if _, isUDP := x.h.table.Get(in.Handle()).(*incomingStream); isUDP {
						call(ifUDP, "[method]incoming-datagram-stream.receive", in, canon.U64(nums[rng.IntN(len(nums))]))
					}
				}
			case 10: // drop something
				all := [][]canon.Value{tcps, udps, ins, outs}
				k := rng.IntN(len(all))
				if len(all[k]) > 0 {
					i := rng.IntN(len(all[k]))
					x.h.drop(context.Background(), all[k][i].Handle())
					all[k] = append(all[k][:i], all[k][i+1:]...)
					tcps, udps, ins, outs = all[0], all[1], all[2], all[3]
				}
			case 11:
				x.call(ifNameLookup, "resolve-addresses", x.net, canon.String([]string{"", "127.0.0.1", "x y"}[rng.IntN(3)]))
			}
		}
		x.h.reset()
	}
}
