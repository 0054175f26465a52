//go:build amd64 && !purego

package export

import (
	"unsafe"

	"golang.org/x/sys/cpu"
)

// hasAVX2 says whether validUTF8 can use utf8BlocksAVX2.
var hasAVX2 = cpu.X86.HasAVX2

// utf8BlocksAVX2 reports whether the blocks of 32 bytes at p, then the 32
// bytes of tail, are valid UTF-8 (with AVX2).
//
//go:noescape
func utf8BlocksAVX2(p *byte, blocks int, tail *[32]byte) bool

// validUTF8Wide reports whether b is valid UTF-8, as utf8.Valid does, 32
// bytes at a time. It returns ok false when the processor lacks AVX2.
func validUTF8Wide(b []byte) (valid, ok bool) {
	if !hasAVX2 {
		return false, false
	}
	// The bytes after the last whole block, then zeros: zeros are ASCII,
	// so they neither hide an error nor make one, but the first of them
	// shows a sequence that b cuts short.
	var tail [32]byte
	k := len(b) &^ 31
	copy(tail[:], b[k:])
	return utf8BlocksAVX2(unsafe.SliceData(b), k/32, &tail), true
}
