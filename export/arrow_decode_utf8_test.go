package export

import (
	"bytes"
	"math/rand/v2"
	"strings"
	"testing"
	"unicode/utf8"
)

// checkWide checks validUTF8Wide against utf8.Valid, where the processor
// has the fast path.
func checkWide(t *testing.T, b []byte) {
	t.Helper()
	valid, ok := validUTF8Wide(b)
	if ok && valid != utf8.Valid(b) {
		t.Fatalf("validUTF8Wide(% x) = %v, utf8.Valid says %v", b, valid, utf8.Valid(b))
	}
}

// TestValidUTF8Wide checks the 32-byte path of validUTF8 as TestValidUTF8
// checks the scalar one, with each short sequence placed at every offset
// across the edges of a block and of its two halves.
func TestValidUTF8Wide(t *testing.T) {
	if _, ok := validUTF8Wide(nil); !ok {
		t.Skip("no wide path on this processor")
	}
	// Prefixes of every length up to past a block, ASCII or Hangul.
	prefixes := [][]byte{nil}
	for n := 1; n <= 36; n++ {
		prefixes = append(prefixes, []byte(strings.Repeat("a", n)), []byte(strings.Repeat("가", n/3)+strings.Repeat("a", n%3)))
	}
	seqs := [][]byte{}
	for i := range 1 << 16 {
		if i < 256 {
			seqs = append(seqs, []byte{byte(i)})
		}
		seqs = append(seqs, []byte{byte(i), byte(i >> 8)})
	}
	edges := []byte{0x00, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xff}
	for lead := range 256 {
		for _, c1 := range edges {
			for _, c2 := range edges {
				seqs = append(seqs, []byte{byte(lead), c1, c2})
				for _, c3 := range edges {
					seqs = append(seqs, []byte{byte(lead), c1, c2, c3})
				}
			}
		}
	}
	r := rand.New(rand.NewPCG(3, 4))
	var buf []byte
	for _, s := range seqs {
		checkWide(t, s)
		// A few placements of each, and for the sequences that start
		// with a lead byte every one that puts it across the edge of a
		// half block.
		for k, p := range prefixes {
			across := len(p)%16 >= 12 || len(p)%16 == 0
			if (s[0] < 0xc0 || !across) && k%7 != r.IntN(7) {
				continue
			}
			buf = append(append(buf[:0], p...), s...)
			checkWide(t, buf)
			buf = append(buf, "가a"...)
			checkWide(t, buf)
		}
	}
	words := []string{"drone", "무인기", "беспилотник", "🛰️", "e\u0301", " ", "a", "\u07ff", "\uffff", "\U0010ffff"}
	for range 300 {
		var b strings.Builder
		for b.Len() < 40+r.IntN(400) {
			b.WriteString(words[r.IntN(len(words))])
		}
		text := []byte(b.String())
		checkWide(t, text)
		for cut := range len(text) + 1 {
			checkWide(t, text[:cut])
			checkWide(t, text[cut:])
		}
		bad := bytes.Clone(text)
		bad[r.IntN(len(bad))] ^= byte(1 << r.IntN(8))
		checkWide(t, bad)
	}
}

func FuzzValidUTF8Wide(f *testing.F) {
	f.Add([]byte("북한 무인기 drone беспилотник"))
	f.Add([]byte(strings.Repeat("가", 30) + "\xed\xa0\x80"))
	f.Add([]byte(strings.Repeat("a", 31) + "\xf4\x8f\xbf\xbf"))
	f.Fuzz(checkWide)
}
