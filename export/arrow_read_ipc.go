package export

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"unsafe"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/pierrec/lz4/v4"
)

// arrow v17's ipc.FileReader reads a record batch's body into one buffer
// and then copies each of the batch's buffers out of it into a buffer of
// its own: every byte of a batch is copied twice, and the second set of
// buffers is allocated afresh (its stream reader does the same).
// batchLoader lays out a batch whose layout it knows the way the format
// means it to be read, for the file reader (fileBatches) and the stream
// reader (streamSource, in arrow_read_stream.go): the body once, into one
// buffer, with the batch's buffers slices of it; a compressed body (zstd
// or LZ4 frames) it decompresses, each buffer in one call, into one
// buffer. Anything it does not know (another byte order, types it does
// not lay out, buffers off their 8-byte alignment, metadata it cannot
// follow, data that does not decompress to what it claims) it leaves to
// arrow's reader, batch by batch (a stream's batch, already read, as the
// message that arrow's reader reads next), so that arrow's errors for bad
// files stay what they were; what it accepts still goes through the
// decoder's checks (checkData, setData, dictIndices) as arrow's batches do.

// ipcBlock is a block of an Arrow file: a message's metadata, at off, and
// its body right after it.
type ipcBlock struct {
	off, meta, body int64
}

// The flatbuffer field slots of Message and RecordBatch (Message.fbs), and
// the sizes of the structs FieldNode and Buffer.
const (
	slotMessageVersion           = 0
	slotRecordBatchLength        = 0
	slotRecordBatchNodes         = 1
	slotRecordBatchBuffers       = 2
	slotRecordBatchCompression   = 3
	slotRecordBatchVariadicCount = 4

	fieldNodeSize  = 16
	bufferSize     = 16
	maxBatchLength = 1<<31 - 1
)

// batchLoader lays out the record batches of one schema from their
// messages, for the file and stream readers.
type batchLoader struct {
	schema *arrow.Schema
	mem    memory.Allocator
	// dicts says whether the schema holds dictionaries. Their values come
	// from a batch that arrow read, which build takes as dictRefs.
	dicts bool
}

// newBatchLoader returns a loader for the batches of schema, or nil when
// it does not lay them out (arrow's reader then reads every batch).
func newBatchLoader(schema *arrow.Schema, mem memory.Allocator) *batchLoader {
	if !schema.IsNativeEndian() {
		return nil
	}
	l := &batchLoader{schema: schema, mem: mem}
	for _, f := range schema.Fields() {
		if !loadable(f.Type, 0) {
			return nil
		}
		l.dicts = l.dicts || hasDictionary(f.Type)
	}
	return l
}

// fileBatches loads the record batches of one Arrow file.
type fileBatches struct {
	*batchLoader
	r      io.ReaderAt
	blocks []ipcBlock
}

// dictRef holds the dictionaries of the arrays of a batch that arrow read,
// each at its array's place in the tree of a column, without the rest of
// the batch.
type dictRef struct {
	dict     *array.Data // retained
	children []*dictRef
}

// newDictRefs returns the dictionaries of rec's columns.
func newDictRefs(rec arrow.Record) []*dictRef {
	refs := make([]*dictRef, len(rec.Columns()))
	for i, c := range rec.Columns() {
		refs[i] = newDictRef(c.Data())
	}
	return refs
}

func newDictRef(d arrow.ArrayData) *dictRef {
	r := &dictRef{}
	if dict, ok := d.Dictionary().(*array.Data); ok && dict != nil {
		dict.Retain()
		r.dict = dict
	}
	for _, c := range d.Children() {
		r.children = append(r.children, newDictRef(c))
	}
	return r
}

// releaseDictRefs releases the dictionaries that refs hold.
func releaseDictRefs(refs []*dictRef) {
	for _, r := range refs {
		if r.dict != nil {
			r.dict.Release()
		}
		releaseDictRefs(r.children)
	}
}

// child returns the reference of child i, or nil.
func (r *dictRef) child(i int) *dictRef {
	if r == nil || i >= len(r.children) {
		return nil
	}
	return r.children[i]
}

