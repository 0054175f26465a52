package export

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"slices"
	"testing"
)

func BenchmarkWriteParquet(b *testing.B) {
	for _, comp := range []Compression{CompressionZstd, CompressionSnappy, CompressionNone} {
		for _, n := range benchSizes {
			b.Run(fmt.Sprintf("%s/%d", comp, n), func(b *testing.B) {
				meta, events := arrowBenchEvents(n)
				b.ReportAllocs()
				rate := startRate(n)
				for b.Loop() {
					if err := WriteParquet(context.Background(), io.Discard, meta, slices.Values(events), ParquetOptions{Compression: comp}); err != nil {
						b.Fatal(err)
					}
				}
				rate.report(b)
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
