package export

import (
	"bytes"
	"fmt"
	"io"
	"slices"
	"testing"

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

func reportEventRate(b *testing.B, n int) {
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "events/s")
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
	for _, comp := range []Compression{CompressionNone, CompressionZstd, CompressionLZ4} {
		for _, n := range benchSizes {
			b.Run(fmt.Sprintf("%s/%d", comp, n), func(b *testing.B) {
				meta, events := arrowBenchEvents(n)
				b.ReportAllocs()
				var size int64
				for b.Loop() {
					var w discardSeeker
					if err := WriteArrow(&w, meta, slices.Values(events), ArrowOptions{Compression: comp}); err != nil {
						b.Fatal(err)
					}
					size = w.pos
				}
				reportEventRate(b, n)
				b.ReportMetric(float64(size)/float64(n), "bytes/event")
			})
		}
	}
}

func BenchmarkReadArrow(b *testing.B) {
	for _, comp := range []Compression{CompressionNone, CompressionZstd} {
		for _, n := range benchSizes {
			b.Run(fmt.Sprintf("%s/%d", comp, n), func(b *testing.B) {
				meta, events := arrowBenchEvents(n)
				var f memFile
				if err := WriteArrow(&f, meta, slices.Values(events), ArrowOptions{Compression: comp}); err != nil {
					b.Fatal(err)
				}
				b.ReportAllocs()
				for b.Loop() {
					_, seq, err := ReadArrow(bytes.NewReader(f.data), ArrowReadOptions{})
					if err != nil {
						b.Fatal(err)
					}
					if got, err := drainEvents(seq); err != nil || got != n {
						b.Fatal(got, err)
					}
				}
				reportEventRate(b, n)
			})
		}
	}
}

func BenchmarkReadArrowStream(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			meta, events := arrowBenchEvents(n)
			var buf bytes.Buffer
			if err := WriteArrowStream(&buf, meta, slices.Values(events), ArrowOptions{}); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				_, seq, err := ReadArrowStream(bytes.NewReader(buf.Bytes()), ArrowReadOptions{})
				if err != nil {
					b.Fatal(err)
				}
				if got, err := drainEvents(seq); err != nil || got != n {
					b.Fatal(got, err)
				}
			}
			reportEventRate(b, n)
		})
	}
}