// newFileBatches returns a loader for the batches of blocks, or nil when
// the file is not one it can read (arrow's reader then reads every batch).
func newFileBatches(r io.ReaderAt, schema *arrow.Schema, mem memory.Allocator, blocks []ipcBlock, batches int) *fileBatches {
	if len(blocks) != batches {
		return nil
	}
	l := newBatchLoader(schema, mem)
	if l == nil {
		return nil
	}
	return &fileBatches{batchLoader: l, r: r, blocks: blocks}
}

// loadable reports whether batchLoader lays out arrays of type t.
func loadable(t arrow.DataType, depth int) bool {
	if depth > maxSchemaDepth {
		return false
	}
	switch t := t.(type) {
	case *arrow.StringType, *arrow.LargeStringType, *arrow.BinaryType, *arrow.LargeBinaryType:
		return true
	case *arrow.ListType:
		return loadable(t.Elem(), depth+1)
	case *arrow.LargeListType:
		return loadable(t.Elem(), depth+1)
	case *arrow.StructType:
		for _, f := range t.Fields() {
			if !loadable(f.Type, depth+1) {
				return false
			}
		}
		return true
	case *arrow.DictionaryType:
		return isFixedWidth(t.IndexType)
	}
	return isFixedWidth(t)
}

// isFixedWidth reports whether t is laid out as a validity bitmap and one
// buffer of whole bytes per value, as arrow's loadPrimitive reads it.
func isFixedWidth(t arrow.DataType) bool {
	switch t.(type) {
	case *arrow.Int8Type, *arrow.Int16Type, *arrow.Int32Type, *arrow.Int64Type,
		*arrow.Uint8Type, *arrow.Uint16Type, *arrow.Uint32Type, *arrow.Uint64Type,
		*arrow.Float32Type, *arrow.Float64Type, *arrow.Date32Type, *arrow.Date64Type,
		*arrow.TimestampType, *arrow.DurationType:
		return true
	}
	return false
}

func hasDictionary(t arrow.DataType) bool {
	switch t := t.(type) {
	case *arrow.DictionaryType:
		return true
	case *arrow.ListType:
		return hasDictionary(t.Elem())
	case *arrow.LargeListType:
		return hasDictionary(t.Elem())
	case *arrow.StructType:
		for _, f := range t.Fields() {
			if hasDictionary(f.Type) {
				return true
			}
		}
	}
	return false
}

// load reads batch i, taking the values of dictionaries from refs (those
// of a batch of the same file that arrow read; nil when the schema has
// none). It returns a nil record, and no error, when arrow's reader is to
// read the batch instead. Its panics (arrow's array constructors panic on
// some inconsistencies) are the caller's to recover; it leaks no buffer
// then.
func (l *fileBatches) load(i int, refs []*dictRef) (arrow.Record, error) {
	if l.dicts && refs == nil {
		return nil, nil
	}
	blk := l.blocks[i]
	if blk.off%8 != 0 || blk.meta%8 != 0 || blk.body%8 != 0 || blk.meta < 8 {
		return nil, nil
	}
	meta := make(flatBuf, blk.meta)
	if err := readFullAt(l.r, meta, blk.off); err != nil {
		return nil, err
	}
	if binary.LittleEndian.Uint32(meta) != ipcContinuation {
		return nil, nil // an old layout: arrow's
	}
	w := batchWalk{meta: meta[8:]}
	rows, ok := w.open(blk.body)
	if !ok {
		return nil, nil
	}
	body := memory.NewResizableBuffer(l.mem)
	defer body.Release()
	body.Resize(int(blk.body))
	if !aligned(body) {
		return nil, nil
	}
	if err := readFullAt(l.r, body.Bytes(), blk.off+blk.meta); err != nil {
		return nil, err
	}
	return l.build(&w, rows, body, refs), nil
}

// aligned reports whether buf starts at a multiple of 8 bytes, as the
// slices of it that build makes must (an allocator that does not align
// leaves its batches to arrow).
func aligned(buf *memory.Buffer) bool {
	p := uintptr(unsafe.Pointer(unsafe.SliceData(buf.Bytes())))
	return p%8 == 0 || buf.Len() == 0
}

