package export

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"runtime"
	"sync"
	"sync/atomic"
	"unsafe"

	"github.com/apache/arrow/go/v17/arrow/memory"
)

// This file holds what stands between arrow v17 and a hostile file: arrow
// trusts the lengths that a file claims and allocates what they say, and an
// allocation too large for the machine is a fatal runtime error that recover
// cannot catch. So the readers give arrow an allocator that panics (which
// recover can catch) beyond a limit, read stream messages themselves to
// bound the metadata that arrow would make([]byte) for, and check the
// flatbuffer lengths that arrow would make slices of before arrow sees them.

const (
	minMemoryLimit    = 64 << 20 // enough for any honest small file
	memoryPerFileByte = 16       // room for compression and decoding
)

// memoryLimit is the most a reader of an input of size bytes (-1 when not
// known) may hold at once.
func memoryLimit(size, maxMemory int64) int64 {
	if maxMemory <= 0 {
		maxMemory = DefaultMaxMemory
	}
	if size < 0 || size > maxMemory/memoryPerFileByte {
		return maxMemory
	}
	return min(max(size*memoryPerFileByte, minMemoryLimit), maxMemory)
}

// limitError is the panic value of limitAllocator, and the error readers
// report (as ErrLimit) when they recover it.
type limitError struct {
	want, held, limit int64
}

func (e *limitError) Error() string {
	return fmt.Sprintf("the file asks for %d bytes more while %d are held, over the limit of %d bytes (ArrowReadOptions.MaxMemory raises it)",
		e.want, e.held, e.limit)
}

// limitAllocator passes allocations to base while the bytes held stay
// within limit, and panics with a *limitError beyond it.
//
// While gc is set it takes memory from Go's garbage-collected allocator
// instead: arrow v17's ipc.FileReader reads every dictionary into a memo
// when it opens and never releases them (FileReader.Close does not clear
// the memo, as the stream Reader's Release does), so dictionaries taken from
// the caller's allocator would stay held for ever.
type limitAllocator struct {
	base  memory.Allocator
	limit int64
	held  atomic.Int64

	mu    sync.Mutex
	gc    bool
	owned map[*byte]struct{} // buffers from Go's allocator, by address
}

var gcAllocator = memory.NewGoAllocator()

func newLimitAllocator(base memory.Allocator, limit int64) *limitAllocator {
	return &limitAllocator{base: allocatorOr(base), limit: limit}
}

func (a *limitAllocator) charge(n int64) {
	if n <= 0 {
		a.held.Add(n)
		return
	}
	for {
		held := a.held.Load()
		if held+n > a.limit {
			panic(&limitError{want: n, held: held, limit: a.limit})
		}
		if a.held.CompareAndSwap(held, held+n) {
			return
		}
	}
}

