package export

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
	flatbuffers "github.com/google/flatbuffers/go"
	"github.com/klauspost/compress/zstd"
	"github.com/pierrec/lz4/v4"
)

// DefaultArrowZstdLevel is the zstd level of compressed Arrow IPC files
// when the options give none: 1, the level pyarrow (Arrow C++) writes by
// default.
const DefaultArrowZstdLevel = 1

// ipcWriter writes record batches in the Arrow IPC stream or file format
// (https://arrow.apache.org/docs/format/Columnar.html#serialization-and-interprocess-communication-ipc)
// in place of arrow's ipc.Writer and ipc.FileWriter, which v17 gives no
// way to tune: they compress every buffer through a zstd stream encoder,
// with the stream state that costs, at zstd's default level 3, where
// pyarrow writes level 1. This writer compresses each buffer in one
// call (zstd's EncodeAll, at DefaultArrowZstdLevel like pyarrow, or LZ4
// frames as arrow writes them) on GOMAXPROCS goroutines, writes
// uncompressed buffers straight from the batch without a copy, and needs
// no Seek for the file format. It writes what the format asks of any
// writer, so that pyarrow, polars, DuckDB and arrow's own reader read it
// (the tests and examples/interop check them).
//
// It takes batches of one schema whose dictionaries do not change from
// batch to batch (as the record builder's vocabularies do not): the file
// format allows one dictionary per field.
type ipcWriter struct {
	w      *bufio.Writer
	file   bool
	schema *arrow.Schema
	codec  Compression
	level  int

	pos     int64   // bytes written
	dicts   []block // file format: where the dictionary batches are
	batches []block // file format: where the record batches are
	// dictValues are the dictionaries of the first batch, by dictionary id.
	dictValues [][]string
	started    bool

	fb      *flatbuffers.Builder
	nodes   []fieldNode
	bufs    [][]byte // the batch's buffers, uncompressed
	packed  [][]byte // the same compressed, when the codec is not none
	scratch [][]byte // the buffers that packed reuses
	lz4s    []*lz4.Writer
}

// block is where a message is in a file: the footer lists them.
type block struct {
	offset int64
	meta   int32
	body   int64
}

type fieldNode struct{ length, nulls int64 }

// The enumerations and union tags of the IPC flatbuffers (Schema.fbs,
// Message.fbs, File.fbs in the Arrow repository).
const (
	fbMetadataV4          = 3
	fbMetadataV5          = 4
	fbHeaderSchema        = 1
	fbHeaderDictionary    = 2
	fbHeaderRecordBatch   = 3
	fbTypeInt             = 2
	fbTypeFloatingPoint   = 3
	fbTypeUtf8            = 5
	fbTypeBool            = 6
	fbTypeDate            = 8
	fbTypeList            = 12
	fbTypeStruct          = 13
	fbPrecisionDouble     = 2
	fbDateDay             = 0
	fbDateMillisecond     = 1
	fbCompressionLZ4Frame = 0
	fbCompressionZstd     = 1
)

// ipcMagic starts and ends the file format.
var ipcMagic = [8]byte{'A', 'R', 'R', 'O', 'W', '1', 0, 0}