// build lays out the batch of rows rows whose message w has opened and
// whose body is body, taking the values of dictionaries from refs. It
// returns nil when arrow's reader is to read the batch instead: data that
// does not decompress to what it claims, buffers or nodes that do not fit
// the schema. The record holds what it needs of body, which the caller
// still releases. Its panics are the caller's to recover; it leaks no
// buffer then.
func (l *batchLoader) build(w *batchWalk, rows int, body *memory.Buffer, refs []*dictRef) arrow.Record {
	if l.dicts && refs == nil || !aligned(body) {
		return nil
	}
	w.body = body
	if w.codec >= 0 {
		plain, ok := w.decompress(l.mem)
		if !ok {
			return nil
		}
		defer plain.Release()
		w.body = plain
	}
	defer func() {
		for _, d := range w.made {
			d.Release()
		}
		w.made = nil
	}()
	cols := make([]arrow.Array, len(l.schema.Fields()))
	defer func() {
		for _, c := range cols {
			if c != nil {
				c.Release()
			}
		}
	}()
	for k, f := range l.schema.Fields() {
		var r *dictRef
		if k < len(refs) {
			r = refs[k]
		}
		d, ok := w.load(f.Type, r)
		if !ok {
			return nil
		}
		if d.Len() != rows {
			return nil // arrow's reader says what is wrong
		}
		cols[k] = array.MakeFromData(d)
	}
	return array.NewRecord(l.schema, cols, int64(rows))
}

// readFullAt reads len(b) bytes at off.
func readFullAt(r io.ReaderAt, b []byte, off int64) error {
	n, err := r.ReadAt(b, off)
	if n == len(b) {
		return nil
	}
	if err == nil || err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	return err
}

// batchWalk hands out the field nodes and buffers of a RecordBatch
// message in the order of the schema's fields, depth first.
type batchWalk struct {
	meta             flatBuf
	body             *memory.Buffer
	nodes, buffers   uint32 // the positions of the vectors
	nnodes, nbuffers uint32 // and their lengths
	inode, ibuffer   uint32
	made             []*array.Data // to release once the record holds them
	// codec is the body's compression (fbCompressionZstd or
	// fbCompressionLZ4Frame), or -1 for none. Once decompress has run,
	// spans holds each buffer's place in the decompressed body.
	codec int
	spans []span
}

// span is a buffer's place in a body.
type span struct{ off, n int64 }

// open finds the vectors of the RecordBatch message and returns its
// number of rows; it fails (for arrow's reader to read it) on anything but
// a record batch, uncompressed or compressed by buffer with zstd or LZ4, of
// metadata version V4 or later whose bodyLength is body.
func (w *batchWalk) open(body int64) (rows int, ok bool) {
	b := w.meta
	t, err := b.root()
	if err != nil {
		return 0, false
	}
	if v, err := b.field(t, slotMessageVersion); err != nil || v == 0 {
		return 0, false // V1, the default: arrow's
	} else if ver, err := b.u16(v); err != nil || ver < fbMetadataV4 || ver > fbMetadataV5 {
		return 0, false
	}
	ht, err := b.field(t, slotMessageHeaderType)
	if err != nil || ht == 0 || int(ht) >= len(b) || b[ht] != fbHeaderRecordBatch {
		return 0, false
	}
	if bl, err := b.field(t, slotMessageBodyLength); err != nil || bl == 0 {
		return 0, false
	} else if n, err := b.u64(bl); err != nil || int64(n) != body {
		return 0, false
	}
	rb, err := b.table(t, slotMessageHeader)
	if err != nil || rb == 0 {
		return 0, false
	}
	if f, err := b.field(rb, slotRecordBatchVariadicCount); err != nil || f != 0 {
		return 0, false
	}
	w.codec = -1
	if c, err := b.table(rb, slotRecordBatchCompression); err != nil {
		return 0, false
	} else if c != 0 {
		// BodyCompression: codec (default LZ4_FRAME) and method (only
		// BUFFER, 0, exists).
		codec, method := byte(fbCompressionLZ4Frame), byte(0)
		for slot, v := range []*byte{&codec, &method} {
			f, err := b.field(c, slot)
			if err != nil {
				return 0, false
			}
			if f != 0 {
				if int(f) >= len(b) {
					return 0, false
				}
				*v = b[f]
			}
		}
		if method != 0 || (codec != fbCompressionZstd && codec != fbCompressionLZ4Frame) {
			return 0, false
		}
		w.codec = int(codec)
	}
	lf, err := b.field(rb, slotRecordBatchLength)
	if err != nil || lf == 0 {
		return 0, false
	}
	n, err := b.u64(lf)
	if err != nil || int64(n) < 0 || n > maxBatchLength {
		return 0, false
	}
	if w.nodes, w.nnodes, err = b.vector(rb, slotRecordBatchNodes, fieldNodeSize); err != nil {
		return 0, false
	}
	if w.buffers, w.nbuffers, err = b.vector(rb, slotRecordBatchBuffers, bufferSize); err != nil {
		return 0, false
	}
	return int(n), true
}

