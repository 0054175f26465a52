package export

import "testing"

func FuzzReadParquet(f *testing.F) {
	fuzzSeeds(f, "parquet")
	f.Fuzz(func(t *testing.T, data []byte) { fuzzRead(t, "parquet", data) })
}
