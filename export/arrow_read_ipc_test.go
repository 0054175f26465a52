package export

import (
	"bytes"
	"context"
	"encoding/binary"
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
		// arrowOpts, when set, rewrites the file with arrow's own writer
		// and these options.
		arrowOpts []ipc.Option
	}{
		{"synthetic", 128, CompressionNone, true, nil},
		{"one-batch", 0, CompressionNone, true, nil},
		{"zstd", 128, CompressionZstd, true, nil},
		{"lz4", 128, CompressionLZ4, true, nil},
		{"arrow-zstd", 128, CompressionNone, true, []ipc.Option{ipc.WithZstd()}},
		// Buffers that zstd does not shrink by nine tenths are stored as
		// they are, with the length -1.
		{"arrow-zstd-some-raw", 128, CompressionNone, true, []ipc.Option{ipc.WithZstd(), ipc.WithMinSpaceSavings(0.9)}},
		{"arrow-lz4", 128, CompressionNone, true, []ipc.Option{ipc.WithLZ4()}},
	} {
		t.Run(ds.name, func(t *testing.T) {
			var f memFile
			require.NoError(t, WriteArrow(context.Background(), &f, meta, slices.Values(synth), ArrowOptions{BatchSize: ds.batch, Compression: ds.comp}))
			if ds.arrowOpts != nil {
				f.data = rewriteWithArrow(t, f.data, ds.arrowOpts)
			}
			r := bytes.NewReader(f.data)
			blocks, err := checkIPCFooter(r, int64(len(f.data)))
			require.NoError(t, err)
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			fr, err := ipc.NewFileReader(r, ipc.WithAllocator(mem))
			require.NoError(t, err)
			defer fr.Close()
			// The loader's own allocations, apart from arrow's reader's
			// (which leaks: TestArrowFileReaderLeak).
			lmem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer lmem.AssertSize(t, 0)
			l := newFileBatches(r, fr.Schema(), lmem, blocks, fr.NumRecords())
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

func mustLoad(t *testing.T, l *fileBatches, i int, refs []*dictRef) any {
	rec, err := l.load(i, refs)
	require.NoError(t, err)
	if rec == nil {
		return nil
	}
	rec.Release()
	return rec
}

// rewriteWithArrow reads an Arrow file and writes its batches again with
// arrow's own file writer and opts.
func rewriteWithArrow(t *testing.T, data []byte, opts []ipc.Option) []byte {
	fr, err := ipc.NewFileReader(bytes.NewReader(data))
	require.NoError(t, err)
	defer fr.Close()
	var out memFile
	fw, err := ipc.NewFileWriter(&out, append(opts, ipc.WithSchema(fr.Schema()))...)
	require.NoError(t, err)
	for i := range fr.NumRecords() {
		rec, err := fr.RecordAt(i)
		require.NoError(t, err)
		require.NoError(t, fw.Write(rec))
		rec.Release()
	}
	require.NoError(t, fw.Close())
	return out.data
}

// A compressed buffer that does not decompress to the length it claims
// leaves the batch to arrow's reader, which says what is wrong.
func TestBatchLoaderBadCompressedBuffer(t *testing.T) {
	meta, synth := arrowSynthetic(300)
	var f memFile
	require.NoError(t, WriteArrow(context.Background(), &f, meta, slices.Values(synth), ArrowOptions{BatchSize: 100, Compression: CompressionZstd}))
	r := bytes.NewReader(f.data)
	blocks, err := checkIPCFooter(r, int64(len(f.data)))
	require.NoError(t, err)
	// arrow v17's file reader leaks (TestArrowFileReaderLeak), so no
	// checked allocator here.
	mem := memory.NewGoAllocator()
	fr, err := ipc.NewFileReader(r, ipc.WithAllocator(mem))
	require.NoError(t, err)
	defer fr.Close()
	first, err := fr.RecordAt(0)
	require.NoError(t, err)
	refs := newDictRefs(first)
	first.Release()
	defer releaseDictRefs(refs)

	// Batch 1's body: its first non-empty buffer claims one byte more.
	blk := blocks[1]
	var w batchWalk
	w.meta = flatBuf(f.data[blk.off+8 : blk.off+blk.meta])
	_, ok := w.open(blk.body)
	require.True(t, ok)
	for i := range w.nbuffers {
		off, n := w.bufferSpan(i)
		if n == 0 {
			continue
		}
		p := f.data[blk.off+blk.meta+off:]
		binary.LittleEndian.PutUint64(p, binary.LittleEndian.Uint64(p)+1)
		break
	}
	lmem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer lmem.AssertSize(t, 0)
	l := newFileBatches(bytes.NewReader(f.data), fr.Schema(), lmem, blocks, fr.NumRecords())
	assert.Nil(t, mustLoad(t, l, 1, refs), "a buffer one byte short")
	assert.NotNil(t, mustLoad(t, l, 2, refs), "the next batch is whole")

	_, seq, err := ReadArrow(bytes.NewReader(f.data), ArrowReadOptions{})
	require.NoError(t, err)
	_, err = drainEvents(seq)
	assert.Error(t, err, "arrow's reader fails on the batch")
}
