package export

import (
	"bytes"
	"context"
	"encoding/binary"
	"slices"
	"testing"
	"unsafe"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/ipc"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// streamRecords reads the batches of the stream data as readArrowStream
// does, with mem, and returns them (each the caller's to release) and how
// many of them the loader laid out. It fails the test on an error.
func streamRecords(t *testing.T, data []byte, mem memory.Allocator) (recs []arrow.Record, fast int) {
	t.Helper()
	source := newStreamSource(newStreamMessages(bytes.NewReader(data), mem, int64(len(data)), 1<<30), nil)
	rd, err := ipc.NewReaderFromMessageReader(source, ipc.WithAllocator(mem))
	require.NoError(t, err)
	defer rd.Release()
	source.loader = newBatchLoader(rd.Schema(), mem)
	require.NotNil(t, source.loader)
	for {
		rec, own, done, err := source.nextBatch(rd, rd.Schema())
		require.NoError(t, err)
		if done {
			return recs, fast
		}
		if own {
			fast++
		} else {
			rec.Retain()
		}
		recs = append(recs, rec)
	}
}

// arrowStreamRecords reads the stream data with arrow's own reader.
func arrowStreamRecords(t *testing.T, data []byte) []arrow.Record {
	t.Helper()
	rd, err := ipc.NewReader(bytes.NewReader(data))
	require.NoError(t, err)
	defer rd.Release()
	var recs []arrow.Record
	for rd.Next() {
		rd.Record().Retain()
		recs = append(recs, rd.Record())
	}
	require.NoError(t, rd.Err())
	return recs
}

// assertStreamMatchesArrow checks that the fast path reads every batch of
// the stream data, equal to arrow's reading of it, and releases all it
// allocates.
func assertStreamMatchesArrow(t *testing.T, data []byte) {
	t.Helper()
	want := arrowStreamRecords(t, data)
	defer releaseRecords(want)
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	got, fast := streamRecords(t, data, mem)
	defer releaseRecords(got)
	require.Equal(t, len(want), len(got))
	assert.Equal(t, len(got), fast, "every batch through the loader")
	for i := range got {
		assert.True(t, array.RecordEqual(want[i], got[i]), "batch %d", i)
		for _, c := range got[i].Columns() {
			assert.NoError(t, checkData(c.Data()))
		}
	}
}

// rewriteStreamWithArrow reads a stream and writes its batches again with
// arrow's own stream writer and opts.
func rewriteStreamWithArrow(t *testing.T, data []byte, opts []ipc.Option) []byte {
	t.Helper()
	rd, err := ipc.NewReader(bytes.NewReader(data))
	require.NoError(t, err)
	defer rd.Release()
	var out bytes.Buffer
	w := ipc.NewWriter(&out, append(opts, ipc.WithSchema(rd.Schema()))...)
	for rd.Next() {
		require.NoError(t, w.Write(rd.Record()))
	}
	require.NoError(t, rd.Err())
	require.NoError(t, w.Close())
	return out.Bytes()
}

// TestStreamLoaderMatchesArrow reads streams of our writer and of arrow's,
// uncompressed, zstd and LZ4, through the fast path: every batch, equal to
// arrow's reading, and the events equal to those written.
func TestStreamLoaderMatchesArrow(t *testing.T) {
	meta, synth := arrowSynthetic(700)
	for _, ds := range []struct {
		name  string
		batch int
		comp  Compression
		// arrowOpts, when set, rewrites the stream with arrow's own
		// writer and these options.
		arrowOpts []ipc.Option
	}{
		{"synthetic", 128, CompressionNone, nil},
		{"one-batch", 0, CompressionNone, nil},
		{"zstd", 128, CompressionZstd, nil},
		{"lz4", 128, CompressionLZ4, nil},
		{"arrow", 128, CompressionNone, []ipc.Option{}},
		{"arrow-zstd", 128, CompressionNone, []ipc.Option{ipc.WithZstd()}},
		{"arrow-zstd-some-raw", 128, CompressionNone, []ipc.Option{ipc.WithZstd(), ipc.WithMinSpaceSavings(0.9)}},
		{"arrow-lz4", 128, CompressionNone, []ipc.Option{ipc.WithLZ4()}},
		{"arrow-lz4-deltas", 128, CompressionNone, []ipc.Option{ipc.WithLZ4(), ipc.WithDictionaryDeltas(true)}},
	} {
		t.Run(ds.name, func(t *testing.T) {
			var buf bytes.Buffer
			require.NoError(t, WriteArrowStream(context.Background(), &buf, meta, slices.Values(synth), ArrowOptions{BatchSize: ds.batch, Compression: ds.comp}))
			data := buf.Bytes()
			if ds.arrowOpts != nil {
				data = rewriteStreamWithArrow(t, data, ds.arrowOpts)
			}
			assertStreamMatchesArrow(t, data)
			_, seq, err := ReadArrowStream(bytes.NewReader(data), ArrowReadOptions{})
			require.NoError(t, err)
			assert.Equal(t, synth, collectEvents(t, seq))
		})
	}
}

// Dictionaries that change mid-stream (arrow's writer sends a replacement,
// or a delta when asked to and the new one extends the old) reach the
// batches after them.
func TestStreamLoaderChangingDictionaries(t *testing.T) {
	dictType := &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int32, ValueType: arrow.BinaryTypes.String}
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "d", Type: dictType, Nullable: true},
		{Name: "l", Type: arrow.ListOf(dictType), Nullable: true},
		{Name: "n", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
	}, nil)
	batches := [][]string{{"a", "b"}, {"a", "b", "c"}, {"x"}, {"x", "y", "z", "x"}}
	for _, deltas := range []bool{false, true} {
		for _, comp := range []ipc.Option{ipc.WithLZ4(), ipc.WithZstd(), nil} {
			var buf bytes.Buffer
			opts := []ipc.Option{ipc.WithSchema(schema), ipc.WithDictionaryDeltas(deltas)}
			if comp != nil {
				opts = append(opts, comp)
			}
			w := ipc.NewWriter(&buf, opts...)
			for k, vals := range batches {
				b := array.NewRecordBuilder(memory.DefaultAllocator, schema)
				db := b.Field(0).(*array.BinaryDictionaryBuilder)
				lb := b.Field(1).(*array.ListBuilder)
				lvb := lb.ValueBuilder().(*array.BinaryDictionaryBuilder)
				for i, v := range vals {
					require.NoError(t, db.AppendString(v))
					lb.Append(true)
					require.NoError(t, lvb.AppendString(v))
					require.NoError(t, lvb.AppendString(vals[0]))
					b.Field(2).(*array.Int64Builder).Append(int64(k*100 + i))
				}
				db.AppendNull()
				lb.AppendNull()
				b.Field(2).(*array.Int64Builder).AppendNull()
				rec := b.NewRecord()
				require.NoError(t, w.Write(rec))
				rec.Release()
				b.Release()
			}
			require.NoError(t, w.Close())
			dicts := 0
			for _, m := range streamLayout(t, buf.Bytes()) {
				b := flatBuf(buf.Bytes()[m.meta : m.meta+m.metaLen])
				root, err := b.root()
				require.NoError(t, err)
				ht, err := b.field(root, slotMessageHeaderType)
				require.NoError(t, err)
				if b[ht] == fbHeaderDictionary {
					dicts++
				}
			}
			assert.Greater(t, dicts, 2, "dictionaries after the first two")
			assertStreamMatchesArrow(t, buf.Bytes())
		}
	}
}

