package export

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/apache/arrow/go/v17/parquet/file"
	"github.com/apache/arrow/go/v17/parquet/pqarrow"
	"github.com/sourced-dev/sourced/timeline"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestParquetWriterMatchesPqarrow holds the concurrent writer to the bytes
// that pqarrow's own FileWriter.WriteBuffered writes from the same batches
// with the same properties: the levels it computes are pqarrow's, and the
// order in which goroutines encode the columns changes nothing.
func TestParquetWriterMatchesPqarrow(t *testing.T) {
	_, hostile := arrowSynthetic(3000)
	cases := []struct {
		name    string
		events  []timeline.Event
		batch   int
		rowSize int
	}{
		{"edge cases, a batch per event", arrowEdgeEvents(), 1, 3},
		{"edge cases, one batch", arrowEdgeEvents(), 100, 0},
		{"hostile, batches split between row groups", hostile, 700, 1000},
		{"hostile, row groups of whole batches", hostile, 512, 1024},
		{"hostile, one batch per row group", hostile, 3000, 0},
		{"no events", nil, 10, 0},
	}
	for _, c := range cases {
		for _, comp := range []Compression{CompressionZstd, CompressionNone} {
			t.Run(fmt.Sprintf("%s/%s", c.name, comp), func(t *testing.T) {
				mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
				defer mem.AssertSize(t, 0)
				opts := ParquetOptions{RowGroupSize: c.rowSize, Compression: comp, Allocator: mem}
				schema := arrowSchema(arrowMeta())
				records := parquetTestRecords(t, mem, schema, c.events, c.batch)
				defer releaseRecords(records)

				var want bytes.Buffer
				props, err := opts.writerProperties()
				require.NoError(t, err)
				fw, err := pqarrow.NewFileWriter(schema, &want, props,
					pqarrow.NewArrowWriterProperties(pqarrow.WithStoreSchema(), pqarrow.WithAllocator(mem)))
				require.NoError(t, err)
				for _, rec := range records {
					require.NoError(t, fw.WriteBuffered(rec))
				}
				require.NoError(t, fw.Close())

				for _, workers := range []int{1, 2, 5} {
					var got bytes.Buffer
					pw, err := newParquetWriter(&got, schema, opts, workers)
					require.NoError(t, err)
					for _, rec := range records {
						rec.Retain()
						require.NoError(t, pw.writeRecord(rec))
					}
					require.NoError(t, pw.close())
					assert.True(t, bytes.Equal(want.Bytes(), got.Bytes()), "%d workers: %d bytes, pqarrow %d", workers, got.Len(), want.Len())
				}
			})
		}
	}
}

func parquetTestRecords(t testing.TB, mem memory.Allocator, schema *arrow.Schema, events []timeline.Event, batch int) []arrow.Record {
	t.Helper()
	rb := newRecordBuilder(mem, schema)
	defer rb.release()
	var records []arrow.Record
	require.NoError(t, rb.writeAll(slices.Values(events), batch, func(rec arrow.Record) error {
		rec.Retain()
		records = append(records, rec)
		return nil
	}))
	return records
}

func releaseRecords(records []arrow.Record) {
	for _, r := range records {
		r.Release()
	}
}

// parquetRowGroupRows returns the rows of each row group of a Parquet file.
func parquetRowGroupRows(t *testing.T, data []byte) []int64 {
	t.Helper()
	rdr, err := file.NewParquetReader(bytes.NewReader(data))
	require.NoError(t, err)
	var rows []int64
	for rg := range rdr.NumRowGroups() {
		rows = append(rows, rdr.MetaData().RowGroup(rg).NumRows())
	}
	return rows
}

// TestParquetRowGroups checks where WriteParquet ends row groups: at
// RowGroupSize events, whatever its batches, and sooner when a row group
// holds parquetRowGroupBytes, so that long events do not make it hold
// gigabytes.
func TestParquetRowGroups(t *testing.T) {
	meta, events := arrowSynthetic(7000)
	for _, c := range []struct {
		size int
		want []int64
	}{
		{3000, []int64{3000, 3000, 1000}},
		{2048, []int64{2048, 2048, 2048, 856}},
		{100000, []int64{7000}},
	} {
		var buf bytes.Buffer
		require.NoError(t, WriteParquet(context.Background(), &buf, meta, slices.Values(events), ParquetOptions{RowGroupSize: c.size}))
		assert.Equal(t, c.want, parquetRowGroupRows(t, buf.Bytes()), "RowGroupSize %d", c.size)
	}

	defer func(b int64) { parquetRowGroupBytes = b }(parquetRowGroupBytes)
	parquetRowGroupBytes = 1 << 20
	long := slices.Clone(events[:40])
	rnd := rand.New(rand.NewPCG(1, 2))
	for i := range long {
		text := make([]byte, 1<<20)
		for j := range text {
			text[j] = 'a' + byte(rnd.IntN(26))
		}
		long[i].Summary = string(text)
	}
	var buf bytes.Buffer
	require.NoError(t, WriteParquet(context.Background(), &buf, meta, slices.Values(long), ParquetOptions{}))
	rows := parquetRowGroupRows(t, buf.Bytes())
	assert.Greater(t, len(rows), 4, "row groups of %v events", rows)
	_, seq, err := ReadParquet(bytes.NewReader(buf.Bytes()), ParquetReadOptions{})
	require.NoError(t, err)
	assert.Equal(t, long, collectEvents(t, seq))
}

func TestParquetCompressionLevel(t *testing.T) {
	meta, events := arrowSynthetic(2000)
	sizes := map[int]int{}
	for _, level := range []int{0, 1, 3, 19} {
		var buf bytes.Buffer
		require.NoError(t, WriteParquet(context.Background(), &buf, meta, slices.Values(events), ParquetOptions{CompressionLevel: level}))
		sizes[level] = buf.Len()
		_, seq, err := ReadParquet(bytes.NewReader(buf.Bytes()), ParquetReadOptions{})
		require.NoError(t, err)
		assert.Equal(t, events, collectEvents(t, seq), "level %d", level)
	}
	assert.Equal(t, sizes[0], sizes[DefaultParquetZstdLevel], "zero is DefaultParquetZstdLevel")
	assert.Less(t, sizes[3], sizes[1])
	assert.Less(t, sizes[19], sizes[3])

	for _, opts := range []ParquetOptions{
		{CompressionLevel: 23},
		{CompressionLevel: -1},
		{CompressionLevel: 3, Compression: CompressionSnappy},
	} {
		assert.ErrorContains(t, WriteParquet(context.Background(), io.Discard, meta, slices.Values(events), opts), "compression level")
	}
}
