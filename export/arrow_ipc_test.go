package export

import (
	"bytes"
	"context"
	"io"
	"slices"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/ipc"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Files written at every zstd level read back equal, through our reader and
// arrow's own; a higher level packs smaller; invalid levels are refused.
func TestArrowCompressionLevel(t *testing.T) {
	meta, events := arrowSynthetic(2000)
	sizes := map[int]int{}
	for _, level := range []int{0, 1, 3, 19} {
		var f memFile
		require.NoError(t, WriteArrow(context.Background(), &f, meta, slices.Values(events),
			ArrowOptions{Compression: CompressionZstd, CompressionLevel: level, BatchSize: 700}))
		sizes[level] = len(f.data)
		_, seq, err := ReadArrow(bytes.NewReader(f.data), ArrowReadOptions{})
		require.NoError(t, err)
		assert.Equal(t, events, collectEvents(t, seq), "level %d", level)

		r, err := ipc.NewFileReader(bytes.NewReader(f.data))
		require.NoError(t, err)
		assert.Equal(t, 3, r.NumRecords())
		r.Close()
	}
	assert.Equal(t, sizes[0], sizes[DefaultArrowZstdLevel], "zero is DefaultArrowZstdLevel")
	assert.Less(t, sizes[3], sizes[1])
	assert.Less(t, sizes[19], sizes[3])

	for _, opts := range []ArrowOptions{
		{Compression: CompressionZstd, CompressionLevel: 23},
		{Compression: CompressionZstd, CompressionLevel: -1},
		{Compression: CompressionLZ4, CompressionLevel: 3},
		{CompressionLevel: 3},
	} {
		var f memFile
		assert.ErrorContains(t, WriteArrow(context.Background(), &f, meta, slices.Values(events), opts), "compression level")
	}
}

// A stream without batches still holds the schema, which arrow reads.
func TestIPCWriterNoBatches(t *testing.T) {
	meta, _ := arrowSynthetic(0)
	for _, file := range []bool{false, true} {
		var buf bytes.Buffer
		w, err := newIPCWriter(&buf, arrowSchema(meta), ArrowOptions{Compression: CompressionZstd}, file)
		require.NoError(t, err)
		require.NoError(t, w.Close())
		var schema *arrow.Schema
		if file {
			r, err := ipc.NewFileReader(bytes.NewReader(buf.Bytes()))
			require.NoError(t, err)
			schema = r.Schema()
			assert.Zero(t, r.NumRecords())
			r.Close()
		} else {
			r, err := ipc.NewReader(bytes.NewReader(buf.Bytes()))
			require.NoError(t, err)
			schema = r.Schema()
			assert.False(t, r.Next())
			r.Release()
		}
		assert.True(t, schema.Equal(arrowSchema(meta)), "file %v: %s", file, schema)
		assert.Equal(t, arrowSchema(meta).Metadata(), schema.Metadata())
	}
}

// The writer refuses what it cannot write as the format asks: a dictionary
// that changes between batches, a sliced array, a batch of another schema.
func TestIPCWriterRefuses(t *testing.T) {
	mem := memory.NewGoAllocator()
	dictType := &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int32, ValueType: arrow.BinaryTypes.String}
	schema := arrow.NewSchema([]arrow.Field{{Name: "k", Type: dictType}}, nil)
	record := func(values ...string) arrow.Record {
		b := array.NewDictionaryBuilder(mem, dictType).(*array.BinaryDictionaryBuilder)
		defer b.Release()
		for _, v := range values {
			require.NoError(t, b.AppendString(v))
		}
		arr := b.NewArray()
		defer arr.Release()
		return array.NewRecord(schema, []arrow.Array{arr}, int64(len(values)))
	}
	first, other := record("a", "b"), record("a", "c")
	defer first.Release()
	defer other.Release()

	var buf bytes.Buffer
	w, err := newIPCWriter(&buf, schema, ArrowOptions{}, true)
	require.NoError(t, err)
	require.NoError(t, w.Write(first))
	require.NoError(t, w.Write(record("a", "b", "a")), "the same dictionary, built again")
	assert.ErrorContains(t, w.Write(other), "dictionary changed")

	sliced := first.NewSlice(1, 2)
	defer sliced.Release()
	assert.ErrorContains(t, w.Write(sliced), "sliced")

	plain := arrow.NewSchema([]arrow.Field{{Name: "k", Type: arrow.BinaryTypes.String}}, nil)
	sb := array.NewStringBuilder(mem)
	sb.Append("x")
	col := sb.NewArray()
	sb.Release()
	defer col.Release()
	rec := array.NewRecord(plain, []arrow.Array{col}, 1)
	defer rec.Release()
	assert.ErrorContains(t, w.Write(rec), "another schema")
}

// The file format goes to any io.Writer, a pipe too: the writer never
// seeks.
func TestWriteArrowToPipe(t *testing.T) {
	meta, events := arrowSynthetic(500)
	r, w := io.Pipe()
	go func() {
		w.CloseWithError(WriteArrow(context.Background(), w, meta, slices.Values(events), ArrowOptions{Compression: CompressionZstd, BatchSize: 128}))
	}()
	data, err := io.ReadAll(r)
	require.NoError(t, err)
	_, seq, err := ReadArrow(bytes.NewReader(data), ArrowReadOptions{})
	require.NoError(t, err)
	assert.Equal(t, events, collectEvents(t, seq))
}
