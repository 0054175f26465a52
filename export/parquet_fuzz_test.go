package export

import (
	"testing"

	"github.com/apache/arrow/go/v17/parquet/compress"
)

func FuzzReadParquet(f *testing.F) {
	fuzzSeeds(f, "parquet")
	// Other writers' codecs, which ours does not write.
	for _, c := range []compress.Compression{compress.Codecs.Gzip, compress.Codecs.Brotli} {
		f.Add(writeWithCodec(f, arrowEdgeEvents()[:3], c))
	}
	f.Fuzz(func(t *testing.T, data []byte) { fuzzRead(t, "parquet", data) })
}