// streamMessage is where a message lies in a stream.
type streamMessage struct {
	prefix, meta, body int // offsets
	metaLen, bodyLen   int
}

// streamLayout returns the messages of a stream in the current format.
func streamLayout(t *testing.T, data []byte) []streamMessage {
	t.Helper()
	var msgs []streamMessage
	for off := 0; ; {
		require.Equal(t, uint32(ipcContinuation), binary.LittleEndian.Uint32(data[off:]))
		n := int(binary.LittleEndian.Uint32(data[off+4:]))
		if n == 0 {
			return msgs
		}
		body, err := checkIPCMessage(data[off+8 : off+8+n])
		require.NoError(t, err)
		msgs = append(msgs, streamMessage{prefix: off, meta: off + 8, body: off + 8 + n, metaLen: n, bodyLen: int(body)})
		off += 8 + n + int(body)
	}
}

// isBatch reports whether m is a record batch message that the loader
// opens.
func (m streamMessage) isBatch(data []byte) bool {
	w := batchWalk{meta: flatBuf(data[m.meta : m.meta+m.metaLen])}
	_, ok := w.open(int64(m.bodyLen))
	return ok
}

// A compressed buffer that does not decompress to the length it claims
// goes to arrow's reader, which says what is wrong: an error at that batch,
// after the events of the batches before it.
func TestStreamLoaderBadCompressedBuffer(t *testing.T) {
	meta, synth := arrowSynthetic(300)
	var buf bytes.Buffer
	require.NoError(t, WriteArrowStream(context.Background(), &buf, meta, slices.Values(synth), ArrowOptions{BatchSize: 100, Compression: CompressionZstd}))
	data := buf.Bytes()
	var batches []streamMessage
	for _, m := range streamLayout(t, data) {
		if m.isBatch(data) {
			batches = append(batches, m)
		}
	}
	require.Len(t, batches, 3)
	// Batch 1's first non-empty buffer claims one byte more.
	m := batches[1]
	w := batchWalk{meta: flatBuf(data[m.meta : m.meta+m.metaLen])}
	_, ok := w.open(int64(m.bodyLen))
	require.True(t, ok)
	var claim int
	for i := range w.nbuffers {
		off, n := w.bufferSpan(i)
		if n == 0 {
			continue
		}
		p := data[m.body+int(off):]
		claim = int(binary.LittleEndian.Uint64(p)) + 1
		binary.LittleEndian.PutUint64(p, uint64(claim))
		break
	}
	require.Positive(t, claim)
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	// arrow v17's ipcSource.buffer panics when a buffer decompresses short
	// and leaks the buffer it allocated for it (rounded up to 64 bytes, as
	// memory.Buffer reserves); ReadArrowStream leaked as much when arrow
	// read every batch.
	defer func() { assert.Equal(t, (claim+63)&^63, mem.CurrentAlloc(), "claim %d", claim) }()
	_, seq, err := ReadArrowStream(bytes.NewReader(data), ArrowReadOptions{Allocator: mem})
	require.NoError(t, err)
	n, err := drainEvents(seq)
	re := assertReadError(t, err, "arrow-stream")
	require.NotNil(t, re)
	assert.Equal(t, 1, re.Batch)
	assert.ErrorIs(t, err, ErrCorrupt)
	assert.Equal(t, 100, n, "the events of batch 0")
}