// fromGo reports whether b came from Go's allocator.
func (a *limitAllocator) fromGo(b []byte) bool {
	if cap(b) == 0 {
		return false
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	_, ok := a.owned[unsafe.SliceData(b)]
	return ok
}

func (a *limitAllocator) setGC(on bool) {
	a.mu.Lock()
	a.gc = on
	a.mu.Unlock()
}

func (a *limitAllocator) Allocate(size int) []byte {
	if size < 0 {
		panic(fmt.Errorf("%w: negative buffer size %d", ErrCorrupt, size))
	}
	a.charge(int64(size))
	a.mu.Lock()
	gc := a.gc
	a.mu.Unlock()
	if !gc {
		return a.base.Allocate(size)
	}
	b := gcAllocator.Allocate(size)
	if cap(b) > 0 {
		a.mu.Lock()
		if a.owned == nil {
			a.owned = map[*byte]struct{}{}
		}
		a.owned[unsafe.SliceData(b)] = struct{}{}
		a.mu.Unlock()
	}
	return b
}

func (a *limitAllocator) Reallocate(size int, b []byte) []byte {
	if size < 0 {
		panic(fmt.Errorf("%w: negative buffer size %d", ErrCorrupt, size))
	}
	a.charge(int64(size - len(b)))
	if !a.fromGo(b) {
		return a.base.Reallocate(size, b)
	}
	nb := gcAllocator.Reallocate(size, b)
	a.mu.Lock()
	delete(a.owned, unsafe.SliceData(b))
	if cap(nb) > 0 {
		a.owned[unsafe.SliceData(nb)] = struct{}{}
	}
	a.mu.Unlock()
	return nb
}

func (a *limitAllocator) Free(b []byte) {
	a.held.Add(-int64(len(b)))
	if a.fromGo(b) {
		a.mu.Lock()
		delete(a.owned, unsafe.SliceData(b))
		a.mu.Unlock()
		return
	}
	a.base.Free(b)
}

// recoveredErr turns a recovered panic into the sentinel it stands for.
func recoveredErr(p any) error {
	if e, ok := p.(error); ok {
		return classifyReadErr(e)
	}
	return fmt.Errorf("%w: %v", ErrCorrupt, p)
}

// classifyReadErr wraps err in ErrLimit when the memory limit stopped the read and
// in ErrCorrupt otherwise (unless it already wraps a sentinel).
func classifyReadErr(err error) error {
	var le *limitError
	var re runtime.Error
	switch {
	case errors.As(err, &le):
		return fmt.Errorf("%w: %w", ErrLimit, le)
	case errors.Is(err, ErrCorrupt), errors.Is(err, ErrSchema), errors.Is(err, ErrValue), errors.Is(err, ErrLimit):
		return err
	case errors.As(err, &re):
		return fmt.Errorf("%w: %v", ErrCorrupt, err)
	}
	return fmt.Errorf("%w: %w", ErrCorrupt, err)
}

// streamMessages reads the messages of an Arrow IPC stream (read, in
// arrow_read_stream.go, for streamSource, the message reader that
// arrow's reader reads) as ipc.NewMessageReader does, but refuses metadata and bodies longer than
// the input or the memory limit before allocating for them, checks schema
// flatbuffers (see checkSchemaMessage), and insists on the end-of-stream
// marker, so that a stream cut at a message boundary is an error rather
// than a shorter stream.
type streamMessages struct {
	r     io.Reader
	mem   memory.Allocator
	size  int64 // the input's size, or -1
	limit int64
}

const ipcContinuation = 0xFFFFFFFF

func newStreamMessages(r io.Reader, mem memory.Allocator, size, limit int64) *streamMessages {
	return &streamMessages{r: r, mem: mem, size: size, limit: limit}
}

// fits checks a length that the stream claims.
func (m *streamMessages) fits(what string, n int64) error {
	switch {
	case n < 0:
		return fmt.Errorf("%w: %s of %d bytes", ErrCorrupt, what, n)
	case m.size >= 0 && n > m.size:
		return fmt.Errorf("%w: %s of %d bytes in an input of %d", ErrCorrupt, what, n, m.size)
	case n > m.limit:
		return &limitError{want: n, limit: m.limit}
	}
	return nil
}

// noEOF turns io.EOF into io.ErrUnexpectedEOF: arrow's stream reader takes
// an error that is io.EOF for the clean end of the stream.
func noEOF(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

// flatBuf reads a flatbuffer the way the flatbuffers Go package does (with
// its uint32 arithmetic), but reports an access outside the buffer instead
// of panicking, so that checks can run before arrow reads the same bytes.
type flatBuf []byte

var errFlatBuf = fmt.Errorf("%w: malformed flatbuffer metadata", ErrCorrupt)

func (b flatBuf) u32(off uint32) (uint32, error) {
	if uint64(off)+4 > uint64(len(b)) {
		return 0, errFlatBuf
	}
	return binary.LittleEndian.Uint32(b[off:]), nil
}

func (b flatBuf) u16(off uint32) (uint16, error) {
	if uint64(off)+2 > uint64(len(b)) {
		return 0, errFlatBuf
	}
	return binary.LittleEndian.Uint16(b[off:]), nil
}

// root returns the position of the root table.
func (b flatBuf) root() (uint32, error) { return b.u32(0) }

// field returns the position of field slot of the table at t, or 0 when
// the table does not hold it.
func (b flatBuf) field(t uint32, slot int) (uint32, error) {
	so, err := b.u32(t)
	if err != nil {
		return 0, err
	}
	vt := uint32(int32(t) - int32(so))
	size, err := b.u16(vt)
	if err != nil {
		return 0, err
	}
	vo := uint16(4 + 2*slot)
	if vo >= size {
		return 0, nil
	}
	o, err := b.u16(vt + uint32(vo))
	if err != nil || o == 0 {
		return 0, err
	}
	return t + uint32(o), nil
}

// indirect follows the offset stored at pos.
func (b flatBuf) indirect(pos uint32) (uint32, error) {
	o, err := b.u32(pos)
	return pos + o, err
}

// table returns the position of the table that field slot of t refers to,
// or 0.
func (b flatBuf) table(t uint32, slot int) (uint32, error) {
	f, err := b.field(t, slot)
	if err != nil || f == 0 {
		return 0, err
	}
	return b.indirect(f)
}

// vector returns the start and length of the vector that field slot of t
// refers to, checking that its elemSize-byte elements lie in the buffer.
func (b flatBuf) vector(t uint32, slot int, elemSize uint64) (start, n uint32, err error) {
	f, err := b.field(t, slot)
	if err != nil || f == 0 {
		return 0, 0, err
	}
	v, err := b.indirect(f)
	if err != nil {
		return 0, 0, err
	}
	if n, err = b.u32(v); err != nil {
		return 0, 0, err
	}
	start = v + 4
	if uint64(start)+uint64(n)*elemSize > uint64(len(b)) {
		return 0, 0, fmt.Errorf("%w: a metadata list claims %d entries beyond its end", ErrCorrupt, n)
	}
	return start, n, nil
}

// The flatbuffer field slots that the checks read (from Schema.fbs,
// Message.fbs and File.fbs of the Arrow format).
const (
	slotFooterSchema        = 1
	slotFooterDictionaries  = 2
	slotFooterRecordBatches = 3
	slotSchemaFields        = 1
	slotSchemaMetadata      = 2
	slotFieldChildren       = 5
	slotFieldMetadata       = 6
	slotMessageHeaderType   = 1
	slotMessageHeader       = 2
	slotMessageBodyLength   = 3

	maxSchemaDepth  = 32
	maxSchemaFields = 10000
	fileBlockSize   = 24 // struct Block: offset int64, metaDataLength int32, pad, bodyLength int64
)

// checkSchema checks the lists of the Schema table at t that arrow v17
// makes slices for (fields, children and custom metadata, each of whose
// lengths it trusts), and the depth of nesting, which arrow follows by
// recursion: a cycle would overflow the stack, which is fatal.
func (b flatBuf) checkSchema(t uint32) error {
	count := 0
	var field func(t uint32, depth int) error
	field = func(t uint32, depth int) error {
		count++
		if depth > maxSchemaDepth || count > maxSchemaFields {
			return fmt.Errorf("%w: schema nested deeper than %d or with more than %d fields", ErrCorrupt, maxSchemaDepth, maxSchemaFields)
		}
		if _, _, err := b.vector(t, slotFieldMetadata, 4); err != nil {
			return err
		}
		start, n, err := b.vector(t, slotFieldChildren, 4)
		if err != nil {
			return err
		}
		for i := uint32(0); i < n; i++ {
			c, err := b.indirect(start + 4*i)
			if err != nil {
				return err
			}
			if err := field(c, depth+1); err != nil {
				return err
			}
		}
		return nil
	}
	if _, _, err := b.vector(t, slotSchemaMetadata, 4); err != nil {
		return err
	}
	start, n, err := b.vector(t, slotSchemaFields, 4)
	if err != nil {
		return err
	}
	for i := uint32(0); i < n; i++ {
		c, err := b.indirect(start + 4*i)
		if err != nil {
			return err
		}
		if err := field(c, 1); err != nil {
			return err
		}
	}
	return nil
}

// checkIPCMessage checks the metadata of a stream message and returns the
// length of its body.
func checkIPCMessage(meta []byte) (int64, error) {
	b := flatBuf(meta)
	t, err := b.root()
	if err != nil {
		return 0, err
	}
	ht, err := b.field(t, slotMessageHeaderType)
	if err != nil {
		return 0, err
	}
	if ht != 0 && int(ht) < len(b) && b[ht] == fbHeaderSchema {
		s, err := b.table(t, slotMessageHeader)
		if err != nil {
			return 0, err
		}
		if s != 0 {
			if err := b.checkSchema(s); err != nil {
				return 0, err
			}
		}
	}
	bl, err := b.field(t, slotMessageBodyLength)
	if err != nil || bl == 0 {
		return 0, err
	}
	if uint64(bl)+8 > uint64(len(b)) {
		return 0, errFlatBuf
	}
	return int64(binary.LittleEndian.Uint64(b[bl:])), nil
}

// checkIPCFooter reads the footer of an Arrow IPC file of size bytes and
// checks it before arrow does: the schema (see checkSchema) and that every
// block of a dictionary or record batch lies within the file, so that arrow
// does not allocate for a block that the file cannot hold. It returns the
// blocks of the record batches, in order.
func checkIPCFooter(r io.ReaderAt, size int64) ([]ipcBlock, error) {
	const clipTail = 6 + 4 // "ARROW1" and the footer's length
	if size < 8+clipTail {
		return nil, fmt.Errorf("%w: %d bytes is too small for an Arrow file", ErrCorrupt, size)
	}
	var end [clipTail]byte
	if _, err := r.ReadAt(end[:], size-clipTail); err != nil {
		return nil, fmt.Errorf("%w: reading the footer: %w", ErrCorrupt, err)
	}
	if string(end[4:]) != "ARROW1" {
		return nil, fmt.Errorf("%w: not an Arrow IPC file (no ARROW1 at the end)", ErrCorrupt)
	}
	n := int64(binary.LittleEndian.Uint32(end[:4]))
	if n <= 0 || n+clipTail+8 > size {
		return nil, fmt.Errorf("%w: footer of %d bytes in a file of %d", ErrCorrupt, n, size)
	}
	footer := make(flatBuf, n)
	if _, err := r.ReadAt(footer, size-clipTail-n); err != nil {
		return nil, fmt.Errorf("%w: reading the footer: %w", ErrCorrupt, err)
	}
	t, err := footer.root()
	if err != nil {
		return nil, err
	}
	s, err := footer.table(t, slotFooterSchema)
	if err != nil {
		return nil, err
	}
	if s == 0 {
		return nil, fmt.Errorf("%w: the footer holds no schema", ErrCorrupt)
	}
	if err := footer.checkSchema(s); err != nil {
		return nil, err
	}
	var batches []ipcBlock
	for _, slot := range []int{slotFooterDictionaries, slotFooterRecordBatches} {
		start, count, err := footer.vector(t, slot, fileBlockSize)
		if err != nil {
			return nil, err
		}
		for i := uint32(0); i < count; i++ {
			blk := footer[start+i*fileBlockSize:]
			off := int64(binary.LittleEndian.Uint64(blk))
			meta := int64(int32(binary.LittleEndian.Uint32(blk[8:])))
			body := int64(binary.LittleEndian.Uint64(blk[16:]))
			if off < 0 || meta < 0 || body < 0 || off > size || meta > size || body > size || off+meta+body > size-clipTail-n {
				return nil, fmt.Errorf("%w: block %d (offset %d, metadata %d, body %d bytes) lies outside the file of %d bytes",
					ErrCorrupt, i, off, meta, body, size)
			}
			if slot == slotFooterRecordBatches {
				batches = append(batches, ipcBlock{off: off, meta: meta, body: body})
			}
		}
	}
	return batches, nil
}