// newIPCWriter returns a writer of schema to w, in the file format when file
// is set, else the stream format. Compression is none, zstd or lz4.
func newIPCWriter(w io.Writer, schema *arrow.Schema, opts ArrowOptions, file bool) (*ipcWriter, error) {
	iw := &ipcWriter{
		w:      bufio.NewWriterSize(w, 64<<10),
		file:   file,
		schema: schema,
		fb:     flatbuffers.NewBuilder(4 << 10),
	}
	switch opts.Compression {
	case CompressionDefault, CompressionNone:
		iw.codec = CompressionNone
		if opts.CompressionLevel != 0 {
			return nil, fmt.Errorf("compression level %d: only zstd takes a level", opts.CompressionLevel)
		}
	case CompressionZstd:
		iw.codec = CompressionZstd
		iw.level = DefaultArrowZstdLevel
		if opts.CompressionLevel != 0 {
			if opts.CompressionLevel < 1 || opts.CompressionLevel > 22 {
				return nil, fmt.Errorf("compression level %d: zstd takes 1 to 22", opts.CompressionLevel)
			}
			iw.level = opts.CompressionLevel
		}
	case CompressionLZ4:
		iw.codec = CompressionLZ4
		if opts.CompressionLevel != 0 {
			return nil, fmt.Errorf("compression level %d: only zstd takes a level", opts.CompressionLevel)
		}
	default:
		return nil, fmt.Errorf("compression %s: Arrow IPC takes none, zstd or lz4", opts.Compression)
	}
	return iw, nil
}

// Write writes rec, after the schema and the dictionaries when it is the
// first batch.
func (w *ipcWriter) Write(rec arrow.Record) error {
	if !rec.Schema().Equal(w.schema) {
		return fmt.Errorf("arrow ipc: batch of another schema")
	}
	if err := w.start(); err != nil {
		return err
	}
	var dicts []arrow.Array
	for _, col := range rec.Columns() {
		dicts = dictionaries(col, dicts)
	}
	if w.dictValues == nil {
		w.dictValues = make([][]string, len(dicts))
		for id, d := range dicts {
			s, ok := d.(*array.String)
			if !ok {
				return fmt.Errorf("arrow ipc: %s: dictionaries of %s are not supported", w.dictField(id), d.DataType())
			}
			w.dictValues[id] = make([]string, s.Len())
			for i := range s.Len() {
				w.dictValues[id][i] = strings.Clone(s.Value(i))
			}
			if err := w.writeDictionary(int64(id), d); err != nil {
				return err
			}
		}
	} else if !sameDictionaries(dicts, w.dictValues) {
		return fmt.Errorf("arrow ipc: a dictionary changed between batches, which the file format does not allow")
	}
	w.nodes, w.bufs = w.nodes[:0], w.bufs[:0]
	for _, col := range rec.Columns() {
		if err := w.visit(col); err != nil {
			return err
		}
	}
	blk, err := w.writeBatch(rec.NumRows(), -1)
	if err != nil {
		return err
	}
	w.batches = append(w.batches, blk)
	return nil
}

// Close writes the end of the stream, or the file's footer, and flushes.
// It does not close the underlying writer.
func (w *ipcWriter) Close() error {
	if err := w.start(); err != nil {
		return err
	}
	// The end-of-stream marker; in the file format, the footer follows.
	if err := w.write(0xFFFFFFFF, 0); err != nil {
		return err
	}
	if w.file {
		if err := w.writeFooter(); err != nil {
			return err
		}
	}
	return w.w.Flush()
}

// writeFooter writes the file format's footer (the schema again and where
// the dictionaries and batches are), its length and the closing magic.
func (w *ipcWriter) writeFooter() error {
	b := w.fb
	b.Reset()
	schema, err := w.schemaTable(b)
	if err != nil {
		return err
	}
	dicts, batches := blocks(b, w.dicts), blocks(b, w.batches)
	b.StartObject(5)
	b.PrependInt16Slot(0, fbMetadataV5, 0) // Footer.version
	b.PrependUOffsetTSlot(slotFooterSchema, schema, 0)
	b.PrependUOffsetTSlot(slotFooterDictionaries, dicts, 0)
	b.PrependUOffsetTSlot(slotFooterRecordBatches, batches, 0)
	b.Finish(b.EndObject())
	footer := b.FinishedBytes()
	if err := w.writeBytes(footer); err != nil {
		return err
	}
	var n [4]byte
	binary.LittleEndian.PutUint32(n[:], uint32(len(footer)))
	if err := w.writeBytes(n[:]); err != nil {
		return err
	}
	return w.writeBytes(ipcMagic[:6])
}

