package export

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"iter"
	"os"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/sourced-dev/sourced/internal/atomicfile"
	"github.com/sourced-dev/sourced/timeline"
)

// Compression names the codec of an Arrow or Parquet file.
type Compression uint8

// The codecs. Arrow IPC takes zstd and LZ4; Parquet takes zstd and Snappy
// (the Go Parquet writer has no LZ4).
const (
	CompressionDefault Compression = iota // none for Arrow, zstd for Parquet
	CompressionNone
	CompressionZstd
	CompressionLZ4
	CompressionSnappy
)

var compressionNames = [...]string{"default", "none", "zstd", "lz4", "snappy"}

// String returns the codec's name: "default", "none", "zstd", "lz4" or "snappy".
func (c Compression) String() string {
	if int(c) < len(compressionNames) {
		return compressionNames[c]
	}
	return fmt.Sprintf("Compression(%d)", c)
}

// DefaultBatchSize is the number of events in a record batch when the
// options leave BatchSize zero.
const DefaultBatchSize = 8192

// DefaultMaxMemory is the memory that an Arrow or Parquet reader may hold at
// once when the options leave MaxMemory zero.
const DefaultMaxMemory = 1 << 30

// ArrowOptions configures WriteArrow and WriteArrowStream. The zero value
// writes uncompressed batches of DefaultBatchSize events.
type ArrowOptions struct {
	// BatchSize is the number of events in a record batch; memory use grows
	// with it. Zero means DefaultBatchSize.
	BatchSize int
	// Compression is CompressionNone (the default), CompressionZstd or
	// CompressionLZ4. pandas and pyarrow read all three.
	Compression Compression
	// CompressionLevel is the zstd level, from 1 (fastest) to 22; zero
	// means DefaultArrowZstdLevel.
	CompressionLevel int
	// Allocator allocates the batches' buffers; nil means Go's allocator.
	Allocator memory.Allocator
}

// ArrowReadOptions configures ReadArrow and ReadArrowStream. The zero value
// is ready to use.
type ArrowReadOptions struct {
	// File is the name that errors give for the input; Load functions set
	// it to the path.
	File string
	// MaxMemory caps the bytes a reader holds at once. Arrow files say how
	// large their buffers are and the reader believes them, so a damaged
	// or hostile file could ask for any amount; the reader allows the
	// larger of 64 MiB and 16 times the input's size (when known), up to
	// MaxMemory, and fails with ErrLimit beyond it. A file holding one huge
	// batch may need more. Zero means DefaultMaxMemory.
	MaxMemory int64
	// Allocator allocates the buffers of the batches read; nil means Go's
	// allocator. Tests pass a memory.CheckedAllocator.
	Allocator memory.Allocator
}

// ReadAtSeeker is what the Arrow file format and Parquet need to read:
// random access and the size (an *os.File or a *bytes.Reader).
type ReadAtSeeker interface {
	io.Reader
	io.ReaderAt
	io.Seeker
}

// WriteArrow writes events to w as an Arrow IPC file (the format of
// .arrow and .feather files, which pandas.read_feather, pyarrow.ipc.open_file
// and polars.read_ipc open), with meta in the schema metadata. It writes
// batch by batch, holding one batch in memory, and never seeks: w may be a
// pipe. Readers of the file format need random access to read it back;
// those that read from a pipe want WriteArrowStream.
//
// When ctx is cancelled, WriteArrow stops within a few hundred events and
// returns the context's cause (see UntilError) before writing the file's
// footer: discard what it wrote (SaveArrow does).
func WriteArrow(ctx context.Context, w io.Writer, meta timeline.Metadata, events iter.Seq[timeline.Event], opts ArrowOptions) error {
	return writeArrow(ctx, "arrow", meta, events, opts, func(s *arrow.Schema) (recordWriter, error) {
		return newIPCWriter(w, s, opts, true)
	})
}

// WriteArrowStream writes events to w in the Arrow IPC stream format
// (pyarrow.ipc.open_stream, polars.read_ipc_stream), batch by batch. A
// cancelled ctx stops it as it stops WriteArrow, before the end-of-stream
// marker.
func WriteArrowStream(ctx context.Context, w io.Writer, meta timeline.Metadata, events iter.Seq[timeline.Event], opts ArrowOptions) error {
	return writeArrow(ctx, "arrow-stream", meta, events, opts, func(s *arrow.Schema) (recordWriter, error) {
		return newIPCWriter(w, s, opts, false)
	})
}