func (b flatBuf) u64(off uint32) (uint64, error) {
	if uint64(off)+8 > uint64(len(b)) {
		return 0, errFlatBuf
	}
	return binary.LittleEndian.Uint64(b[off:]), nil
}

// node returns the next field node: its length and null count.
func (w *batchWalk) node() (length, nulls int, ok bool) {
	if w.inode >= w.nnodes {
		return 0, 0, false
	}
	p := w.meta[w.nodes+w.inode*fieldNodeSize:]
	w.inode++
	n, z := int64(binary.LittleEndian.Uint64(p)), int64(binary.LittleEndian.Uint64(p[8:]))
	if n < 0 || n > maxBatchLength || z < 0 || z > n {
		return 0, 0, false
	}
	return int(n), int(z), true
}

// buffer returns the next buffer, a slice of the body, as arrow's reader
// makes it (an empty buffer for length 0).
func (w *batchWalk) buffer() (*memory.Buffer, bool) {
	if w.ibuffer >= w.nbuffers {
		return nil, false
	}
	off, n := w.bufferSpan(w.ibuffer)
	w.ibuffer++
	if w.spans != nil {
		off, n = w.spans[w.ibuffer-1].off, w.spans[w.ibuffer-1].n
	}
	size := int64(w.body.Len())
	if off < 0 || n < 0 || off > size || n > size-off || off%8 != 0 {
		return nil, false
	}
	if n == 0 {
		return memory.NewBufferBytes(nil), true
	}
	return memory.SliceBuffer(w.body, int(off), int(n)), true
}

// bufferSpan returns where buffer i lies in the message's body, as the
// message says.
func (w *batchWalk) bufferSpan(i uint32) (off, n int64) {
	p := w.meta[w.buffers+i*bufferSize:]
	return int64(binary.LittleEndian.Uint64(p)), int64(binary.LittleEndian.Uint64(p[8:]))
}

// maxIPCBuffer is the largest decompressed buffer the loader takes; a
// larger claim goes to arrow's reader, which says what is wrong.
const maxIPCBuffer = 1<<31 - 1

