package export

import (
	"encoding/binary"
	"fmt"
	"io"
	"sync/atomic"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/ipc"
	"github.com/apache/arrow/go/v17/arrow/memory"
	flatbuffers "github.com/google/flatbuffers/go"
)

// arrow v17's stream reader, like its file reader, copies each buffer of a
// record batch out of the message body into a buffer of its own, and
// decompresses through a stream decoder. streamSource gives the stream
// reader the same fast path as the file reader (see batchLoader) while
// arrow's ipc.Reader stays in charge of everything else: it is the message
// reader that arrow's reader reads, and it takes each record batch it can
// lay out for itself, handing arrow in its place a batch of no rows with
// the same nodes and buffers (all empty). Arrow reads the schema and every
// dictionary message (the first ones, deltas and replacements alike), and
// from the empty batch makes a record that holds the dictionaries as they
// stand for the batch, which batchLoader takes as dictRefs. A batch that
// batchLoader then cannot lay out (data that does not decompress to what
// it claims, nodes that do not fit the schema) is still in memory, message
// and body: streamSource hands it to arrow's reader as it is, which reads
// it or says what is wrong, just as for a batch of a file. Every message
// is read by streamMessages.read, which bounds what the stream claims
// before allocating for it, as arrow's reader has always been given.
// (Arrow's reader takes whatever comes in the place of the first
// dictionaries; should a stand-in come there, in a stream short of them,
// the message after it is an error.)

// streamSource is the ipc.MessageReader of a stream that readArrowStream
// reads with arrow's reader.
type streamSource struct {
	*streamMessages
	refCount atomic.Int64
	msg      *ipc.Message // the message arrow's reader has, or nil
	loader   *batchLoader // nil when arrow reads every batch
	// taken is the batch whose empty stand-in arrow read last, for the
	// caller to build (takeBatch), or nil.
	taken *streamBatch
	// pending is a message to hand arrow's reader next as it is, or nil.
	pending *ipc.Message
	// empty is the stand-in for batches of the shape emptyKey.
	empty    []byte
	emptyKey [3]uint32
}

// streamBatch is a record batch message of a stream, read in full.
type streamBatch struct {
	meta []byte
	body *memory.Buffer
	walk batchWalk
	rows int
}

// emptyBody is the body of the stand-in batches: no bytes, and no
// allocator, so that its Retain and Release do nothing.
var emptyBody = memory.NewBufferBytes(nil)

func newStreamSource(m *streamMessages, loader *batchLoader) *streamSource {
	s := &streamSource{streamMessages: m, loader: loader}
	s.refCount.Store(1)
	return s
}

// Retain adds a reference.
func (s *streamSource) Retain() { s.refCount.Add(1) }

// Release releases what the source holds once the last reference goes.
func (s *streamSource) Release() {
	if s.refCount.Add(-1) != 0 {
		return
	}
	if s.msg != nil {
		s.msg.Release()
		s.msg = nil
	}
	s.dropTaken()
	if s.pending != nil {
		s.pending.Release()
		s.pending = nil
	}
}

func (s *streamSource) dropTaken() {
	if s.taken != nil {
		s.taken.body.Release()
		s.taken = nil
	}
}

// hand makes msg the message arrow reads, which the source holds until it
// hands out the next.
func (s *streamSource) hand(msg *ipc.Message) *ipc.Message {
	if s.msg != nil {
		s.msg.Release()
	}
	s.msg = msg
	return msg
}

// Message returns the next message for arrow's reader: the pending one,
// or the next of the stream, or the empty stand-in of a record batch that
// the source takes for the caller.
func (s *streamSource) Message() (*ipc.Message, error) {
	if msg := s.pending; msg != nil {
		s.pending = nil
		return s.hand(msg), nil
	}
	if s.taken != nil {
		// Arrow's reader read the stand-in in the place of a dictionary
		// (getInitialDicts takes whatever comes for one), and goes on.
		return nil, fmt.Errorf("%w: a record batch where a dictionary batch belongs", ErrCorrupt)
	}
	meta, body, err := s.read()
	if err != nil {
		return nil, err
	}
	defer body.Release()
	if s.loader != nil {
		b := &streamBatch{meta: meta, walk: batchWalk{meta: meta}}
		if rows, ok := b.walk.open(int64(body.Len())); ok {
			body.Retain()
			b.body, b.rows = body, rows
			s.taken = b
			return s.hand(ipc.NewMessage(memory.NewBufferBytes(s.emptyBatch(&b.walk)), emptyBody)), nil
		}
	}
	return s.hand(ipc.NewMessage(memory.NewBufferBytes(meta), body)), nil
}

// nextBatch reads the next record batch of rd, whose message reader s is,
// and checks that it is of schema: a record of its own when own (which the
// caller releases), else arrow's (valid until the next call); done at the
// end of the stream. Its panics are the caller's to recover.
func (s *streamSource) nextBatch(rd *ipc.Reader, schema *arrow.Schema) (rec arrow.Record, own, done bool, err error) {
	// next reads the next batch with arrow's reader.
	next := func() error {
		if !rd.Next() {
			done = true
			return rd.Err()
		}
		rec = rd.Record()
		if !rec.Schema().Equal(schema) {
			return fmt.Errorf("%w: a batch of another schema", ErrCorrupt)
		}
		return nil
	}
	if err := next(); err != nil || done {
		return nil, false, done, err
	}
	got, err := s.takeBatch(rec)
	if err != nil || got == rec {
		return rec, false, false, err
	}
	if got != nil {
		return got, true, false, nil
	}
	// The batch is arrow's to read after all.
	if err := next(); err != nil || !done {
		return rec, false, done, err
	}
	return nil, false, false, fmt.Errorf("%w: the stream ends within a batch", ErrCorrupt)
}

