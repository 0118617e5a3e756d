//go:build !(amd64 || arm64 || 386 || ppc64le)

package canon

import "encoding/binary"

func store64(b []byte, v uint64) { binary.LittleEndian.PutUint64(b, v) }

func store32(b []byte, v uint32) { binary.LittleEndian.PutUint32(b, v) }