// misalignedAllocator hands out buffers that start off an 8-byte boundary,
// which the loader does not slice: every batch goes back to arrow's reader.
type misalignedAllocator struct{}

func (misalignedAllocator) Allocate(n int) []byte { return make([]byte, n+1)[1:] }

func (a misalignedAllocator) Reallocate(n int, b []byte) []byte {
	nb := a.Allocate(n)
	copy(nb, b)
	return nb
}

func (misalignedAllocator) Free([]byte) {}

func TestStreamLoaderFallsBackToArrow(t *testing.T) {
	var mem misalignedAllocator
	b := mem.Allocate(8)
	require.NotZero(t, uintptr(unsafe.Pointer(&b[0]))%8)
	meta, synth := arrowSynthetic(300)
	for _, comp := range []Compression{CompressionNone, CompressionZstd} {
		var buf bytes.Buffer
		require.NoError(t, WriteArrowStream(context.Background(), &buf, meta, slices.Values(synth), ArrowOptions{BatchSize: 100, Compression: comp}))
		want := arrowStreamRecords(t, buf.Bytes())
		got, fast := streamRecords(t, buf.Bytes(), mem)
		assert.Zero(t, fast)
		require.Equal(t, len(want), len(got))
		for i := range got {
			assert.True(t, array.RecordEqual(want[i], got[i]), "batch %d", i)
		}
		releaseRecords(want)
		releaseRecords(got)
		_, seq, err := ReadArrowStream(bytes.NewReader(buf.Bytes()), ArrowReadOptions{Allocator: mem})
		require.NoError(t, err)
		assert.Equal(t, synth, collectEvents(t, seq))
	}
}

// The legacy framing, without the continuation marker before each
// message's length, reads through the fast path too.
func TestStreamLoaderLegacyFraming(t *testing.T) {
	meta, synth := arrowSynthetic(300)
	var buf bytes.Buffer
	require.NoError(t, WriteArrowStream(context.Background(), &buf, meta, slices.Values(synth), ArrowOptions{BatchSize: 100, Compression: CompressionLZ4}))
	data := buf.Bytes()
	var legacy []byte
	for _, m := range streamLayout(t, data) {
		legacy = append(legacy, data[m.prefix+4:m.body+m.bodyLen]...)
	}
	legacy = append(legacy, 0, 0, 0, 0)
	assertStreamMatchesArrow(t, legacy)
	_, seq, err := ReadArrowStream(bytes.NewReader(legacy), ArrowReadOptions{})
	require.NoError(t, err)
	assert.Equal(t, synth, collectEvents(t, seq))
}

// A stream that lacks a dictionary the schema asks for, with a record
// batch in its place, is an error, whatever arrow's reader makes of the
// batch's stand-in.
func TestStreamLoaderMissingDictionary(t *testing.T) {
	meta, synth := arrowSynthetic(300)
	for _, comp := range []Compression{CompressionNone, CompressionZstd} {
		var buf bytes.Buffer
		require.NoError(t, WriteArrowStream(context.Background(), &buf, meta, slices.Values(synth), ArrowOptions{BatchSize: 100, Compression: comp}))
		data := buf.Bytes()
		msgs := streamLayout(t, data)
		require.Greater(t, len(msgs), 2)
		// Drop the first dictionary (message 1, after the schema).
		m := msgs[1]
		bad := slices.Concat(data[:m.prefix], data[m.body+m.bodyLen:])
		_, err := readAllOf("arrow-stream", bad, ArrowReadOptions{})
		assertReadError(t, err, "arrow-stream")
		// Drop them all.
		first := msgs[1].prefix
		for _, m := range msgs[1:] {
			if m.isBatch(data) {
				bad = slices.Concat(data[:first], data[m.prefix:])
				break
			}
		}
		_, err = readAllOf("arrow-stream", bad, ArrowReadOptions{})
		assertReadError(t, err, "arrow-stream")
	}
}
