package export

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"iter"
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourced-dev/sourced/seeds"
	"github.com/sourced-dev/sourced/timeline"
)

// numbered yields n events whose IDs count from 0, then err if it is not
// nil; it records how many it yielded and whether its consumer stopped it.
type numbered struct {
	n       int
	err     error
	yielded int
	stopped bool
}

func (s *numbered) seq(yield func(timeline.Event, error) bool) {
	for i := range s.n {
		s.yielded++
		if !yield(timeline.Event{ID: fmt.Sprintf("e%d", i)}, nil) {
			s.stopped = true
			return
		}
	}
	if s.err != nil {
		yield(timeline.Event{}, s.err)
	}
}

func TestReadAhead(t *testing.T) {
	errBroken := errors.New("broken at the end")
	for _, tc := range []struct {
		name  string
		n     int
		err   error
		depth int
	}{
		{"empty", 0, nil, 1024},
		{"one", 1, nil, 1024},
		{"a chunk exactly", readAheadChunk, nil, 1024},
		{"many chunks", 10*readAheadChunk + 7, nil, 1024},
		{"depth below a chunk", 3*readAheadChunk + 1, nil, 1},
		{"error only", 0, errBroken, 1024},
		{"error after a partial chunk", readAheadChunk + 5, errBroken, 1024},
		{"error after whole chunks", 2 * readAheadChunk, errBroken, 1024},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := &numbered{n: tc.n, err: tc.err}
			var got []string
			var gotErr error
			for e, err := range ReadAhead(src.seq, tc.depth) {
				if err != nil {
					gotErr = err
					continue
				}
				require.NoError(t, gotErr, "an event after the error")
				got = append(got, e.ID)
			}
			require.Len(t, got, tc.n)
			for i, id := range got {
				require.Equal(t, fmt.Sprintf("e%d", i), id, "order")
			}
			assert.Equal(t, tc.err, gotErr)
			assert.False(t, src.stopped)
		})
	}
}

func TestReadAheadStopsTheReader(t *testing.T) {
	before := runtime.NumGoroutine()
	for _, stopAt := range []int{0, 1, readAheadChunk - 1, readAheadChunk, 5*readAheadChunk + 3} {
		t.Run(fmt.Sprint(stopAt), func(t *testing.T) {
			src := &numbered{n: 100 * readAheadChunk}
			seen := 0
			for range ReadAhead(src.seq, 2*readAheadChunk) {
				if seen == stopAt {
					break
				}
				seen++
			}
			// The loop is over, so the reader's goroutine has ended: its
			// counters are safe to read (the race detector checks it) and
			// it stopped within a few chunks of the consumer.
			assert.True(t, src.stopped, "the reader was told to stop")
			assert.Less(t, src.yielded, stopAt+5*readAheadChunk, "the reader ran far ahead")
		})
	}
	// Polled here, not with assert.Eventually, which runs its condition on
	// a goroutine of its own.
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	assert.LessOrEqual(t, runtime.NumGoroutine(), before, "goroutines left running")
}

// A conversion through ReadAhead reads back what a direct read does.
func TestReadAheadCSVToArrow(t *testing.T) {
	meta := seeds.SyntheticMetadata(3000, seeds.SyntheticOptions{Seed: 7, Hostile: true})
	events := slices.Collect(seeds.Synthetic(3000, seeds.SyntheticOptions{Seed: 7, Hostile: true}))
	var ev, src bytes.Buffer
	require.NoError(t, WriteCSV(context.Background(), &ev, &src, slices.Values(events), CSVOptions{}))

	ctx, cancel := context.WithCancelCause(context.Background())
	defer cancel(nil)
	var f memFile
	read := ReadCSV(bytes.NewReader(ev.Bytes()), bytes.NewReader(src.Bytes()), CSVReadOptions{})
	require.NoError(t, WriteArrow(context.Background(), &f, meta, UntilError(ReadAhead(read, 1024), cancel), ArrowOptions{BatchSize: 500}))
	require.NoError(t, context.Cause(ctx))

	_, seq, err := ReadArrow(bytes.NewReader(f.data), ArrowReadOptions{})
	require.NoError(t, err)
	got, err := collect(seq)
	require.NoError(t, err)
	require.Equal(t, len(events), len(got))
	for i := range events {
		require.Equal(t, events[i], got[i], "event %d", i)
	}
}

// The error of a reader behind ReadAhead is still the reader's *ReadError.
func TestReadAheadKeepsReadErrors(t *testing.T) {
	bad := []byte("id,start\nnot a header we know\n")
	var seq iter.Seq2[timeline.Event, error] = ReadCSV(bytes.NewReader(bad), bytes.NewReader(nil), CSVReadOptions{EventsFile: "events.csv"})
	_, err := collect(ReadAhead(seq, 1024))
	var re *ReadError
	require.ErrorAs(t, err, &re)
	assert.Equal(t, "events.csv", re.File)
}
