package export

import (
	"bytes"
	"context"
	"slices"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/ipc"
	"github.com/sourced-dev/sourced/timeline"
)

// BenchmarkDecodeArrow measures the decoder alone: the batches of a file
// are loaded before the timer starts, and each round decodes every event
// of them, as ReadArrow does with the buffers of its own allocator.
func BenchmarkDecodeArrow(b *testing.B) {
	const n = 10_000
	meta, events := arrowBenchEvents(n)
	var f memFile
	if err := WriteArrow(context.Background(), &f, meta, slices.Values(events), ArrowOptions{}); err != nil {
		b.Fatal(err)
	}
	fr, err := ipc.NewFileReader(bytes.NewReader(f.data))
	if err != nil {
		b.Fatal(err)
	}
	var recs []arrow.Record
	for i := range fr.NumRecords() {
		rec, err := fr.RecordAt(i)
		if err != nil {
			b.Fatal(err)
		}
		recs = append(recs, rec)
	}
	d, err := newEventDecoder(arrowInput{format: "arrow"}, fr.Schema())
	if err != nil {
		b.Fatal(err)
	}
	d.share = func([]byte) {}
	b.ReportAllocs()
	rate := startRate(n)
	for b.Loop() {
		got, row := 0, 0
		for i, rec := range recs {
			k, ok := d.yieldBatch(rec, i, row, func(e timeline.Event, err error) bool {
				if err != nil {
					b.Fatal(err)
				}
				got++
				return true
			})
			if !ok {
				b.Fatal("stopped")
			}
			row += k
		}
		if got != n {
			b.Fatal(got)
		}
	}
	rate.report(b)
}