// decompress replaces the compressed body by one buffer of mem holding
// every buffer decompressed, each at an offset of a multiple of 8, and
// records their places in spans. Each compressed buffer starts with its
// decompressed length as an int64, -1 for a buffer stored as it is. ok is
// false when the batch is for arrow's reader (a claim it cannot meet, data
// that does not decompress to the length it claims); the caller releases
// both bodies.
func (w *batchWalk) decompress(mem memory.Allocator) (plain *memory.Buffer, ok bool) {
	size := int64(w.body.Len())
	src := w.body.Bytes()
	w.spans = make([]span, w.nbuffers)
	var total int64
	for i := range w.nbuffers {
		off, n := w.bufferSpan(i)
		if off < 0 || n < 0 || off > size || n > size-off {
			return nil, false
		}
		if n == 0 {
			continue
		}
		if n < 8 {
			return nil, false
		}
		m := int64(binary.LittleEndian.Uint64(src[off:]))
		if m == -1 {
			m = n - 8
		}
		if m < 0 || m > maxIPCBuffer {
			return nil, false
		}
		w.spans[i] = span{total, m}
		total += pad8(m)
	}
	plain = memory.NewResizableBuffer(mem)
	plain.Resize(int(total))
	dst := plain.Bytes()
	for i := range w.nbuffers {
		off, n := w.bufferSpan(i)
		sp := w.spans[i]
		if n == 0 || sp.n == 0 && n == 8 {
			continue
		}
		out := dst[sp.off : sp.off+sp.n : sp.off+sp.n]
		in := src[off+8 : off+n]
		if int64(binary.LittleEndian.Uint64(src[off:])) == -1 {
			copy(out, in)
			continue
		}
		var got []byte
		var err error
		if w.codec == fbCompressionZstd {
			got, err = cappedZstdDecoder().DecodeAll(in, out[:0])
		} else {
			got, err = lz4Decode(out, in)
		}
		if err != nil || int64(len(got)) != sp.n || (len(got) > 0 && &got[0] != &out[0]) {
			plain.Release()
			return nil, false
		}
	}
	return plain, true
}

// lz4Decode decodes the LZ4 frame in into out, which must come out full.
func lz4Decode(out, in []byte) ([]byte, error) {
	r := lz4.NewReader(bytes.NewReader(in))
	if _, err := io.ReadFull(r, out); err != nil {
		return nil, err
	}
	var extra [1]byte
	if n, _ := r.Read(extra[:]); n != 0 {
		return nil, errors.New("lz4 frame longer than its buffer")
	}
	return out, nil
}

// validity returns the validity bitmap of a node with nulls nulls: none
// when there are none, though the message still counts a buffer for it.
func (w *batchWalk) validity(nulls int) (*memory.Buffer, bool) {
	if nulls == 0 {
		if w.ibuffer >= w.nbuffers {
			return nil, false
		}
		w.ibuffer++
		return nil, true
	}
	return w.buffer()
}

// load lays out the next array, of type t, as arrow's reader does; ref
// holds the dictionaries at the same place in a batch that arrow read (or
// is nil).
func (w *batchWalk) load(t arrow.DataType, ref *dictRef) (d *array.Data, ok bool) {
	n, nulls, ok := w.node()
	if !ok {
		return nil, false
	}
	bufs := make([]*memory.Buffer, 0, 3)
	defer func() {
		for _, b := range bufs {
			if b != nil {
				b.Release()
			}
		}
	}()
	v, ok := w.validity(nulls)
	bufs = append(bufs, v)
	if !ok {
		return nil, false
	}
	// take appends the next k buffers.
	take := func(k int) bool {
		for range k {
			b, ok := w.buffer()
			if !ok {
				return false
			}
			bufs = append(bufs, b)
		}
		return true
	}
	var children []arrow.ArrayData
	switch t := t.(type) {
	case *arrow.StringType, *arrow.LargeStringType, *arrow.BinaryType, *arrow.LargeBinaryType:
		if !take(2) {
			return nil, false
		}
	case *arrow.ListType, *arrow.LargeListType:
		if !take(1) {
			return nil, false
		}
		c, ok := w.load(t.(arrow.ListLikeType).Elem(), ref.child(0))
		if !ok {
			return nil, false
		}
		children = []arrow.ArrayData{c}
	case *arrow.StructType:
		for i, f := range t.Fields() {
			c, ok := w.load(f.Type, ref.child(i))
			if !ok {
				return nil, false
			}
			children = append(children, c)
		}
	case *arrow.DictionaryType:
		if ref == nil || ref.dict == nil || !arrow.TypeEqual(ref.dict.DataType(), t.ValueType) {
			return nil, false
		}
		if !take(1) {
			return nil, false
		}
		d = array.NewDataWithDictionary(t, n, bufs, nulls, 0, ref.dict)
		w.made = append(w.made, d)
		return d, true
	default:
		if !take(1) {
			return nil, false
		}
	}
	d = array.NewData(t, n, bufs, children, nulls, 0)
	w.made = append(w.made, d)
	return d, true
}
