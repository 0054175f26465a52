package export

import (
	"bytes"
	"context"
	"slices"
	"testing"

	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/ipc"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestBatchLoaderMatchesArrow checks that batchLoader reads every batch
// after the first (which gives it the dictionaries) as arrow's reader
// reads it, and that it releases all it allocates.
func TestBatchLoaderMatchesArrow(t *testing.T) {
	meta, synth := arrowSynthetic(700)
	for _, ds := range []struct {
		name  string
		batch int
		comp  Compression
		fast  bool
	}{
		{"synthetic", 128, CompressionNone, true},
		{"one-batch", 0, CompressionNone, true},
		{"zstd", 128, CompressionZstd, false}, // arrow's
	} {
		t.Run(ds.name, func(t *testing.T) {
			var f memFile
			require.NoError(t, WriteArrow(context.Background(), &f, meta, slices.Values(synth), ArrowOptions{BatchSize: ds.batch, Compression: ds.comp}))
			r := bytes.NewReader(f.data)
			blocks, err := checkIPCFooter(r, int64(len(f.data)))
			require.NoError(t, err)
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			fr, err := ipc.NewFileReader(r, ipc.WithAllocator(mem))
			require.NoError(t, err)
			defer fr.Close()
			l := newBatchLoader(r, fr.Schema(), mem, blocks, fr.NumRecords())
			require.NotNil(t, l)
			require.True(t, l.dicts)
			first, err := fr.RecordAt(0)
			require.NoError(t, err)
			refs := newDictRefs(first)
			first.Release()
			for i := range fr.NumRecords() {
				got, err := l.load(i, refs)
				require.NoError(t, err)
				if !ds.fast {
					assert.Nil(t, got, "batch %d", i)
					continue
				}
				require.NotNil(t, got, "batch %d", i)
				want, err := fr.RecordAt(i)
				require.NoError(t, err)
				assert.True(t, array.RecordEqual(want, got), "batch %d", i)
				for _, c := range got.Columns() {
					assert.NoError(t, checkData(c.Data()))
				}
				want.Release()
				got.Release()
			}
			assert.Nil(t, mustLoad(t, l, 0, nil), "no dictionaries, no fast path")
			releaseDictRefs(refs)
		})
	}
}

func mustLoad(t *testing.T, l *batchLoader, i int, refs []*dictRef) any {
	rec, err := l.load(i, refs)
	require.NoError(t, err)
	if rec == nil {
		return nil
	}
	rec.Release()
	return rec
}