// SaveArrow writes events to path as an Arrow IPC file (see WriteArrow),
// atomically: a failed or cancelled write leaves no file and any earlier
// file intact.
func SaveArrow(ctx context.Context, path string, meta timeline.Metadata, events iter.Seq[timeline.Event], opts ArrowOptions) error {
	return atomicfile.Write(path, func(f *os.File) error { return WriteArrow(ctx, f, meta, events, opts) })
}

// SaveArrowStream writes events to path in the Arrow IPC stream format
// (see WriteArrowStream), atomically.
func SaveArrowStream(ctx context.Context, path string, meta timeline.Metadata, events iter.Seq[timeline.Event], opts ArrowOptions) error {
	return atomicfile.WriteFrom(path, func(w io.Writer) error { return WriteArrowStream(ctx, w, meta, events, opts) })
}

// ReadArrow reads an Arrow IPC file: it checks the schema and returns the
// dataset's metadata and the events, which it decodes batch by batch as the
// sequence is iterated; the sequence may be iterated more than once. Every
// error, from ReadArrow or from the sequence (which then stops), is a
// *ReadError; a file whose columns are not ours gives ErrSchema naming
// them. The events are not validated (LoadArrow validates them).
//
// With the default allocator the text of an event points into the memory
// of the record batch it came from, shared with the other events of that
// batch: keeping one event keeps its batch's text alive, until the strings
// kept are copied (strings.Clone). With ArrowReadOptions.Allocator set, text is
// copied out of the allocator's buffers once per column and batch.
func ReadArrow(r ReadAtSeeker, opts ArrowReadOptions) (timeline.Metadata, iter.Seq2[timeline.Event, error], error) {
	return readArrowFile(r, opts)
}

// ReadArrowStream reads the Arrow IPC stream format, as ReadArrow reads the
// file format, except that the sequence reads r as it goes and can be
// iterated once.
func ReadArrowStream(r io.Reader, opts ArrowReadOptions) (timeline.Metadata, iter.Seq2[timeline.Event, error], error) {
	return readArrowStream(r, opts)
}

// LoadArrow reads the Arrow IPC file at path and validates its events into a
// Dataset. Errors are *ReadError values naming the file; invalid events give
// ErrValue wrapping timeline.ValidationErrors.
func LoadArrow(path string) (*timeline.Dataset, error) {
	return loadArrowFile(path, "arrow", func(f *os.File, opts ArrowReadOptions) (timeline.Metadata, iter.Seq2[timeline.Event, error], error) {
		return ReadArrow(f, opts)
	})
}

// LoadArrowStream reads the Arrow IPC stream file at path and validates its
// events into a Dataset, as LoadArrow does.
func LoadArrowStream(path string) (*timeline.Dataset, error) {
	return loadArrowFile(path, "arrow-stream", func(f *os.File, opts ArrowReadOptions) (timeline.Metadata, iter.Seq2[timeline.Event, error], error) {
		return ReadArrowStream(f, opts)
	})
}

type arrowReadFunc func(f *os.File, opts ArrowReadOptions) (timeline.Metadata, iter.Seq2[timeline.Event, error], error)

// loadArrowFile opens path, reads it with read and validates the events.
func loadArrowFile(path, format string, read arrowReadFunc) (*timeline.Dataset, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, &ReadError{File: path, Format: format, Batch: -1, Err: fmt.Errorf("%w: %w", ErrCorrupt, err)}
	}
	defer f.Close()
	meta, seq, err := read(f, ArrowReadOptions{File: path})
	if err != nil {
		return nil, err
	}
	events, err := collect(seq)
	if err != nil {
		return nil, err
	}
	return datasetFromRead(path, format, meta, events)
}

// datasetFromRead validates what a reader read.
func datasetFromRead(path, format string, meta timeline.Metadata, events []timeline.Event) (*timeline.Dataset, error) {
	d, err := timeline.New(meta, events)
	if err != nil {
		return nil, &ReadError{File: path, Format: format, Batch: -1, Err: fmt.Errorf("%w: %w", ErrValue, err)}
	}
	return d, nil
}

// sizeOfInput returns the size of r when r can tell it, or -1.
func sizeOfInput(r any) int64 {
	switch r := r.(type) {
	case interface{ Stat() (fs.FileInfo, error) }:
		if fi, err := r.Stat(); err == nil && fi.Mode().IsRegular() {
			return fi.Size()
		}
	case interface{ Size() int64 }:
		return r.Size()
	}
	return -1
}