// start writes the file's magic and the schema once.
func (w *ipcWriter) start() error {
	if w.started {
		return nil
	}
	w.started = true
	if w.file {
		if err := w.writeBytes(ipcMagic[:]); err != nil {
			return err
		}
	}
	b := w.fb
	b.Reset()
	schema, err := w.schemaTable(b)
	if err != nil {
		return err
	}
	_, err = w.writeMessage(fbHeaderSchema, schema, 0)
	return err
}

// sameDictionaries tells whether dicts hold the values of want.
func sameDictionaries(dicts []arrow.Array, want [][]string) bool {
	if len(dicts) != len(want) {
		return false
	}
	for id, d := range dicts {
		s, ok := d.(*array.String)
		if !ok || s.Len() != len(want[id]) || s.NullN() != 0 {
			return false
		}
		for i, v := range want[id] {
			if s.Value(i) != v {
				return false
			}
		}
	}
	return true
}

// dictionaries appends the dictionaries of arr and its children to dicts,
// depth first: their place in dicts is their id.
func dictionaries(arr arrow.Array, dicts []arrow.Array) []arrow.Array {
	switch a := arr.(type) {
	case *array.Dictionary:
		dicts = append(dicts, a.Dictionary())
	case *array.List:
		dicts = dictionaries(a.ListValues(), dicts)
	case *array.Struct:
		for i := range a.NumField() {
			dicts = dictionaries(a.Field(i), dicts)
		}
	}
	return dicts
}

// visit adds arr's field nodes and buffers to the batch in the order of the
// format (depth first).
func (w *ipcWriter) visit(arr arrow.Array) error {
	data := arr.Data()
	if data.Offset() != 0 {
		return fmt.Errorf("arrow ipc: a sliced %s array", arr.DataType())
	}
	n := arr.Len()
	nulls := arr.NullN()
	w.nodes = append(w.nodes, fieldNode{int64(n), int64(nulls)})
	bufs := data.Buffers()
	if nulls == 0 {
		w.bufs = append(w.bufs, nil)
	} else {
		w.bufs = append(w.bufs, bufBytes(bufs[0], (n+7)/8))
	}
	switch dt := arr.DataType().(type) {
	case *arrow.DictionaryType:
		width := dt.IndexType.(arrow.FixedWidthDataType).BitWidth() / 8
		w.bufs = append(w.bufs, bufBytes(bufs[1], n*width))
	case *arrow.StringType:
		offsets := arr.(*array.String).ValueOffsets()
		if len(offsets) > 0 && offsets[0] != 0 {
			return fmt.Errorf("arrow ipc: string offsets start at %d", offsets[0])
		}
		end := 0
		if n > 0 {
			end = int(offsets[n])
		}
		w.bufs = append(w.bufs, bufBytes(bufs[1], (n+1)*4), bufBytes(bufs[2], end))
	case *arrow.BooleanType:
		w.bufs = append(w.bufs, bufBytes(bufs[1], (n+7)/8))
	case arrow.FixedWidthDataType:
		w.bufs = append(w.bufs, bufBytes(bufs[1], n*dt.BitWidth()/8))
	case *arrow.ListType:
		list := arr.(*array.List)
		offsets := list.Offsets()
		if len(offsets) > 0 && offsets[0] != 0 {
			return fmt.Errorf("arrow ipc: list offsets start at %d", offsets[0])
		}
		w.bufs = append(w.bufs, bufBytes(bufs[1], (n+1)*4))
		child := list.ListValues()
		if n > 0 && child.Len() != int(offsets[n]) {
			return fmt.Errorf("arrow ipc: list of %d values over %d", offsets[n], child.Len())
		}
		return w.visit(child)
	case *arrow.StructType:
		st := arr.(*array.Struct)
		for i := range st.NumField() {
			if err := w.visit(st.Field(i)); err != nil {
				return err
			}
		}
	default:
		return fmt.Errorf("arrow ipc: columns of type %s are not supported", arr.DataType())
	}
	return nil
}

