package export

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourced-dev/sourced/timeline"
)

// refTextSize is the bound of an event's text that append counts: the
// lengths of its strings, and eventTextExtra.
func refTextSize(e *timeline.Event) int {
	n := len(e.ID) + len(e.Title) + len(e.Summary) + len(e.Place.Name) + len(e.Notes) + eventTextExtra(e)
	for _, a := range e.Actors {
		n += len(a.Name) + len(a.Role)
	}
	for _, t := range e.Tags {
		n += len(t)
	}
	for _, r := range e.Related {
		n += len(r)
	}
	for _, s := range e.Sources {
		n += len(s.Publisher) + len(s.Kind) + len(s.Via) + len(s.Title) + len(s.URL) + len(s.Language) + len(s.Quote)
	}
	return n
}

// TestWriteBatchTextLimit lowers the batch text limit so that events
// overflow it: each refused event must be taken back out of its batch
// whole (offsets, text, bitmaps, null counts), so that the file is the
// same, byte for byte, as one whose batches end there by design.
func TestWriteBatchTextLimit(t *testing.T) {
	meta, events := arrowSynthetic(600)
	// Blank some fields so that refused events carry the batch's first
	// nulls, and nulls at every bit of a bitmap byte.
	for i := range events {
		e := &events[i]
		if i%3 == 0 {
			e.Summary = ""
		}
		if i%5 == 1 {
			e.Place = timeline.Place{}
		}
		if i%7 == 2 && len(e.Actors) > 0 {
			e.Actors[0].Role = ""
		}
	}
	limit := 0
	for i := range events {
		limit = max(limit, refTextSize(&events[i]))
	}
	limit += limit / 3 // one to three events a batch
	defer func(old int) { maxBatchText = old }(maxBatchText)
	maxBatchText = limit

	var got memFile
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	require.NoError(t, WriteArrow(context.Background(), &got, meta, slices.Values(events), ArrowOptions{Allocator: mem}))
	mem.AssertSize(t, 0)

	// The same batches, ended where the limit ends them.
	var want memFile
	rb := newReusingRecordBuilder(memory.NewGoAllocator(), arrowSchema(meta))
	w, err := newIPCWriter(&want, arrowSchema(meta), ArrowOptions{}, true)
	require.NoError(t, err)
	text, batches := 0, 0
	for i := range events {
		if size := refTextSize(&events[i]); text+size > limit {
			require.NoError(t, rb.flush(w.Write))
			text, batches = 0, batches+1
		}
		text += refTextSize(&events[i])
		require.NoError(t, rb.append(&events[i]))
	}
	require.NoError(t, rb.flush(w.Write))
	require.NoError(t, w.Close())
	rb.release()
	require.Greater(t, batches, 100)
	assert.True(t, bytes.Equal(want.data, got.data), "files differ")

	_, seq, err := ReadArrow(bytes.NewReader(got.data), ArrowReadOptions{})
	require.NoError(t, err)
	assert.Equal(t, events, collectEvents(t, seq))

	// An event that no batch can hold is refused, in a batch of its own
	// or after others.
	maxBatchText = refTextSize(&events[0]) - 1
	huge := events[2]
	huge.Summary = strings.Repeat("x", maxBatchText+1) // more than the buffers may grow to
	for _, evs := range [][]timeline.Event{events[:1], {events[1], events[0]}, {huge}, {events[1], huge}} {
		if refTextSize(&evs[0]) > maxBatchText {
			continue
		}
		err := WriteArrow(context.Background(), &memFile{}, meta, slices.Values(evs), ArrowOptions{})
		require.ErrorContains(t, err, "more than an Arrow batch can hold")
	}
}
