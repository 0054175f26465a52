package export

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"testing"
)

func BenchmarkWriteParquet(b *testing.B) {
	for _, c := range []struct {
		name string
		opts ParquetOptions
	}{
		{"zstd", ParquetOptions{Compression: CompressionZstd}},
		{"zstd-3", ParquetOptions{Compression: CompressionZstd, CompressionLevel: 3}},
		{"snappy", ParquetOptions{Compression: CompressionSnappy}},
		{"none", ParquetOptions{Compression: CompressionNone}},
	} {
		for _, n := range benchSizes {
			b.Run(fmt.Sprintf("%s/%d", c.name, n), func(b *testing.B) {
				meta, events := arrowBenchEvents(n)
				b.ReportAllocs()
				rate := startRate(n)
				var w discardSeeker
				for b.Loop() {
					w = discardSeeker{}
					if err := WriteParquet(context.Background(), &w, meta, slices.Values(events), c.opts); err != nil {
						b.Fatal(err)
					}
				}
				rate.report(b)
				b.ReportMetric(float64(w.pos)/float64(n), "bytes/event")
			})
		}
	}
}

func BenchmarkReadParquet(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			meta, events := arrowBenchEvents(n)
			var buf bytes.Buffer
			if err := WriteParquet(context.Background(), &buf, meta, slices.Values(events), ParquetOptions{}); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			rate := startRate(n)
			for b.Loop() {
				_, seq, err := ReadParquet(bytes.NewReader(buf.Bytes()), ParquetReadOptions{})
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
