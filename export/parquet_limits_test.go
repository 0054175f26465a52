package export

import (
	"bytes"
	"context"
	"encoding/binary"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/apache/arrow/go/v17/parquet"
	"github.com/apache/arrow/go/v17/parquet/compress"
	"github.com/apache/arrow/go/v17/parquet/file"
	"github.com/apache/arrow/go/v17/parquet/pqarrow"
	"github.com/sourced-dev/sourced/timeline"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// allocatedBy returns the bytes that Go allocated while f ran.
func allocatedBy(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// thriftFieldAt returns where the value of the field at path (field ids,
// from the outermost struct) starts and ends in b, a Thrift struct.
func thriftFieldAt(t *testing.T, b []byte, path ...int16) (int, int) {
	t.Helper()
	r := thriftReader{b: b}
	start, end := -1, -1
	var walk func(depth int) error
	walk = func(depth int) error {
		return r.fields(func(id int16, typ byte) error {
			if id != path[depth] {
				return r.skip(typ)
			}
			if depth < len(path)-1 {
				return walk(depth + 1)
			}
			start = r.pos
			err := r.skip(typ)
			end = r.pos
			return err
		})
	}
	require.NoError(t, walk(0))
	require.GreaterOrEqual(t, start, 0, "field %v not found", path)
	return start, end
}

// forgePage returns a copy of a Parquet file with the i32 at path in the
// first page header of column col of row group 0 set to v. The header may
// grow, which shifts what follows; the chunks after col are then
// misplaced, but the reader checks col first.
func forgePage(t *testing.T, data []byte, col int, v int32, path ...int16) []byte {
	t.Helper()
	rdr, err := file.NewParquetReader(bytes.NewReader(data))
	require.NoError(t, err)
	chunk, err := rdr.RowGroup(0).MetaData().ColumnChunk(col)
	require.NoError(t, err)
	at := chunk.DataPageOffset()
	if chunk.HasDictionaryPage() && chunk.DictionaryPageOffset() > 0 {
		at = min(at, chunk.DictionaryPageOffset())
	}
	s, e := thriftFieldAt(t, data[at:], path...)
	zigzag := binary.AppendUvarint(nil, uint64(uint32(v<<1)^uint32(v>>31)))
	return slices.Concat(data[:int(at)+s], zigzag, data[int(at)+e:])
}

// TestParquetPageClaims meets page headers that claim more than the file
// holds, or than the memory limit allows, with errors before arrow
// allocates what they claim (2 GiB of Go memory for a compressed page, 48
// GiB for the dictionary, which no recover could catch).
func TestParquetPageClaims(t *testing.T) {
	var buf bytes.Buffer
	require.NoError(t, WriteParquet(context.Background(), &buf, arrowMeta(), slices.Values(arrowEdgeEvents()), ParquetOptions{}))
	good := buf.Bytes()
	schema := arrowSchema(arrowMeta())
	kind := slices.IndexFunc(schema.Fields(), func(f arrow.Field) bool { return f.Name == colKind })
	require.GreaterOrEqual(t, kind, 0)

	cases := []struct {
		name   string
		data   []byte
		opts   ParquetReadOptions
		want   error
		column string
	}{
		{"compressed size past the chunk", forgePage(t, good, 0, 1<<20, 3), ParquetReadOptions{}, ErrCorrupt, colID},
		{"compressed size over the limit", forgePage(t, good, 0, 1<<31-1, 3), ParquetReadOptions{}, ErrLimit, colID},
		{"uncompressed size over the limit", forgePage(t, good, 0, 1<<31-1, 2), ParquetReadOptions{}, ErrLimit, colID},
		{"negative size", forgePage(t, good, 0, -5, 3), ParquetReadOptions{}, ErrCorrupt, colID},
		{"a dictionary longer than its page", forgePage(t, good, kind, 1<<31-1, 7, 1), ParquetReadOptions{}, ErrCorrupt, colKind},
		{"a page over a low MaxMemory", good, ParquetReadOptions{MaxMemory: 100}, ErrLimit, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var err error
			alloc := allocatedBy(func() { _, err = readAllOf("parquet", c.data, ArrowReadOptions(c.opts)) })
			re := assertReadError(t, err, "parquet")
			require.ErrorIs(t, err, c.want)
			assert.Equal(t, 0, re.Batch, "the row group")
			if c.column != "" {
				assert.ErrorContains(t, err, "column "+c.column)
			}
			assert.Less(t, alloc, uint64(64<<20), "bytes allocated")
		})
	}
	_, err := readAllOf("parquet", good, ArrowReadOptions{})
	require.NoError(t, err)
}

// TestParquetCodecBounds holds every registered decoder to the size of
// its destination, which the page reader makes as long as the page header
// declares: a small page that decompresses to gigabytes stops there.
func TestParquetCodecBounds(t *testing.T) {
	zeros := make([]byte, 64<<20)
	for _, c := range []compress.Compression{compress.Codecs.Zstd, compress.Codecs.Snappy, compress.Codecs.Gzip, compress.Codecs.Brotli} {
		t.Run(c.String(), func(t *testing.T) {
			codec, err := compress.GetCodec(c)
			require.NoError(t, err)
			bomb := codec.EncodeLevel(nil, zeros, compress.DefaultCompressionLevel)
			require.Less(t, len(bomb), 4<<20)
			assert.Equal(t, zeros[:1000], codec.Decode(make([]byte, len(zeros)), bomb)[:1000])
			for _, dst := range [][]byte{nil, make([]byte, 1024)} {
				var out []byte
				alloc := allocatedBy(func() {
					defer func() { _ = recover() }() // an error is as good as a short result
					out = codec.Decode(dst, bomb)
				})
				assert.LessOrEqual(t, len(out), len(dst))
				assert.Less(t, alloc, uint64(8<<20), "bytes allocated for a destination of %d", len(dst))
			}
		})
	}
}

// TestParquetReadOtherCodecs reads files compressed with the codecs that
// other writers use and ours does not (gzip, brotli), through the bounded
// decoders, and holds a page larger than MaxMemory to ErrLimit.
func TestParquetReadOtherCodecs(t *testing.T) {
	events := arrowEdgeEvents()
	big := events[0]
	big.Summary = strings.Repeat("a long summary, ", 1<<19) // 8 MiB, a few KiB compressed
	events = append(events, big)
	for _, c := range []compress.Compression{compress.Codecs.Gzip, compress.Codecs.Brotli, compress.Codecs.Zstd} {
		t.Run(c.String(), func(t *testing.T) {
			data := writeWithCodec(t, events, c)
			_, seq, err := ReadParquet(bytes.NewReader(data), ParquetReadOptions{})
			require.NoError(t, err)
			assert.Equal(t, events, collectEvents(t, seq))

			_, err = readAllOf("parquet", data, ArrowReadOptions{MaxMemory: 4 << 20})
			assertReadError(t, err, "parquet")
			require.ErrorIs(t, err, ErrLimit)
			assert.ErrorContains(t, err, "MaxMemory")
		})
	}
}

// writeWithCodec writes events as Parquet with pqarrow's own writer and
// codec c.
func writeWithCodec(t testing.TB, events []timeline.Event, c compress.Compression) []byte {
	t.Helper()
	mem := memory.NewGoAllocator()
	schema := arrowSchema(arrowMeta())
	var buf bytes.Buffer
	fw, err := pqarrow.NewFileWriter(schema, &buf, parquet.NewWriterProperties(parquet.WithCompression(c)),
		pqarrow.NewArrowWriterProperties(pqarrow.WithStoreSchema()))
	require.NoError(t, err)
	records := parquetTestRecords(t, mem, schema, events, 100)
	defer releaseRecords(records)
	for _, rec := range records {
		require.NoError(t, fw.WriteBuffered(rec))
	}
	require.NoError(t, fw.Close())
	return buf.Bytes()
}