// bufBytes returns the first n bytes of buf, which the array's length says
// it holds, or nothing when the array has no such buffer (a column of nulls
// may have no values), as arrow's writer does.
func bufBytes(buf *memory.Buffer, n int) []byte {
	if n == 0 || buf == nil {
		return nil
	}
	return buf.Bytes()[:n]
}

// writeDictionary writes the dictionary batch of id, uncompressed.
func (w *ipcWriter) writeDictionary(id int64, dict arrow.Array) error {
	w.nodes, w.bufs = w.nodes[:0], w.bufs[:0]
	if err := w.visit(dict); err != nil {
		return err
	}
	codec := w.codec
	w.codec = CompressionNone
	blk, err := w.writeBatch(int64(dict.Len()), id)
	w.codec = codec
	if err != nil {
		return err
	}
	w.dicts = append(w.dicts, blk)
	return nil
}

// writeBatch writes the nodes and buffers gathered by visit as a record
// batch message of rows rows, or as the dictionary batch of dictID when it
// is not negative.
func (w *ipcWriter) writeBatch(rows int64, dictID int64) (block, error) {
	body := w.bufs
	if w.codec != CompressionNone {
		if err := w.compress(); err != nil {
			return block{}, err
		}
		body = w.packed
	}
	b := w.fb
	b.Reset()
	var bodyLen int64
	for _, buf := range body {
		bodyLen += pad8(int64(len(buf)))
	}
	// The buffers and the nodes, in reverse: flatbuffers build backwards.
	b.StartVector(16, len(body), 8)
	off := bodyLen
	for i := len(body) - 1; i >= 0; i-- {
		off -= pad8(int64(len(body[i])))
		b.Prep(8, 16)
		b.PrependInt64(int64(len(body[i])))
		b.PrependInt64(off)
	}
	buffers := b.EndVector(len(body))
	b.StartVector(16, len(w.nodes), 8)
	for i := len(w.nodes) - 1; i >= 0; i-- {
		b.Prep(8, 16)
		b.PrependInt64(w.nodes[i].nulls)
		b.PrependInt64(w.nodes[i].length)
	}
	nodes := b.EndVector(len(w.nodes))
	var compression flatbuffers.UOffsetT
	if w.codec != CompressionNone {
		codec := byte(fbCompressionZstd)
		if w.codec == CompressionLZ4 {
			codec = fbCompressionLZ4Frame
		}
		b.StartObject(2)
		b.PrependByteSlot(0, codec, fbCompressionLZ4Frame)
		compression = b.EndObject()
	}
	b.StartObject(5)
	b.PrependInt64Slot(slotRecordBatchLength, rows, 0)
	b.PrependUOffsetTSlot(slotRecordBatchNodes, nodes, 0)
	b.PrependUOffsetTSlot(slotRecordBatchBuffers, buffers, 0)
	if compression != 0 {
		b.PrependUOffsetTSlot(slotRecordBatchCompression, compression, 0)
	}
	batch := b.EndObject()
	header, kind := batch, byte(fbHeaderRecordBatch)
	if dictID >= 0 {
		b.StartObject(3)
		b.PrependInt64Slot(0, dictID, 0)
		b.PrependUOffsetTSlot(1, batch, 0)
		header, kind = b.EndObject(), fbHeaderDictionary
	}
	blk, err := w.writeMessage(kind, header, bodyLen)
	if err != nil {
		return block{}, err
	}
	var zeros [8]byte
	for _, buf := range body {
		if err := w.writeBytes(buf); err != nil {
			return block{}, err
		}
		if err := w.writeBytes(zeros[:pad8(int64(len(buf)))-int64(len(buf))]); err != nil {
			return block{}, err
		}
	}
	return blk, nil
}