// takeBatch returns the batch whose stand-in arrow's reader has just read
// as stand, laid out by the loader with the dictionaries of stand. When
// the loader cannot lay it out, it returns nil and makes the batch the
// message that arrow's reader reads next. When arrow read a batch itself,
// there is none to take, and it returns stand.
func (s *streamSource) takeBatch(stand arrow.Record) (arrow.Record, error) {
	b := s.taken
	if b == nil {
		return stand, nil
	}
	s.taken = nil
	defer b.body.Release()
	if stand.NumRows() != 0 {
		return nil, fmt.Errorf("%w: arrow's reader read %d rows from the empty stand-in of a batch", ErrCorrupt, stand.NumRows())
	}
	var refs []*dictRef
	if s.loader.dicts {
		refs = newDictRefs(stand)
		defer releaseDictRefs(refs)
	}
	if rec := s.loader.build(&b.walk, b.rows, b.body, refs); rec != nil {
		return rec, nil
	}
	s.pending = ipc.NewMessage(memory.NewBufferBytes(b.meta), b.body)
	return nil, nil
}

// emptyBatch returns the metadata of a record batch message of no rows,
// of w's metadata version, with as many field nodes and buffers as w,
// each empty and without compression.
func (s *streamSource) emptyBatch(w *batchWalk) []byte {
	version, _ := w.meta.version()
	key := [3]uint32{w.nnodes, w.nbuffers, uint32(version)}
	if s.empty != nil && s.emptyKey == key {
		return s.empty
	}
	b := flatbuffers.NewBuilder(64 + int(w.nnodes+w.nbuffers)*16)
	zeros := func(n int) flatbuffers.UOffsetT {
		b.StartVector(16, n, 8)
		for range n {
			b.Prep(8, 16)
			b.PrependInt64(0)
			b.PrependInt64(0)
		}
		return b.EndVector(n)
	}
	buffers := zeros(int(w.nbuffers))
	nodes := zeros(int(w.nnodes))
	b.StartObject(5)
	b.PrependUOffsetTSlot(slotRecordBatchNodes, nodes, 0)
	b.PrependUOffsetTSlot(slotRecordBatchBuffers, buffers, 0)
	batch := b.EndObject()
	b.StartObject(5)
	b.PrependInt16Slot(slotMessageVersion, int16(version), 0)
	b.PrependByteSlot(slotMessageHeaderType, fbHeaderRecordBatch, 0)
	b.PrependUOffsetTSlot(slotMessageHeader, batch, 0)
	b.Finish(b.EndObject())
	s.empty, s.emptyKey = b.FinishedBytes(), key
	return s.empty
}

// version returns the metadata version of the Message flatbuffer b.
func (b flatBuf) version() (uint16, error) {
	t, err := b.root()
	if err != nil {
		return 0, err
	}
	v, err := b.field(t, slotMessageVersion)
	if err != nil || v == 0 {
		return 0, err
	}
	return b.u16(v)
}

// read reads the next message of the stream: its metadata and its body,
// which the caller releases. It refuses metadata and bodies longer than
// the input or the memory limit before allocating for them, and returns
// io.EOF at the end-of-stream marker.
func (m *streamMessages) read() (flatBuf, *memory.Buffer, error) {
	var word [4]byte
	if _, err := io.ReadFull(m.r, word[:]); err != nil {
		if err == io.EOF {
			return nil, nil, fmt.Errorf("%w: the stream ends without its end-of-stream marker", ErrCorrupt)
		}
		return nil, nil, fmt.Errorf("%w: message length: %w", ErrCorrupt, noEOF(err))
	}
	n := binary.LittleEndian.Uint32(word[:])
	if n == ipcContinuation {
		if _, err := io.ReadFull(m.r, word[:]); err != nil {
			return nil, nil, fmt.Errorf("%w: message length: %w", ErrCorrupt, noEOF(err))
		}
		n = binary.LittleEndian.Uint32(word[:])
	}
	if n == 0 {
		return nil, nil, io.EOF
	}
	if err := m.fits("message metadata", int64(int32(n))); err != nil {
		return nil, nil, err
	}
	meta := make(flatBuf, n)
	if _, err := io.ReadFull(m.r, meta); err != nil {
		return nil, nil, fmt.Errorf("%w: message metadata: %w", ErrCorrupt, noEOF(err))
	}
	bodyLen, err := checkIPCMessage(meta)
	if err != nil {
		return nil, nil, err
	}
	if err := m.fits("message body", bodyLen); err != nil {
		return nil, nil, err
	}
	body := memory.NewResizableBuffer(m.mem)
	body.Resize(int(bodyLen))
	if _, err := io.ReadFull(m.r, body.Bytes()); err != nil {
		body.Release()
		return nil, nil, fmt.Errorf("%w: message body: %w", ErrCorrupt, noEOF(err))
	}
	return meta, body, nil
}
