package export

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourced-dev/sourced/seeds"
	"github.com/sourced-dev/sourced/timeline"
)

// withAhead runs f with records scanned ahead after the given number of
// rows, in batches of the given size, on two cores at least.
func withAhead(after, batch int, f func()) {
	oldAfter, oldBatch := aheadAfter, aheadRecords
	aheadAfter, aheadRecords = after, batch
	if runtime.GOMAXPROCS(0) < 2 {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(2))
	}
	defer func() { aheadAfter, aheadRecords = oldAfter, oldBatch }()
	f()
}

// readOutcome is what a read gives, to compare one way of reading with
// another.
type readOutcome struct {
	events []timeline.Event
	err    string
	re     ReadError
}

func readBoth(ev, src []byte, opts CSVReadOptions, chunked bool) readOutcome {
	var evr, srcr io.Reader = bytes.NewReader(ev), bytes.NewReader(src)
	if chunked {
		evr, srcr = iotest.HalfReader(evr), iotest.OneByteReader(srcr)
	}
	events, err := readCSVBytesFrom(evr, srcr, opts)
	out := readOutcome{events: events}
	if err != nil {
		out.err = err.Error()
		var re *ReadError
		if errors.As(err, &re) {
			out.re = *re
			out.re.Err = nil
		}
	}
	return out
}

// TestReadCSVAheadSame reads intact and damaged files with every record
// scanned on the caller's goroutine and with records scanned ahead from
// several points on, in batches of several sizes: the events, and the
// first error with its file, row, line and column, are the same.
func TestReadCSVAheadSame(t *testing.T) {
	events := slices.Collect(seeds.Synthetic(120, seeds.SyntheticOptions{Seed: 11, Hostile: true}))
	events = append(events, csvEdgeEvents()...)
	r := rand.New(rand.NewPCG(3, 4))
	damage := []string{"\"", ",", "\n", "\r\n", "\xff", "\xe0\xa0", "x", "\"\"", "|", "\\", "'", ""}
	for _, opts := range []CSVOptions{{}, {BOM: true, RawText: true}} {
		ev, src := writeCSVBytes(t, events, opts)
		ropts := CSVReadOptions{RawText: opts.RawText, MaxFieldBytes: 3000}
		for trial := range 150 {
			ev2, src2 := slices.Clone(ev), slices.Clone(src)
			if trial > 0 {
				target := &ev2
				if r.IntN(2) == 0 {
					target = &src2
				}
				at := r.IntN(len(*target))
				switch r.IntN(3) {
				case 0: // insert
					*target = slices.Insert(*target, at, []byte(damage[r.IntN(len(damage))])...)
				case 1: // delete
					*target = slices.Delete(*target, at, min(at+1+r.IntN(3), len(*target)))
				default: // cut short
					*target = (*target)[:at]
				}
			}
			chunked := trial%5 == 1
			var want readOutcome
			withAhead(1<<62, 1, func() { want = readBoth(ev2, src2, ropts, chunked) })
			if trial == 0 {
				require.Empty(t, want.err)
				require.Equal(t, events, want.events)
			}
			for _, ahead := range [][2]int{{0, 1}, {1, 2}, {5, 3}, {40, 256}} {
				var got readOutcome
				withAhead(ahead[0], ahead[1], func() { got = readBoth(ev2, src2, ropts, chunked) })
				require.Equal(t, want, got, "trial %d, ahead after %d rows in batches of %d", trial, ahead[0], ahead[1])
			}
		}
	}
}

// TestReadCSVAheadLimits: a field beyond the limit or a read error met
// by a scanner that runs ahead is reported at its row, as without one.
func TestReadCSVAheadLimits(t *testing.T) {
	ev, src := writeCSVBytes(t, slices.Collect(seeds.Synthetic(50, seeds.SyntheticOptions{Seed: 2})), CSVOptions{})
	broken := errors.New("connection reset")
	withAhead(3, 2, func() {
		_, err := readCSVBytesFrom(bytes.NewReader(ev), io.MultiReader(bytes.NewReader(src[:len(src)/2]), &errReader{broken}), CSVReadOptions{})
		var re *ReadError
		require.ErrorAs(t, err, &re)
		assert.ErrorIs(t, err, broken)
		assert.Equal(t, "sources.csv", re.File)
		assert.Greater(t, re.Row, 3)

		_, err = readCSVBytes(ev, src, CSVReadOptions{MaxFieldBytes: 400})
		require.ErrorAs(t, err, &re)
		assert.ErrorIs(t, err, ErrLimit)
		assert.Equal(t, "summary", re.Column)
	})
}