// writeMessage finishes the message whose header the builder holds and
// writes it, framed and padded to 8 bytes; the caller writes the body.
func (w *ipcWriter) writeMessage(kind byte, header flatbuffers.UOffsetT, bodyLen int64) (block, error) {
	b := w.fb
	b.StartObject(5)
	b.PrependInt16Slot(slotMessageVersion, fbMetadataV5, 0)
	b.PrependByteSlot(slotMessageHeaderType, kind, 0)
	b.PrependUOffsetTSlot(slotMessageHeader, header, 0)
	b.PrependInt64Slot(slotMessageBodyLength, bodyLen, 0)
	b.Finish(b.EndObject())
	meta := b.FinishedBytes()
	size := pad8(int64(len(meta)) + 8)
	blk := block{offset: w.pos, meta: int32(size), body: bodyLen}
	if err := w.write(0xFFFFFFFF, uint32(size-8)); err != nil {
		return block{}, err
	}
	if err := w.writeBytes(meta); err != nil {
		return block{}, err
	}
	var zeros [8]byte
	return blk, w.writeBytes(zeros[:size-8-int64(len(meta))])
}

// compress fills w.packed with w.bufs compressed, each after its length as
// an int64 (the format's BUFFER method), on GOMAXPROCS goroutines.
func (w *ipcWriter) compress() error {
	n := len(w.bufs)
	w.packed = append(w.packed[:0], make([][]byte, n)...)
	for len(w.scratch) < n {
		w.scratch = append(w.scratch, nil)
	}
	var enc *zstd.Encoder
	if w.codec == CompressionZstd {
		var err error
		if enc, err = ipcZstdEncoder(w.level); err != nil {
			return err
		}
	}
	workers := min(runtime.GOMAXPROCS(0), n)
	for len(w.lz4s) < workers && w.codec == CompressionLZ4 {
		lw := lz4.NewWriter(nil)
		// As arrow writes LZ4 frames, to match the C++ implementation.
		if err := lw.Apply(lz4.ChecksumOption(false), lz4.BlockSizeOption(lz4.Block64Kb)); err != nil {
			return err
		}
		w.lz4s = append(w.lz4s, lw)
	}
	var next atomic.Int64
	var firstErr error
	var mu sync.Mutex
	work := func(worker int) {
		for {
			i := int(next.Add(1) - 1)
			if i >= n {
				return
			}
			src := w.bufs[i]
			if len(src) == 0 {
				w.packed[i] = nil
				continue
			}
			dst := binary.LittleEndian.AppendUint64(w.scratch[i][:0], uint64(len(src)))
			var err error
			if enc != nil {
				dst = enc.EncodeAll(src, dst)
			} else {
				dst, err = lz4Frame(w.lz4s[worker], dst, src)
			}
			if err != nil {
				mu.Lock()
				if firstErr == nil {
					firstErr = err
				}
				mu.Unlock()
				return
			}
			w.scratch[i], w.packed[i] = dst, dst
		}
	}
	if workers <= 1 {
		work(0)
		return firstErr
	}
	var wg sync.WaitGroup
	wg.Add(workers)
	for k := range workers {
		go func() {
			defer wg.Done()
			work(k)
		}()
	}
	wg.Wait()
	return firstErr
}

// lz4Frame appends src to dst as one LZ4 frame.
func lz4Frame(lw *lz4.Writer, dst, src []byte) ([]byte, error) {
	aw := appendWriter{dst}
	lw.Reset(&aw)
	if _, err := lw.Write(src); err != nil {
		return nil, err
	}
	if err := lw.Close(); err != nil {
		return nil, err
	}
	return aw.b, nil
}

type appendWriter struct{ b []byte }

func (a *appendWriter) Write(p []byte) (int, error) { a.b = append(a.b, p...); return len(p), nil }

// ipcZstdEncoders maps a zstd level to its *zstd.Encoder, whose EncodeAll is
// safe for concurrent use.
var ipcZstdEncoders sync.Map

