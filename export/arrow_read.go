package export

import (
	"errors"
	"fmt"
	"io"
	"iter"
	"math/bits"
	"sync"
	"unsafe"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/ipc"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/sourced-dev/sourced/timeline"
)

// arrowInput says which input a reader reads, for its errors.
type arrowInput struct {
	file, format string
}

// fail makes the *ReadError for err at batch (-1 if none), 1-based row (0
// if none) and column.
func (s arrowInput) fail(batch, row int, column string, err error) *ReadError {
	var re *ReadError
	if errors.As(err, &re) {
		return re
	}
	return &ReadError{File: s.file, Format: s.format, Batch: batch, Row: row, Column: column, Err: classifyReadErr(err)}
}

// guard runs f, turning a panic in it (arrow's readers panic on many kinds
// of bad input) into a *ReadError at batch.
func (s arrowInput) guard(batch int, f func() error) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = s.fail(batch, 0, "", recoveredErr(p))
		}
	}()
	if err := f(); err != nil {
		return s.fail(batch, 0, "", err)
	}
	return nil
}

// readAllocator returns the allocator for a reader's buffers, given the
// one its options name (or nil), and the hook that lets the decoder share
// those buffers with events rather than copy the text out of them (see
// eventDecoder.share), or nil. Only a reader's own recyclingAllocator can
// share: a caller's allocator may reuse the memory it frees.
func readAllocator(mem memory.Allocator) (memory.Allocator, func([]byte)) {
	if mem != nil {
		return mem, nil
	}
	r := &recyclingAllocator{}
	return r, r.share
}

// recyclingAllocator is Go's allocator with the buffers that arrow frees
// kept for reuse, for one reader. Each batch of an Arrow file takes two
// sets of buffers as large as the batch (the message body, then a copy of
// each of its buffers), and the garbage collector's work grows with what
// is allocated; reusing them halves the memory that a read allocates.
//
// The decoder shares the text buffers of a batch with the events it
// makes (see share): those are never reused but left to the garbage
// collector, which keeps them while events point into them. Arrow's IPC
// readers give every batch buffers of their own, fill each in full (from
// the input or a decompressor) and write none of them again, so a buffer
// handed out again holds only bytes that are about to be overwritten.
type recyclingAllocator struct {
	mu     sync.Mutex
	free   [][]byte           // buffers to reuse, each at its full capacity
	held   int                // their bytes
	shared map[*byte]struct{} // buffers that events point into
}

// The most a recyclingAllocator keeps for reuse: a batch of our files
// frees about 70 buffers (offsets, validity bitmaps, numbers), of which
// the message body is as large as the batch, and a stream frees one body
// while it holds the next. Beyond this, buffers go to the garbage
// collector as they would without reuse, so that the memory a reader holds
// stays within its limit plus this.
const (
	maxRecycled      = 256
	maxRecycledBytes = 64 << 20
)

// share records that events point into buf, a buffer of the allocator.
func (a *recyclingAllocator) share(buf []byte) {
	if cap(buf) == 0 {
		return
	}
	a.mu.Lock()
	if a.shared == nil {
		a.shared = map[*byte]struct{}{}
	}
	a.shared[unsafe.SliceData(buf)] = struct{}{}
	a.mu.Unlock()
}

func (a *recyclingAllocator) Allocate(size int) []byte {
	a.mu.Lock()
	best := -1
	for i, b := range a.free {
		// The smallest that fits, but none more than twice too large.
		if c := cap(b); c >= size && c <= 2*size+64 && (best < 0 || c < cap(a.free[best])) {
			best = i
		}
	}
	if best >= 0 {
		b := a.free[best]
		a.free[best] = a.free[len(a.free)-1]
		a.free = a.free[:len(a.free)-1]
		a.held -= cap(b)
		a.mu.Unlock()
		return b[:size]
	}
	a.mu.Unlock()
	// Round large sizes up (by at most an eighth), so that the next
	// batch's buffer, a little larger, still fits in this one.
	c := size
	if size >= 1<<16 {
		step := 1 << (bits.Len(uint(size)) - 4)
		c = (size + step - 1) &^ (step - 1)
	}
	return goAllocator.Allocate(c)[:size]
}

func (a *recyclingAllocator) Reallocate(size int, b []byte) []byte {
	if cap(b) >= size {
		return b[:size]
	}
	nb := a.Allocate(size)
	copy(nb, b)
	a.Free(b)
	return nb
}

func (a *recyclingAllocator) Free(b []byte) {
	if cap(b) == 0 {
		return
	}
	p := unsafe.SliceData(b)
	a.mu.Lock()
	defer a.mu.Unlock()
	if _, ok := a.shared[p]; ok {
		delete(a.shared, p) // the garbage collector's from now on
		return
	}
	if len(a.free) < maxRecycled && a.held+cap(b) <= maxRecycledBytes {
		a.free = append(a.free, b[:cap(b)])
		a.held += cap(b)
	}
}