// TestReadCSVAheadStops stops reading early, at an error or at the end:
// every goroutine that scanned ahead has ended when the loop is over.
func TestReadCSVAheadStops(t *testing.T) {
	events := slices.Collect(seeds.Synthetic(3000, seeds.SyntheticOptions{Seed: 5, Hostile: true}))
	ev, src := writeCSVBytes(t, events, CSVOptions{})
	bad := bytes.Replace(ev, []byte("\nev-2500,"), []byte("\nev-2500\","), 1)
	require.NotEqual(t, ev, bad)
	before := runtime.NumGoroutine()
	withAhead(10, 16, func() {
		for _, stopAt := range []int{0, 9, 10, 11, 100, 2999, 3000} {
			t.Run(fmt.Sprint(stopAt), func(t *testing.T) {
				n := 0
				for _, err := range ReadCSV(bytes.NewReader(ev), bytes.NewReader(src), CSVReadOptions{}) {
					require.NoError(t, err)
					if n == stopAt {
						break
					}
					n++
				}
				assert.Equal(t, min(stopAt, len(events)), n)
			})
		}
		got, err := readCSVBytes(bad, src, CSVReadOptions{})
		assert.ErrorIs(t, err, ErrCorrupt)
		assert.Len(t, got, 2500)
	})
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	assert.LessOrEqual(t, runtime.NumGoroutine(), before, "goroutines left running")
}

// TestReadCSVSplitInvalidUTF8: bytes that are valid UTF-8 only when the
// comma between two fields is left out are two invalid fields.
func TestReadCSVSplitInvalidUTF8(t *testing.T) {
	ev, src := writeCSVBytes(t, readErrBase(), CSVOptions{})
	ev = bytes.Replace(ev, []byte("Beta,,"), []byte("Beta\xe0\xa0,\x80,"), 1)
	_, err := readCSVBytes(ev, src, CSVReadOptions{})
	var re *ReadError
	require.ErrorAs(t, err, &re)
	assert.ErrorIs(t, err, ErrCorrupt)
	assert.Equal(t, "title", re.Column)
	assert.Contains(t, err.Error(), "not valid UTF-8")
}

// FuzzReadCSVAhead reads arbitrary pairs of files with and without
// scanning ahead, in batches of one and three records: the events and
// the first error are the same.
func FuzzReadCSVAhead(f *testing.F) {
	ev, src := writeCSVBytes(f, readErrBase(), CSVOptions{})
	f.Add(ev, src, false)
	ev, src = writeCSVBytes(f, csvEdgeEvents(), CSVOptions{BOM: true, RawText: true})
	f.Add(ev, src, true)
	f.Fuzz(func(t *testing.T, events, sources []byte, raw bool) {
		opts := CSVReadOptions{RawText: raw, MaxFieldBytes: 200, MaxColumns: 30}
		var want readOutcome
		withAhead(1<<62, 1, func() { want = readBoth(events, sources, opts, false) })
		for _, ahead := range [][2]int{{0, 1}, {1, 3}} {
			var got readOutcome
			withAhead(ahead[0], ahead[1], func() { got = readBoth(events, sources, opts, false) })
			if !equalEvents(want.events, got.events) || want.err != got.err || want.re != got.re {
				t.Fatalf("ahead after %d rows in batches of %d:\n%v\n%v", ahead[0], ahead[1], want.err, got.err)
			}
		}
	})
}

// Read-ahead holds a bounded amount of text: records of a megabyte each
// are handed over one batch at a time, however many the file holds.
func TestCSVAheadBound(t *testing.T) {
	var file bytes.Buffer
	big := bytes.Repeat([]byte("가"), (1<<20)/3)
	for range 12 {
		file.Write(big)
		file.WriteString(",x\n")
	}
	a := newCSVAhead(newCSVScanner(&file, 4<<20, 8))
	defer a.close()
	for i := range 12 {
		time.Sleep(20 * time.Millisecond) // time for the scanner to run ahead
		assert.LessOrEqual(t, len(a.batches), 1, "record %d: batches waiting", i)
		rec, _, err := a.next()
		require.NoError(t, err)
		assert.True(t, strings.HasPrefix(rec.text, string(big)+",x"), "record %d is whole", i)
	}
	_, _, err := a.next()
	assert.ErrorIs(t, err, io.EOF)
}
