package export

import (
	"fmt"
	"testing"

	"github.com/sourced-dev/sourced/timeline"
)

// BenchmarkArrowFloor measures what any Arrow writer or reader of these
// events must do at the least, so that the Arrow benchmarks' rates can be
// read against it on the same machine in the same run:
//
//   - write: copy every string of each event into a batch's buffer (reused,
//     8192 events a batch), and nothing else: no offsets, dates, bitmaps
//     or counts.
//   - read: for each batch, allocate a fresh buffer for its text (the
//     events' strings must outlive the batch), copy the text in (as a read
//     of the file does) and check that it is UTF-8 (as a reader of untrusted
//     files must), and nothing else: no events built.
func BenchmarkArrowFloor(b *testing.B) {
	for _, n := range benchSizes {
		_, events := arrowBenchEvents(n)
		b.Run(fmt.Sprintf("write/%d", n), func(b *testing.B) {
			var buf []byte
			rate := startRate(n)
			for b.Loop() {
				for i := range events {
					if i%DefaultBatchSize == 0 {
						buf = buf[:0]
					}
					buf = appendEventText(buf, &events[i])
				}
			}
			rate.report(b)
		})
		// The batches' text, as a reader finds it in the file.
		var batches [][]byte
		for i := 0; i < len(events); i += DefaultBatchSize {
			var text []byte
			for j := i; j < min(i+DefaultBatchSize, len(events)); j++ {
				text = appendEventText(text, &events[j])
			}
			batches = append(batches, text)
		}
		b.Run(fmt.Sprintf("read/%d", n), func(b *testing.B) {
			rate := startRate(n)
			for b.Loop() {
				for _, text := range batches {
					body := make([]byte, len(text))
					copy(body, text)
					if !validUTF8(body) {
						b.Fatal("not UTF-8")
					}
				}
			}
			rate.report(b)
		})
	}
}

// appendEventText appends every string of e, as an Arrow batch holds them.
func appendEventText(dst []byte, e *timeline.Event) []byte {
	dst = append(dst, e.ID...)
	dst = append(dst, e.Title...)
	dst = append(dst, e.Summary...)
	dst = append(dst, e.Place.Name...)
	for _, a := range e.Actors {
		dst = append(dst, a.Name...)
		dst = append(dst, a.Role...)
	}
	for _, t := range e.Tags {
		dst = append(dst, t...)
	}
	for _, r := range e.Related {
		dst = append(dst, r...)
	}
	dst = append(dst, e.Notes...)
	for i := range e.Sources {
		s := &e.Sources[i]
		dst = append(dst, s.Publisher...)
		dst = append(dst, s.Kind...)
		dst = append(dst, s.Via...)
		dst = append(dst, s.Title...)
		dst = append(dst, s.URL...)
		dst = append(dst, s.Language...)
		dst = append(dst, s.Quote...)
	}
	return dst
}