func ipcZstdEncoder(level int) (*zstd.Encoder, error) {
	if e, ok := ipcZstdEncoders.Load(level); ok {
		return e.(*zstd.Encoder), nil
	}
	// The frame checksum is redundant inside the IPC format, and no reader
	// needs it.
	e, err := zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.EncoderLevelFromZstd(level)), zstd.WithEncoderCRC(false),
		zstd.WithZeroFrames(true))
	if err != nil {
		return nil, err
	}
	actual, _ := ipcZstdEncoders.LoadOrStore(level, e)
	return actual.(*zstd.Encoder), nil
}

// dictField names the field of dictionary id, for errors.
func (w *ipcWriter) dictField(id int) string {
	k := 0
	for _, f := range w.schema.Fields() {
		if _, ok := f.Type.(*arrow.DictionaryType); ok {
			if k == id {
				return f.Name
			}
			k++
		}
	}
	return fmt.Sprint("dictionary ", id)
}

// schemaTable builds the Schema table; dictionary ids count the dictionary
// fields depth first, as visit meets them.
func (w *ipcWriter) schemaTable(b *flatbuffers.Builder) (flatbuffers.UOffsetT, error) {
	var nextID int64
	fields := make([]flatbuffers.UOffsetT, 0, w.schema.NumFields())
	for _, f := range w.schema.Fields() {
		off, err := fieldTable(b, f, &nextID)
		if err != nil {
			return 0, err
		}
		fields = append(fields, off)
	}
	fieldVec := offsetVector(b, fields)
	md := w.schema.Metadata()
	kvs := make([]flatbuffers.UOffsetT, 0, md.Len())
	for i, k := range md.Keys() {
		key, value := b.CreateString(k), b.CreateString(md.Values()[i])
		b.StartObject(2)
		b.PrependUOffsetTSlot(0, key, 0)
		b.PrependUOffsetTSlot(1, value, 0)
		kvs = append(kvs, b.EndObject())
	}
	var kvVec flatbuffers.UOffsetT
	if len(kvs) > 0 {
		kvVec = offsetVector(b, kvs)
	}
	b.StartObject(4)
	b.PrependUOffsetTSlot(1, fieldVec, 0)
	if kvVec != 0 {
		b.PrependUOffsetTSlot(2, kvVec, 0)
	}
	return b.EndObject(), nil
}

