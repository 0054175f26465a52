package export

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"iter"
	"slices"
	"testing"
	"time"

	"github.com/sourced-dev/sourced/seeds"
	"github.com/sourced-dev/sourced/timeline"
)

// The benchmarks run over deterministic synthetic events (seeds.Synthetic,
// not hostile), held in memory before the timer starts, and report
// events/s. Targets for Arrow: write >= 1M events/s, read >= 2M on one core
// (go test -bench Arrow -cpu 1).

var benchSizes = []int{10_000, 100_000}

var benchCache = map[int][]timeline.Event{}

func arrowBenchEvents(n int) (timeline.Metadata, []timeline.Event) {
	opts := seeds.SyntheticOptions{}
	if benchCache[n] == nil {
		benchCache[n] = slices.Collect(seeds.Synthetic(n, opts))
	}
	return seeds.SyntheticMetadata(n, opts), benchCache[n]
}

// eventRate measures a benchmark's events/s by the wall clock and by the
// CPU time the process used, which other work on a busy machine does not
// inflate (it includes the garbage collector's other threads).
type eventRate struct {
	n   int
	cpu time.Duration
}

// startRate is called just before the benchmark's loop.
func startRate(n int) eventRate { return eventRate{n, processCPU()} }

func (r eventRate) report(b *testing.B) {
	events := float64(r.n) * float64(b.N)
	b.ReportMetric(events/b.Elapsed().Seconds(), "events/s")
	if cpu := processCPU() - r.cpu; cpu > 0 {
		b.ReportMetric(events/cpu.Seconds(), "cpu-events/s")
	}
}

// discardSeeker is an io.WriteSeeker that keeps nothing.
type discardSeeker struct{ pos int64 }

func (d *discardSeeker) Write(p []byte) (int, error) { d.pos += int64(len(p)); return len(p), nil }
func (d *discardSeeker) Seek(off int64, whence int) (int64, error) {
	switch whence {
	case io.SeekStart:
		d.pos = off
	case io.SeekCurrent:
		d.pos += off
	}
	return d.pos, nil
}

func BenchmarkWriteArrow(b *testing.B) {
	run := func(b *testing.B, n int, comp Compression, events func() iter.Seq[timeline.Event]) {
		meta, _ := arrowBenchEvents(n)
		b.ReportAllocs()
		rate := startRate(n)
		var size int64
		for b.Loop() {
			var w discardSeeker
			if err := WriteArrow(context.Background(), &w, meta, events(), ArrowOptions{Compression: comp}); err != nil {
				b.Fatal(err)
			}
			size = w.pos
		}
		rate.report(b)
		b.ReportMetric(float64(size)/float64(n), "bytes/event")
	}
	for _, comp := range []Compression{CompressionNone, CompressionZstd, CompressionLZ4} {
		for _, n := range benchSizes {
			b.Run(fmt.Sprintf("%s/%d", comp, n), func(b *testing.B) {
				_, events := arrowBenchEvents(n)
				run(b, n, comp, func() iter.Seq[timeline.Event] { return slices.Values(events) })
			})
		}
	}
	// The runs above read every event's strings from all over a heap of
	// n events (165 MB at 10^5), and those cache misses cost as much as
	// the writer itself. Here the same number of events cycles through the
	// first 1000, which stay in cache, as events that a program has just
	// decoded or made would be: this is the writer's own cost.
	for _, n := range benchSizes {
		b.Run(fmt.Sprintf("none-cached/%d", n), func(b *testing.B) {
			_, events := arrowBenchEvents(n)
			hot := events[:min(len(events), 1000)]
			run(b, n, CompressionNone, func() iter.Seq[timeline.Event] {
				return func(yield func(timeline.Event) bool) {
					for i := range n {
						if !yield(hot[i%len(hot)]) {
							return
						}
					}
				}
			})
		})
	}
}

func BenchmarkReadArrow(b *testing.B) {
	for _, comp := range []Compression{CompressionNone, CompressionZstd} {
		for _, n := range benchSizes {
			b.Run(fmt.Sprintf("%s/%d", comp, n), func(b *testing.B) {
				meta, events := arrowBenchEvents(n)
				var f memFile
				if err := WriteArrow(context.Background(), &f, meta, slices.Values(events), ArrowOptions{Compression: comp}); err != nil {
					b.Fatal(err)
				}
				b.ReportAllocs()
				rate := startRate(n)
				for b.Loop() {
					_, seq, err := ReadArrow(bytes.NewReader(f.data), ArrowReadOptions{})
					if err != nil {
						b.Fatal(err)
					}
					if got, err := drainEvents(seq); err != nil || got != n {
						b.Fatal(got, err)
					}
				}
				rate.report(b)
			})
		}
	}
}

// BenchmarkReadArrowStream reads uncompressed streams (as N, the names of
// earlier results) and zstd ones (as zstd/N).
func BenchmarkReadArrowStream(b *testing.B) {
	for _, comp := range []Compression{CompressionNone, CompressionZstd} {
		for _, n := range benchSizes {
			name := fmt.Sprint(n)
			if comp != CompressionNone {
				name = fmt.Sprintf("%s/%d", comp, n)
			}
			b.Run(name, func(b *testing.B) {
				meta, events := arrowBenchEvents(n)
				var buf bytes.Buffer
				if err := WriteArrowStream(context.Background(), &buf, meta, slices.Values(events), ArrowOptions{Compression: comp}); err != nil {
					b.Fatal(err)
				}
				b.ReportAllocs()
				rate := startRate(n)
				for b.Loop() {
					_, seq, err := ReadArrowStream(bytes.NewReader(buf.Bytes()), ArrowReadOptions{})
					if err != nil {
						b.Fatal(err)
					}
					if got, err := drainEvents(seq); err != nil || got != n {
						b.Fatal(got, err)
					}
				}
				rate.report(b)
			})
		}
	}
}
