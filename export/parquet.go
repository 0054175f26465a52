package export

import (
	"fmt"
	"io"
	"iter"
	"os"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/apache/arrow/go/v17/parquet"
	"github.com/apache/arrow/go/v17/parquet/compress"
	"github.com/apache/arrow/go/v17/parquet/pqarrow"
	"github.com/sourced-dev/sourced/internal/atomicfile"
	"github.com/sourced-dev/sourced/timeline"
)

// DefaultRowGroupSize is the number of events in a Parquet row group when
// the options leave RowGroupSize zero.
const DefaultRowGroupSize = 64 * 1024

// ParquetOptions configures WriteParquet and the functions that save
// Parquet files. The zero value writes zstd-compressed row groups of
// DefaultRowGroupSize events.
type ParquetOptions struct {
	// RowGroupSize is the number of events in a row group. The writer holds
	// a row group in memory, compressed, until it is complete. Zero means
	// DefaultRowGroupSize.
	RowGroupSize int
	// Compression is CompressionZstd (the default), CompressionSnappy or
	// CompressionNone.
	Compression Compression
	// Allocator allocates the batches' buffers; nil means Go's allocator.
	Allocator memory.Allocator
}

// ParquetReadOptions configures ReadParquet; its fields mean what
// ArrowReadOptions' do. The zero value is ready to use.
type ParquetReadOptions struct {
	File      string
	MaxMemory int64
	Allocator memory.Allocator
}

func (o ParquetOptions) rowGroupSize() int {
	if o.RowGroupSize > 0 {
		return o.RowGroupSize
	}
	return DefaultRowGroupSize
}

func (o ParquetOptions) codec() (compress.Compression, error) {
	switch o.Compression {
	case CompressionDefault, CompressionZstd:
		return compress.Codecs.Zstd, nil
	case CompressionSnappy:
		return compress.Codecs.Snappy, nil
	case CompressionNone:
		return compress.Codecs.Uncompressed, nil
	}
	return 0, fmt.Errorf("compression %s: Parquet takes zstd, snappy or none", o.Compression)
}

// WriteParquet writes events to w as one Parquet file, with meta in the
// file's key-value metadata and the Arrow schema stored beside it, so that
// pyarrow, pandas and polars restore the dictionary (category) columns.
// It holds one row group in memory at a time.
func WriteParquet(w io.Writer, meta timeline.Metadata, events iter.Seq[timeline.Event], opts ParquetOptions) (err error) {
	sw := &stickyWriter{w: w}
	defer func() {
		if sw.err != nil {
			err = sw.err
		}
		if err != nil {
			err = fmt.Errorf("export: write parquet: %w", err)
		}
	}()
	defer recoverWriteErr(&err)
	schema := arrowSchema(meta)
	fw, err := newParquetWriter(sw, schema, opts)
	if err != nil {
		return err
	}
	rb := newRecordBuilder(allocatorOr(opts.Allocator), schema)
	defer rb.release()
	// pqarrow's Write makes a row group per call; WriteBuffered fills a row
	// group up to MaxRowGroupLength across calls.
	if err := rb.writeAll(events, min(DefaultBatchSize, opts.rowGroupSize()), fw.WriteBuffered); err != nil {
		return err
	}
	return fw.Close()
}

// stickyWriter keeps the first error of w and fails every write after it.
// arrow v17's Parquet writer loses some write errors (file.Writer.Close
// returns nil after failing to write the footer) and turns others into
// panics without the error ("failed to write magic number"); the writers
// report this one instead. It also hides any Close method of w: the
// Parquet writer closes what it can, and the caller owns w.
type stickyWriter struct {
	w   io.Writer
	err error
}

func (s *stickyWriter) Write(p []byte) (int, error) {
	if s.err != nil {
		return 0, s.err
	}
	n, err := s.w.Write(p)
	if err != nil {
		s.err = err
	}
	return n, err
}

func newParquetWriter(w *stickyWriter, schema *arrow.Schema, opts ParquetOptions) (*pqarrow.FileWriter, error) {
	codec, err := opts.codec()
	if err != nil {
		return nil, err
	}
	mem := allocatorOr(opts.Allocator)
	props := []parquet.WriterProperty{
		parquet.WithAllocator(mem),
		parquet.WithCompression(codec),
		parquet.WithMaxRowGroupLength(int64(opts.rowGroupSize())),
		parquet.WithCreatedBy("sourced " + timeline.SchemaVersion + " (arrow go v17)"),
	}
	// Columns whose values are mostly unique gain nothing from dictionary
	// encoding, which costs an allocation per distinct value to write and
	// to read, and which the writer abandons once the dictionary page is
	// full anyway.
	for _, path := range uniqueColumns {
		props = append(props, parquet.WithDictionaryFor(path, false))
	}
	return pqarrow.NewFileWriter(schema, w, parquet.NewWriterProperties(props...),
		pqarrow.NewArrowWriterProperties(pqarrow.WithStoreSchema(), pqarrow.WithAllocator(mem)))
}

// uniqueColumns are the Parquet paths of the columns whose values are
// mostly unique.
var uniqueColumns = []string{colID, colTitle, colSummary, colNotes, colLat, colLon,
	colSources + ".list.element." + srcColTitle, colSources + ".list.element." + srcColURL,
	colSources + ".list.element." + srcColQuote}

// SaveParquet writes events to path as one Parquet file (see
// WriteParquet), atomically: a failed write leaves no file and any earlier
// file intact.
func SaveParquet(path string, meta timeline.Metadata, events iter.Seq[timeline.Event], opts ParquetOptions) error {
	return atomicfile.WriteFrom(path, func(w io.Writer) error { return WriteParquet(w, meta, events, opts) })
}

// LoadParquet reads the Parquet file at path and validates its events into
// a Dataset. Errors are *ReadError values naming the file.
func LoadParquet(path string) (*timeline.Dataset, error) {
	meta, events, err := readParquetFile(path)
	if err != nil {
		return nil, err
	}
	return datasetFromRead(path, "parquet", meta, events)
}

// readParquetFile reads every event of the Parquet file at path.
func readParquetFile(path string) (timeline.Metadata, []timeline.Event, error) {
	f, err := os.Open(path)
	if err != nil {
		return timeline.Metadata{}, nil, &ReadError{File: path, Format: "parquet", Batch: -1, Err: fmt.Errorf("%w: %w", ErrCorrupt, err)}
	}
	defer f.Close()
	meta, seq, err := ReadParquet(f, ParquetReadOptions{File: path})
	if err != nil {
		return timeline.Metadata{}, nil, err
	}
	events, err := collect(seq)
	if err != nil {
		return timeline.Metadata{}, nil, err
	}
	return meta, events, nil
}
