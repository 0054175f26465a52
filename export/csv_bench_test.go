package export

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"slices"
	"testing"
	"time"

	"github.com/sourced-dev/sourced/seeds"
	"github.com/sourced-dev/sourced/timeline"
)

// byteCounter is io.Discard that counts, for b.SetBytes.
type byteCounter struct{ n int64 }

func (c *byteCounter) Write(p []byte) (int, error) { c.n += int64(len(p)); return len(p), nil }

func benchEvents(n int) []timeline.Event {
	return slices.Collect(seeds.Synthetic(n, seeds.SyntheticOptions{Hostile: true}))
}

func reportEvents(b *testing.B, n int) {
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkWriteCSV writes both files of n hostile synthetic events with
// WriteCSV and, as baselines in the same run, with a hand-written
// encoding/csv loop and with gocsv; all three write the same bytes
// (TestCSVWritersAgree).
func BenchmarkWriteCSV(b *testing.B) {
	writers := []struct {
		name  string
		write func(ev, src io.Writer, events []timeline.Event) error
	}{
		{"WriteCSV", func(ev, src io.Writer, events []timeline.Event) error {
			return WriteCSV(context.Background(), ev, src, slices.Values(events), CSVOptions{})
		}},
		{"encoding-csv", handWriteCSV},
		{"gocsv", gocsvWriteCSV},
	}
	for _, n := range []int{10_000, 100_000} {
		events := benchEvents(n)
		for _, w := range writers {
			b.Run(fmt.Sprintf("events=%d/%s", n, w.name), func(b *testing.B) {
				var size byteCounter
				if err := w.write(&size, &size, events); err != nil {
					b.Fatal(err)
				}
				b.SetBytes(size.n)
				b.ReportAllocs()
				for b.Loop() {
					if err := w.write(io.Discard, io.Discard, events); err != nil {
						b.Fatal(err)
					}
				}
				reportEvents(b, n)
			})
		}
		// On a shared machine the load can change between sub-benchmarks;
		// paired runs the three writers in turn within each iteration, so
		// that each ratio compares times taken under the same load.
		b.Run(fmt.Sprintf("events=%d/paired", n), func(b *testing.B) {
			spent := make([]time.Duration, len(writers))
			for i := 0; b.Loop(); i++ {
				for k := range writers {
					w := writers[(i+k)%len(writers)]
					start := time.Now()
					if err := w.write(io.Discard, io.Discard, events); err != nil {
						b.Fatal(err)
					}
					spent[(i+k)%len(writers)] += time.Since(start)
				}
			}
			for k, w := range writers {
				b.ReportMetric(float64(n)*float64(b.N)/spent[k].Seconds(), w.name+"-events/s")
			}
			b.ReportMetric(spent[0].Seconds()/spent[1].Seconds(), "WriteCSV/encoding-csv")
			b.ReportMetric(spent[0].Seconds()/spent[2].Seconds(), "WriteCSV/gocsv")
		})
	}
}

// BenchmarkReadCSV reads both files of n hostile synthetic events to
// events with ReadCSV and, as a floor, only splits them into records with
// encoding/csv (no values parsed, no events built).
func BenchmarkReadCSV(b *testing.B) {
	for _, n := range []int{10_000, 100_000} {
		var ev, src bytes.Buffer
		if err := WriteCSV(context.Background(), &ev, &src, slices.Values(benchEvents(n)), CSVOptions{}); err != nil {
			b.Fatal(err)
		}
		b.Run(fmt.Sprintf("events=%d/ReadCSV", n), func(b *testing.B) {
			b.SetBytes(int64(ev.Len() + src.Len()))
			b.ReportAllocs()
			rate := startRate(n)
			for b.Loop() {
				count := 0
				for _, err := range ReadCSV(bytes.NewReader(ev.Bytes()), bytes.NewReader(src.Bytes()), CSVReadOptions{}) {
					if err != nil {
						b.Fatal(err)
					}
					count++
				}
				if count != n {
					b.Fatalf("read %d events, want %d", count, n)
				}
			}
			rate.report(b)
		})
		// The main job's CSV to Arrow conversion: ReadCSV on a goroutine
		// of its own (ReadAhead), WriteArrow with zstd on the caller's.
		b.Run(fmt.Sprintf("events=%d/ReadCSV-to-Arrow", n), func(b *testing.B) {
			b.SetBytes(int64(ev.Len() + src.Len()))
			b.ReportAllocs()
			meta := seeds.SyntheticMetadata(n, seeds.SyntheticOptions{Hostile: true})
			rate := startRate(n)
			for b.Loop() {
				var failed error
				events := UntilError(ReadAhead(ReadCSV(bytes.NewReader(ev.Bytes()), bytes.NewReader(src.Bytes()), CSVReadOptions{}), 4096), func(err error) { failed = err })
				var w discardSeeker
				if err := WriteArrow(context.Background(), &w, meta, events, ArrowOptions{Compression: CompressionZstd}); err != nil {
					b.Fatal(err)
				}
				if failed != nil {
					b.Fatal(failed)
				}
			}
			rate.report(b)
		})
		b.Run(fmt.Sprintf("events=%d/encoding-csv-records", n), func(b *testing.B) {
			b.SetBytes(int64(ev.Len() + src.Len()))
			b.ReportAllocs()
			for b.Loop() {
				for _, data := range [][]byte{ev.Bytes(), src.Bytes()} {
					r := csv.NewReader(bytes.NewReader(data))
					r.ReuseRecord = true
					for {
						if _, err := r.Read(); err == io.EOF {
							break
						} else if err != nil {
							b.Fatal(err)
						}
					}
				}
			}
			reportEvents(b, n)
		})
	}
}
