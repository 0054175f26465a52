package export

import (
	"bytes"
	"encoding/binary"
	"math/rand/v2"
	"runtime"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/ipc"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/sourced-dev/sourced/timeline"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestValidUTF8 checks validUTF8 against utf8.Valid: every sequence of one
// and two bytes, every lead byte with continuations at the edges of their
// ranges, and long mixed texts cut in every way, so that validUTF8's cut
// into two halves falls inside sequences and between them.
func TestValidUTF8(t *testing.T) {
	check := func(b []byte) {
		t.Helper()
		if validUTF8(b) != utf8.Valid(b) {
			t.Fatalf("validUTF8(% x) = %v, utf8.Valid says %v", b, validUTF8(b), utf8.Valid(b))
		}
	}
	for i := range 1 << 16 {
		check([]byte{byte(i)})
		check([]byte{byte(i), byte(i >> 8)})
	}
	edges := []byte{0x00, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xff}
	for lead := range 256 {
		for _, c1 := range edges {
			for _, c2 := range edges {
				check([]byte{byte(lead), c1, c2})
				for _, c3 := range edges {
					check([]byte{byte(lead), c1, c2, c3})
				}
			}
		}
	}
	words := []string{"drone", "무인기", "беспилотник", "🛰️", "e\u0301", " ", "a", "\u07ff", "\uffff", "\U0010ffff"}
	r := rand.New(rand.NewPCG(1, 2))
	for range 300 {
		var b strings.Builder
		for b.Len() < 40+r.IntN(400) {
			b.WriteString(words[r.IntN(len(words))])
		}
		text := []byte(b.String())
		check(text)
		for cut := range len(text) + 1 {
			check(text[:cut]) // a cut inside a sequence leaves it unfinished
			check(text[cut:])
		}
		bad := bytes.Clone(text)
		bad[r.IntN(len(bad))] ^= byte(1 << r.IntN(8))
		check(bad)
	}
	for _, s := range []string{"\xed\xa0\x80", "\xf4\x90\x80\x80", "\xc0\xaf", "\xe0\x80\xaf", "\xf0\x80\x80\xaf",
		strings.Repeat("a", 64) + "\xff", strings.Repeat("가", 40) + "\x80\x80\x80\x80" + strings.Repeat("가", 40)} {
		check([]byte(s))
	}
}

func FuzzValidUTF8(f *testing.F) {
	f.Add([]byte("북한 무인기 drone беспилотник"))
	f.Add([]byte(strings.Repeat("가", 30) + "\xed\xa0\x80"))
	f.Fuzz(func(t *testing.T, b []byte) {
		if validUTF8(b) != utf8.Valid(b) {
			t.Fatalf("validUTF8(% x) = %v", b, validUTF8(b))
		}
	})
}

// TestDayOf checks the table lookup of dayOf against the timeline's own
// arithmetic, for every date of every precision in and around the table's
// years, and at the ends of the years a Date holds.
func TestDayOf(t *testing.T) {
	table := monthStarts()
	years := []int{timeline.MinYear, 1, 4, 100, 400, timeline.MaxYear - 1, timeline.MaxYear}
	for y := monthTableFrom - 5; y <= monthTableTo+5; y++ {
		years = append(years, y)
	}
	for _, y := range years {
		var dates []timeline.Date
		d, err := timeline.YearOf(y)
		require.NoError(t, err)
		dates = append(dates, d)
		for m := time.January; m <= time.December; m++ {
			d, err := timeline.MonthOf(y, m)
			require.NoError(t, err)
			dates = append(dates, d)
			for day := 1; day <= 31; day++ {
				if d, err := timeline.DayOf(y, m, day); err == nil {
					dates = append(dates, d)
				}
			}
		}
		for _, d := range dates {
			if dayOf(table, d, false) != d.DaysSinceEpoch() || dayOf(table, d, true) != d.Last().DaysSinceEpoch() {
				t.Fatalf("dayOf(%s) = %d and %d (last), want %d and %d", d,
					dayOf(table, d, false), dayOf(table, d, true), d.DaysSinceEpoch(), d.Last().DaysSinceEpoch())
			}
		}
	}
}

// replaceColumn writes the records of the Arrow file data again, with
// column name of the first batch replaced by col, in format.
func replaceColumn(t *testing.T, format string, data []byte, name string, col arrow.Array) []byte {
	t.Helper()
	fr, err := ipc.NewFileReader(bytes.NewReader(data))
	require.NoError(t, err)
	defer fr.Close()
	rec, err := fr.Record(0)
	require.NoError(t, err)
	cols := rec.Columns()
	i := rec.Schema().FieldIndices(name)[0]
	cols = append(cols[:i:i], append([]arrow.Array{col}, cols[i+1:]...)...)
	edited := array.NewRecord(rec.Schema(), cols, rec.NumRows())
	defer edited.Release()

	var out memFile
	var w interface {
		Write(arrow.Record) error
		Close() error
	}
	if format == "arrow" {
		w, err = ipc.NewFileWriter(&out, ipc.WithSchema(rec.Schema()))
		require.NoError(t, err)
	} else {
		w = ipc.NewWriter(&out, ipc.WithSchema(rec.Schema()))
	}
	require.NoError(t, w.Write(edited))
	require.NoError(t, w.Close())
	return out.data
}

// utf8Column makes a utf8 array of the given bytes and offsets, which the
// writers take as they are.
func utf8Column(data string, offsets ...int32) arrow.Array {
	offs := make([]byte, 4*len(offsets))
	for i, o := range offsets {
		binary.LittleEndian.PutUint32(offs[4*i:], uint32(o))
	}
	buffers := []*memory.Buffer{nil, memory.NewBufferBytes(offs), memory.NewBufferBytes([]byte(data))}
	return array.MakeFromData(array.NewData(arrow.BinaryTypes.String, len(offsets)-1, buffers, nil, 0, 0))
}

// TestReadSplitRune checks that a text column is refused when a value
// begins inside a multibyte character, although the column's bytes end to
// end are valid UTF-8: validating each buffer once is exact only with that
// check beside it.
func TestReadSplitRune(t *testing.T) {
	events := arrowEdgeEvents()[:3]
	data := arrowEncode(t, arrowCodecs[0], CompressionNone, events, 0)
	for _, tc := range []struct {
		name string
		col  arrow.Array
		want error
		msg  string
	}{
		// "가" is EA B0 80: the second title starts at its second byte.
		{"split", utf8Column("가나다", 0, 1, 6, 9), ErrValue, "row 2: text that is not UTF-8"},
		{"split at the end", utf8Column("가나다", 0, 3, 6, 8), ErrValue, "row 3: text that is not UTF-8"},
		{"invalid byte", utf8Column("ab\xffc", 0, 1, 2, 4), ErrValue, "row 3: text that is not UTF-8"},
		{"surrogate", utf8Column("a\xed\xa0\x80b", 0, 1, 4, 5), ErrValue, "row 2: text that is not UTF-8"},
		{"offsets backwards", utf8Column("abcdef", 0, 4, 2, 6), ErrCorrupt, "row 2: text offsets out of order"},
	} {
		for _, format := range []string{"arrow", "arrow-stream"} {
			t.Run(tc.name+"/"+format, func(t *testing.T) {
				bad := replaceColumn(t, format, data, colTitle, tc.col)
				_, err := readAllOf(format, bad, ArrowReadOptions{File: "f"})
				re := assertReadError(t, err, format)
				require.NotNil(t, re)
				assert.ErrorIs(t, err, tc.want)
				assert.Equal(t, colTitle, re.Column)
				assert.Equal(t, 0, re.Batch)
				assert.ErrorContains(t, err, tc.msg)
			})
		}
	}
	// The same values with their boundaries at character starts read back.
	for _, format := range []string{"arrow", "arrow-stream"} {
		good := replaceColumn(t, format, data, colTitle, utf8Column("가나다", 0, 3, 6, 9))
		_, seq, err := readOf(format, good)
		require.NoError(t, err)
		got := collectEvents(t, seq)
		require.Len(t, got, 3)
		assert.Equal(t, []string{"가", "나", "다"}, []string{got[0].Title, got[1].Title, got[2].Title})
	}
}

func readOf(format string, data []byte) (timeline.Metadata, func(func(timeline.Event, error) bool), error) {
	if format == "arrow" {
		return ReadArrow(bytes.NewReader(data), ArrowReadOptions{})
	}
	return ReadArrowStream(bytes.NewReader(data), ArrowReadOptions{})
}

// TestReadSharesBuffers reads with Go's allocator, where events point into
// the batches' text buffers and the reader reuses the other buffers of
// earlier batches for later ones: events of the first batches must not
// change while the later ones are read, nor after a collection.
func TestReadSharesBuffers(t *testing.T) {
	_, synth := arrowSynthetic(3000)
	for _, c := range arrowCodecs[:2] {
		for _, comp := range c.compressions {
			t.Run(c.name+"/"+comp.String(), func(t *testing.T) {
				data := arrowEncode(t, c, comp, synth, 97)
				_, seq, err := c.read(data, nil)
				require.NoError(t, err)
				got := collectEvents(t, seq)
				runtime.GC()
				require.Len(t, got, len(synth))
				for i := range synth {
					require.Equal(t, synth[i], got[i], "event %d", i)
				}
			})
		}
	}
}

// TestReadEventsApart checks that appending to the lists of one event read
// back leaves its neighbours, which share the lists' backing arrays, alone.
func TestReadEventsApart(t *testing.T) {
	_, synth := arrowSynthetic(200)
	data := arrowEncode(t, arrowCodecs[0], CompressionNone, synth, 0)
	_, seq, err := ReadArrow(bytes.NewReader(data), ArrowReadOptions{})
	require.NoError(t, err)
	got := collectEvents(t, seq)
	for i := range got {
		got[i].Actors = append(got[i].Actors, timeline.Actor{Name: "appended"})
		got[i].Tags = append(got[i].Tags, "appended")
		got[i].Related = append(got[i].Related, "appended")
		got[i].Sources = append(got[i].Sources, timeline.Source{Publisher: "appended"})
	}
	for i := range got {
		assert.Equal(t, synth[i].Sources, dropLast(got[i].Sources), "event %d", i)
		assert.Equal(t, synth[i].Tags, dropLast(got[i].Tags), "event %d", i)
		assert.Equal(t, synth[i].Related, dropLast(got[i].Related), "event %d", i)
		assert.Equal(t, synth[i].Actors, dropLast(got[i].Actors), "event %d", i)
	}
}

// dropLast returns s without its last element, nil when that leaves none.
func dropLast[T any](s []T) []T {
	if len(s) <= 1 {
		return nil
	}
	return s[:len(s)-1]
}

// TestRecyclingAllocator checks the reuse rules: a freed buffer comes back
// for a request it fits, one that events share never does.
func TestRecyclingAllocator(t *testing.T) {
	a := &recyclingAllocator{}
	b := a.Allocate(100 << 10)
	require.Len(t, b, 100<<10)
	a.Free(b)
	again := a.Allocate(90 << 10)
	assert.Same(t, &b[0], &again[0], "a freed buffer is reused")
	assert.Len(t, again, 90<<10)

	a.share(again)
	a.Free(again)
	other := a.Allocate(90 << 10)
	assert.NotSame(t, &b[0], &other[0], "a shared buffer is not reused")

	grown := a.Reallocate(200<<10, other)
	assert.Len(t, grown, 200<<10)
	small := a.Allocate(64)
	assert.NotSame(t, &other[0], &small[0], "no buffer far too large for the request")
}