var goAllocator = memory.NewGoAllocator()

func readArrowFile(r ReadAtSeeker, opts ArrowReadOptions) (timeline.Metadata, iter.Seq2[timeline.Event, error], error) {
	src := arrowInput{file: opts.File, format: "arrow"}
	var (
		fr     *ipc.FileReader
		alloc  *limitAllocator
		dec    *eventDecoder
		meta   timeline.Metadata
		share  func([]byte)
		loader *fileBatches // nil when arrow reads every batch
	)
	err := src.guard(-1, func() error {
		size, err := r.Seek(0, io.SeekEnd)
		if err != nil {
			return err
		}
		blocks, err := checkIPCFooter(r, size)
		if err != nil {
			return err
		}
		var base memory.Allocator
		base, share = readAllocator(opts.Allocator)
		alloc = newLimitAllocator(base, memoryLimit(size, opts.MaxMemory))
		// NewFileReader reads every dictionary; see limitAllocator.
		alloc.setGC(true)
		fr, err = ipc.NewFileReader(r, ipc.WithAllocator(alloc))
		alloc.setGC(false)
		if err != nil {
			return err
		}
		if dec, err = newEventDecoder(src, fr.Schema()); err != nil {
			return err
		}
		dec.share = share
		loader = newFileBatches(r, fr.Schema(), alloc, blocks, fr.NumRecords())
		meta, err = metadataFromSchema(fr.Schema().Metadata())
		return err
	})
	if err != nil {
		return timeline.Metadata{}, nil, err
	}
	seq := func(yield func(timeline.Event, error) bool) {
		// The dictionaries of a batch that arrow read, for loader.
		var dicts []*dictRef
		defer func() { releaseDictRefs(dicts) }()
		row := 0
		for i := range fr.NumRecords() {
			var rec arrow.Record
			if err := src.guard(i, func() (err error) {
				if loader != nil {
					if rec, err = loader.load(i, dicts); rec != nil || err != nil {
						return err
					}
				}
				if rec, err = fr.RecordAt(i); err == nil && dicts == nil && loader != nil && loader.dicts {
					dicts = newDictRefs(rec)
				}
				return err
			}); err != nil {
				yield(timeline.Event{}, err)
				return
			}
			n, ok := dec.yieldBatch(rec, i, row, yield)
			rec.Release()
			if !ok {
				return
			}
			row += n
		}
	}
	return meta, seq, nil
}

func readArrowStream(r io.Reader, opts ArrowReadOptions) (timeline.Metadata, iter.Seq2[timeline.Event, error], error) {
	src := arrowInput{file: opts.File, format: "arrow-stream"}
	var (
		rd   *ipc.Reader
		dec  *eventDecoder
		meta timeline.Metadata
	)
	size := sizeOfInput(r)
	limit := memoryLimit(size, opts.MaxMemory)
	base, share := readAllocator(opts.Allocator)
	alloc := newLimitAllocator(base, limit)
	// Arrow's reader reads the schema, the dictionaries and what else the
	// stream holds; source takes the record batches that batchLoader lays
	// out (see streamSource).
	source := newStreamSource(newStreamMessages(r, alloc, size, limit), nil)
	err := src.guard(-1, func() error {
		var err error
		if rd, err = ipc.NewReaderFromMessageReader(source, ipc.WithAllocator(alloc)); err != nil {
			return err
		}
		if dec, err = newEventDecoder(src, rd.Schema()); err != nil {
			return err
		}
		dec.share = share
		source.loader = newBatchLoader(rd.Schema(), alloc)
		meta, err = metadataFromSchema(rd.Schema().Metadata())
		return err
	})
	if err != nil {
		if rd != nil {
			rd.Release() // and source with it
		} else {
			source.Release()
		}
		return timeline.Metadata{}, nil, err
	}
	used := false
	seq := func(yield func(timeline.Event, error) bool) {
		if used {
			yield(timeline.Event{}, src.fail(-1, 0, "", fmt.Errorf("%w: a stream can be read only once", ErrCorrupt)))
			return
		}
		used = true
		defer rd.Release()
		row := 0
		for batch := 0; ; batch++ {
			var (
				rec       arrow.Record
				own, done bool
			)
			if err := src.guard(batch, func() (err error) {
				rec, own, done, err = source.nextBatch(rd, dec.schema)
				return err
			}); err != nil {
				yield(timeline.Event{}, err)
				return
			}
			if done {
				return
			}
			n, ok := dec.yieldBatch(rec, batch, row, yield)
			if own {
				rec.Release()
			}
			if !ok {
				return
			}
			row += n
		}
	}
	return meta, seq, nil
}