// fieldTable builds the Field table of f and its children.
func fieldTable(b *flatbuffers.Builder, f arrow.Field, nextID *int64) (flatbuffers.UOffsetT, error) {
	if f.HasMetadata() {
		return 0, fmt.Errorf("arrow ipc: field %s: field metadata is not supported", f.Name)
	}
	typ := f.Type
	var dict flatbuffers.UOffsetT
	if dt, ok := typ.(*arrow.DictionaryType); ok {
		it, ok := dt.IndexType.(arrow.FixedWidthDataType)
		if !ok {
			return 0, fmt.Errorf("arrow ipc: field %s: index type %s", f.Name, dt.IndexType)
		}
		signed := true
		switch dt.IndexType.ID() {
		case arrow.UINT8, arrow.UINT16, arrow.UINT32, arrow.UINT64:
			signed = false
		}
		index := intTable(b, it.BitWidth(), signed)
		b.StartObject(4)
		b.PrependInt64Slot(0, *nextID, 0)
		b.PrependUOffsetTSlot(1, index, 0)
		b.PrependBoolSlot(2, dt.Ordered, false)
		dict = b.EndObject()
		*nextID++
		typ = dt.ValueType
	}
	var children []flatbuffers.UOffsetT
	var kind byte
	var body flatbuffers.UOffsetT
	switch t := typ.(type) {
	case *arrow.StringType:
		kind, body = fbTypeUtf8, emptyTable(b)
	case *arrow.BooleanType:
		kind, body = fbTypeBool, emptyTable(b)
	case *arrow.Int8Type, *arrow.Int16Type, *arrow.Int32Type, *arrow.Int64Type:
		kind, body = fbTypeInt, intTable(b, t.(arrow.FixedWidthDataType).BitWidth(), true)
	case *arrow.Uint8Type, *arrow.Uint16Type, *arrow.Uint32Type, *arrow.Uint64Type:
		kind, body = fbTypeInt, intTable(b, t.(arrow.FixedWidthDataType).BitWidth(), false)
	case *arrow.Float64Type:
		b.StartObject(1)
		b.PrependInt16Slot(0, fbPrecisionDouble, 0)
		kind, body = fbTypeFloatingPoint, b.EndObject()
	case *arrow.Date32Type:
		b.StartObject(1)
		b.PrependInt16Slot(0, fbDateDay, fbDateMillisecond)
		kind, body = fbTypeDate, b.EndObject()
	case *arrow.ListType:
		child, err := fieldTable(b, t.ElemField(), nextID)
		if err != nil {
			return 0, err
		}
		children = append(children, child)
		kind, body = fbTypeList, emptyTable(b)
	case *arrow.StructType:
		for _, cf := range t.Fields() {
			child, err := fieldTable(b, cf, nextID)
			if err != nil {
				return 0, err
			}
			children = append(children, child)
		}
		kind, body = fbTypeStruct, emptyTable(b)
	default:
		return 0, fmt.Errorf("arrow ipc: field %s: type %s is not supported", f.Name, typ)
	}
	childVec := offsetVector(b, children)
	name := b.CreateString(f.Name)
	b.StartObject(7)
	b.PrependUOffsetTSlot(0, name, 0)
	b.PrependBoolSlot(1, f.Nullable, false)
	b.PrependByteSlot(2, kind, 0)
	b.PrependUOffsetTSlot(3, body, 0)
	if dict != 0 {
		b.PrependUOffsetTSlot(4, dict, 0)
	}
	b.PrependUOffsetTSlot(5, childVec, 0)
	return b.EndObject(), nil
}

func intTable(b *flatbuffers.Builder, bits int, signed bool) flatbuffers.UOffsetT {
	b.StartObject(2)
	b.PrependInt32Slot(0, int32(bits), 0)
	b.PrependBoolSlot(1, signed, false)
	return b.EndObject()
}

func emptyTable(b *flatbuffers.Builder) flatbuffers.UOffsetT {
	b.StartObject(0)
	return b.EndObject()
}

// offsetVector builds a vector of tables (an empty one for none: readers
// require the children of every field).
func offsetVector(b *flatbuffers.Builder, offs []flatbuffers.UOffsetT) flatbuffers.UOffsetT {
	b.StartVector(4, len(offs), 4)
	for i := len(offs) - 1; i >= 0; i-- {
		b.PrependUOffsetT(offs[i])
	}
	return b.EndVector(len(offs))
}

// blocks builds a vector of Block structs.
func blocks(b *flatbuffers.Builder, bs []block) flatbuffers.UOffsetT {
	b.StartVector(24, len(bs), 8)
	for i := len(bs) - 1; i >= 0; i-- {
		b.Prep(8, 24)
		b.PrependInt64(bs[i].body)
		b.Pad(4)
		b.PrependInt32(bs[i].meta)
		b.PrependInt64(bs[i].offset)
	}
	return b.EndVector(len(bs))
}

func pad8(n int64) int64 { return (n + 7) &^ 7 }

// write writes two little-endian uint32s.
func (w *ipcWriter) write(a, b uint32) error {
	var p [8]byte
	binary.LittleEndian.PutUint32(p[:], a)
	binary.LittleEndian.PutUint32(p[4:], b)
	return w.writeBytes(p[:])
}

func (w *ipcWriter) writeBytes(p []byte) error {
	if len(p) == 0 {
		return nil
	}
	n, err := w.w.Write(p)
	w.pos += int64(n)
	return err
}
