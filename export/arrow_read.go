package export

import (
	"errors"
	"fmt"
	"io"
	"iter"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/ipc"
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

func readArrowFile(r ReadAtSeeker, opts ArrowReadOptions) (timeline.Metadata, iter.Seq2[timeline.Event, error], error) {
	src := arrowInput{file: opts.File, format: "arrow"}
	var (
		fr    *ipc.FileReader
		alloc *limitAllocator
		dec   *eventDecoder
		meta  timeline.Metadata
	)
	err := src.guard(-1, func() error {
		size, err := r.Seek(0, io.SeekEnd)
		if err != nil {
			return err
		}
		if err := checkIPCFooter(r, size); err != nil {
			return err
		}
		alloc = newLimitAllocator(opts.Allocator, memoryLimit(size, opts.MaxMemory))
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
		meta, err = metadataFromSchema(fr.Schema().Metadata())
		return err
	})
	if err != nil {
		return timeline.Metadata{}, nil, err
	}
	seq := func(yield func(timeline.Event, error) bool) {
		row := 0
		for i := range fr.NumRecords() {
			var rec arrow.Record
			if err := src.guard(i, func() (err error) {
				rec, err = fr.RecordAt(i)
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
	alloc := newLimitAllocator(opts.Allocator, limit)
	msgs := newStreamMessages(r, alloc, size, limit)
	err := src.guard(-1, func() error {
		var err error
		if rd, err = ipc.NewReaderFromMessageReader(msgs, ipc.WithAllocator(alloc)); err != nil {
			return err
		}
		if dec, err = newEventDecoder(src, rd.Schema()); err != nil {
			return err
		}
		meta, err = metadataFromSchema(rd.Schema().Metadata())
		return err
	})
	if err != nil {
		if rd != nil {
			rd.Release() // and msgs with it
		} else {
			msgs.Release()
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
			done := false
			if err := src.guard(batch, func() error {
				if !rd.Next() {
					done = true
					return rd.Err()
				}
				if !rd.Record().Schema().Equal(dec.schema) {
					return fmt.Errorf("%w: a batch of another schema", ErrCorrupt)
				}
				return nil
			}); err != nil {
				yield(timeline.Event{}, err)
				return
			}
			if done {
				return
			}
			n, ok := dec.yieldBatch(rd.Record(), batch, row, yield)
			if !ok {
				return
			}
			row += n
		}
	}
	return meta, seq, nil
}
