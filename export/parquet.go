package export

import (
	"bytes"
	"cmp"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"iter"
	"os"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/ipc"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/apache/arrow/go/v17/parquet"
	"github.com/apache/arrow/go/v17/parquet/compress"
	"github.com/apache/arrow/go/v17/parquet/file"
	"github.com/apache/arrow/go/v17/parquet/metadata"
	"github.com/apache/arrow/go/v17/parquet/pqarrow"
	pqschema "github.com/apache/arrow/go/v17/parquet/schema"
	"github.com/sourced-dev/sourced/internal/atomicfile"
	"github.com/sourced-dev/sourced/timeline"
)

// DefaultRowGroupSize is the number of events in a Parquet row group when
// the options leave RowGroupSize zero: about 10 MiB of zstd data for
// events like those of seeds.Synthetic, which DuckDB, Spark, pyarrow and
// polars read in parallel, a row group each.
const DefaultRowGroupSize = 32 * 1024

// DefaultParquetZstdLevel is the zstd level of Parquet files when the
// options give none: 1, the level pyarrow (Arrow C++) writes by default.
// Measured on seeds.Synthetic, level 3 (polars' and zstd's own default)
// writes files about 5% smaller, and takes about an eighth longer.
const DefaultParquetZstdLevel = 1

// ParquetOptions configures WriteParquet and the functions that save
// Parquet files. The zero value writes zstd-compressed row groups of
// DefaultRowGroupSize events.
type ParquetOptions struct {
	// RowGroupSize is the number of events in a row group. The writer holds
	// a row group in memory, compressed, until it is complete, so it ends a
	// row group sooner when the row group holds 48 MiB of compressed data.
	// Zero means DefaultRowGroupSize.
	RowGroupSize int
	// Compression is CompressionZstd (the default), CompressionSnappy or
	// CompressionNone.
	Compression Compression
	// CompressionLevel is the zstd level, from 1 (fastest) to 22; zero
	// means DefaultParquetZstdLevel.
	CompressionLevel int
	// Allocator allocates the batches' buffers; nil means Go's allocator.
	// The writer's goroutines call it one at a time.
	Allocator memory.Allocator
}

// ParquetReadOptions configures ReadParquet and ReadParquetDataset; its
// fields mean what ArrowReadOptions' do. The zero value is ready to use.
//
// MaxMemory bounds each page as well: a page whose header claims more
// bytes than the reader may hold, compressed or not, fails with ErrLimit
// before anything is allocated for it, and no page decompresses to more
// than its header declares.
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
// It holds one row group in memory at a time, compressed, and encodes the
// columns of each batch on GOMAXPROCS goroutines while it builds the next
// batch from events.
//
// When ctx is cancelled, WriteParquet stops within a few hundred events and
// returns the context's cause (see UntilError) before writing the footer:
// discard what it wrote (SaveParquet does).
func WriteParquet(ctx context.Context, w io.Writer, meta timeline.Metadata, events iter.Seq[timeline.Event], opts ParquetOptions) (err error) {
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
	opts.Allocator = syncedAllocator(opts.Allocator)
	pw, err := newParquetWriter(sw, schema, opts, runtime.GOMAXPROCS(0))
	if err != nil {
		return err
	}
	defer pw.abort()
	rb := newRecordBuilder(allocatorOr(opts.Allocator), schema)
	defer rb.release()
	if events != nil {
		i := 0
		for e := range cancellable(ctx, events) {
			if err := rb.append(&e); err != nil {
				return fmt.Errorf("event %q (#%d): %w", e.ID, i+1, err)
			}
			i++
			// A batch ends at the end of a row group, so that no batch
			// is split between two, and sooner when its events are long
			// (rb.text counts the batch's text as append adds it).
			if rb.n >= min(parquetBatchSize, pw.room()) || rb.text >= parquetBatchBytes {
				if err := pw.writeRecord(rb.newRecord()); err != nil {
					return err
				}
			}
		}
		if rb.n > 0 {
			if err := pw.writeRecord(rb.newRecord()); err != nil {
				return err
			}
		}
	}
	if err := cancelled(ctx); err != nil {
		return err
	}
	return pw.close()
}

// parquetBatchSize is the number of events in the record batches that
// WriteParquet builds. Two batches are in memory at once, one being built
// while the other is encoded; smaller batches would cost more per call
// into the column writers.
const parquetBatchSize = 2048

// parquetBatchBytes ends a batch of long events before it has
// parquetBatchSize events: about the text of 8 MiB.
const parquetBatchBytes = 8 << 20

// parquetPageSize is the size at which the writer ends a data page.
const parquetPageSize = 256 << 10

// parquetRowGroupBytes is the most compressed data that the writer holds
// in a row group before it ends the row group, whatever RowGroupSize says.
// Row groups of events like seeds.Synthetic's take about 10 MiB at
// DefaultRowGroupSize; this bounds those of longer events.
var parquetRowGroupBytes int64 = 48 << 20 // a variable for tests

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

// writerProperties are the Parquet writer's settings for opts.
func (o ParquetOptions) writerProperties() (*parquet.WriterProperties, error) {
	codec, err := o.codec()
	if err != nil {
		return nil, err
	}
	props := []parquet.WriterProperty{
		parquet.WithAllocator(allocatorOr(o.Allocator)),
		parquet.WithCompression(codec),
		parquet.WithMaxRowGroupLength(int64(o.rowGroupSize())),
		parquet.WithCreatedBy("sourced " + timeline.SchemaVersion + " (arrow go v17)"),
		// The writer holds, for each column, the values of a page, the
		// page and the page compressed: smaller pages than parquet's 1
		// MiB hold less, for 1% more file. It checks the page's size
		// after each WriteBatchSize values, which for a summary of 700
		// bytes comes to 700 KiB with parquet's 1024.
		parquet.WithDataPageSize(parquetPageSize),
		parquet.WithBatchSize(256),
	}
	if o.CompressionLevel != 0 {
		if o.Compression != CompressionDefault && o.Compression != CompressionZstd {
			return nil, fmt.Errorf("compression level %d: only zstd takes a level", o.CompressionLevel)
		}
		if o.CompressionLevel < 1 || o.CompressionLevel > 22 {
			return nil, fmt.Errorf("compression level %d: zstd takes 1 to 22", o.CompressionLevel)
		}
	}
	if codec == compress.Codecs.Zstd {
		props = append(props, parquet.WithCompressionLevel(cmp.Or(o.CompressionLevel, DefaultParquetZstdLevel)))
	}
	// Columns whose values are mostly unique gain nothing from dictionary
	// encoding, which costs an allocation per distinct value to write and
	// to read, and which the writer abandons once the dictionary page is
	// full anyway.
	for _, path := range uniqueColumns {
		props = append(props, parquet.WithDictionaryFor(path, false))
	}
	// The least and greatest of a column of free text select nothing,
	// and the footer, which the writer holds until the end, would keep
	// two of them, up to 4 KiB each, for every row group.
	for _, path := range freeTextColumns {
		props = append(props, parquet.WithStatsFor(path, false))
	}
	return parquet.NewWriterProperties(props...), nil
}

// parquetWriter writes record batches of the events schema to a Parquet
// file, as pqarrow.FileWriter.WriteBuffered does, and to the same bytes,
// but encodes and compresses the columns of a batch on several goroutines
// while the caller builds the next batch. pqarrow (v17) cannot: its
// FileWriter writes the columns in turn through one shared scratch
// context. So the writer computes each leaf column's repetition and
// definition levels itself (see parquetLeaf) and hands them, with the leaf
// values, to pqarrow.WriteArrowToColumn, which each goroutine calls with a
// context of its own; the column chunk writers of a buffered row group are
// independent of one another.
type parquetWriter struct {
	fw      *file.Writer
	leaves  []parquetLeaf
	maxRows int
	workers []*columnWorker

	rgw    file.BufferedRowGroupWriter
	rgRows int          // rows given to rgw, including those in flight
	flight arrow.Record // the batch being encoded, or nil
	done   sync.WaitGroup
	order  []int        // leaves in the order the workers take them
	sizes  []int        // bytes of each leaf's values in the batch
	next   atomic.Int64 // the next index into order
	mu     sync.Mutex
	err    error // the first error of a worker
}

// columnWorker is what one goroutine needs to write leaf columns.
type columnWorker struct {
	ctx      context.Context // pqarrow's write context, with its scratch buffer
	def, rep []int16
}

// newParquetWriter starts a Parquet file of schema on w, whose batches it
// encodes on the given number of goroutines (1: on the caller's).
func newParquetWriter(w io.Writer, schema *arrow.Schema, opts ParquetOptions, workers int) (*parquetWriter, error) {
	props, err := opts.writerProperties()
	if err != nil {
		return nil, err
	}
	arrowProps := pqarrow.NewArrowWriterProperties(pqarrow.WithStoreSchema(), pqarrow.WithAllocator(props.Allocator()))
	pqschema, err := pqarrow.ToParquet(schema, props, arrowProps)
	if err != nil {
		return nil, err
	}
	leaves, err := parquetLeaves(schema, pqschema)
	if err != nil {
		return nil, err
	}
	// The key-value metadata as pqarrow.NewFileWriter writes it: the schema
	// metadata, then the Arrow schema as an IPC stream in base64.
	md := schema.Metadata()
	kv := make(metadata.KeyValueMetadata, 0, md.Len()+1)
	for i, k := range md.Keys() {
		kv.Append(k, md.Values()[i])
	}
	var stored bytes.Buffer
	iw := ipc.NewWriter(&stored, ipc.WithSchema(schema), ipc.WithAllocator(props.Allocator()))
	if err := iw.Close(); err != nil {
		return nil, err
	}
	kv.Append("ARROW:schema", base64.StdEncoding.EncodeToString(stored.Bytes()))

	pw := &parquetWriter{
		fw:      file.NewParquetWriter(w, pqschema.Root(), file.WithWriterProps(props), file.WithWriteMetadata(kv)),
		leaves:  leaves,
		maxRows: opts.rowGroupSize(),
	}
	for range max(workers, 1) {
		pw.workers = append(pw.workers, &columnWorker{ctx: pqarrow.NewArrowWriteContext(context.Background(), &arrowProps)})
	}
	return pw, nil
}

// room is how many rows the next batch may have: what the current row group
// takes, or a whole row group once it is full (the writer starts the next
// one when it takes that batch).
func (pw *parquetWriter) room() int {
	if pw.rgRows >= pw.maxRows {
		return pw.maxRows
	}
	return pw.maxRows - pw.rgRows
}

// writeRecord writes rec, which it releases, to the file: it waits for
// the batch before it to be encoded, then starts encoding rec and returns.
// A batch longer than room is split between row groups.
func (pw *parquetWriter) writeRecord(rec arrow.Record) error {
	defer rec.Release()
	for off := int64(0); off < rec.NumRows(); {
		if err := pw.wait(); err != nil {
			return err
		}
		n := min(rec.NumRows()-off, int64(pw.room()))
		part := rec
		if n < rec.NumRows() {
			part = rec.NewSlice(off, off+n)
		} else {
			rec.Retain()
		}
		pw.start(part)
		off += n
	}
	return nil
}

// start encodes rec, which it owns, into the current row group, on the
// workers' goroutines.
func (pw *parquetWriter) start(rec arrow.Record) {
	if pw.rgw == nil {
		pw.rgw = pw.fw.AppendBufferedRowGroup()
	}
	pw.rgRows += int(rec.NumRows())
	pw.flight = rec
	// The longest columns first, so that no goroutine is left with a long
	// one at the end while the others wait.
	pw.order, pw.sizes = pw.order[:0], pw.sizes[:0]
	for i := range pw.leaves {
		l := &pw.leaves[i]
		pw.order, pw.sizes = append(pw.order, i), append(pw.sizes, l.dataSize(rec.Column(l.field)))
	}
	slices.SortStableFunc(pw.order, func(a, b int) int { return cmp.Compare(pw.sizes[b], pw.sizes[a]) })
	pw.next.Store(0)
	if len(pw.workers) == 1 {
		pw.work(pw.workers[0])
		return
	}
	pw.done.Add(len(pw.workers))
	for _, w := range pw.workers {
		go func() {
			defer pw.done.Done()
			pw.work(w)
		}()
	}
}

// work writes leaf columns of the batch in flight until none is left.
func (pw *parquetWriter) work(w *columnWorker) {
	var err error
	defer func() {
		if err != nil {
			pw.fail(err)
		}
	}()
	defer recoverWriteErr(&err)
	for {
		i := int(pw.next.Add(1) - 1)
		if i >= len(pw.order) {
			return
		}
		l := &pw.leaves[pw.order[i]]
		if err = pw.writeLeaf(w, l); err != nil {
			err = fmt.Errorf("column %s: %w", l.path, err)
			return
		}
	}
}

func (pw *parquetWriter) fail(err error) {
	pw.mu.Lock()
	if pw.err == nil {
		pw.err = err
	}
	pw.mu.Unlock()
}

func (pw *parquetWriter) writeLeaf(w *columnWorker, l *parquetLeaf) error {
	cw, err := pw.rgw.Column(l.col)
	if err != nil {
		return err
	}
	leaf, nullable, err := l.levels(pw.flight.Column(l.field), w)
	if err != nil {
		return err
	}
	defer leaf.Release()
	def, rep := w.def, w.rep
	if l.maxDef == 0 {
		def = nil
	}
	if l.maxRep == 0 {
		rep = nil
	}
	return pqarrow.WriteArrowToColumn(w.ctx, cw, leaf, def, rep, nullable)
}

// wait waits for the batch in flight, if any, and closes the row group
// once it is full.
func (pw *parquetWriter) wait() error {
	if pw.flight != nil {
		pw.done.Wait()
		pw.flight.Release()
		pw.flight = nil
	}
	pw.mu.Lock()
	err := pw.err
	pw.mu.Unlock()
	if err != nil {
		return err
	}
	// A row group ends when it has its rows, or sooner when it holds
	// parquetRowGroupBytes: events with long texts must not make the
	// writer hold gigabytes.
	if pw.rgw != nil && (pw.rgRows >= pw.maxRows || pw.rgw.TotalCompressedBytes() >= parquetRowGroupBytes) {
		rgw := pw.rgw
		pw.rgw, pw.rgRows = nil, 0
		return rgw.Close()
	}
	return nil
}

// close finishes the file.
func (pw *parquetWriter) close() error {
	if err := pw.wait(); err != nil {
		return err
	}
	if pw.rgw != nil {
		if err := pw.rgw.Close(); err != nil {
			return err
		}
	}
	return pw.fw.Close()
}

// abort waits for the workers after a failure, so that none outlives the
// writer, and releases the batch in flight.
func (pw *parquetWriter) abort() {
	if pw.flight != nil {
		pw.done.Wait()
		pw.flight.Release()
		pw.flight = nil
	}
}

// uniqueColumns are the Parquet paths of the columns whose values are
// mostly unique, and of the event dates and source publication dates,
// which zstd packs as small without a dictionary as with one (measured on
// seeds.Synthetic with pyarrow: the five together 2% smaller plain).
var uniqueColumns = []string{colID, colTitle, colSummary, colNotes, colLat, colLon, colRelated + ".list.element",
	colSources + ".list.element." + srcColTitle, colSources + ".list.element." + srcColURL,
	colSources + ".list.element." + srcColQuote,
	colStart, colStartDate, colEnd, colEndDate, colSources + ".list.element." + srcColPublishedDate}

// syncAllocator serializes the calls to an allocator that a caller gave:
// the Parquet writers and readers call it from several goroutines, which
// a memory.Allocator need not allow.
type syncAllocator struct {
	mu  sync.Mutex
	mem memory.Allocator
}

// syncedAllocator returns mem, serialized, or nil for nil (Go's allocator,
// which needs no lock).
func syncedAllocator(mem memory.Allocator) memory.Allocator {
	if mem == nil {
		return nil
	}
	if _, ok := mem.(*syncAllocator); ok {
		return mem
	}
	return &syncAllocator{mem: mem}
}

func (a *syncAllocator) Allocate(size int) []byte {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.mem.Allocate(size)
}

func (a *syncAllocator) Reallocate(size int, b []byte) []byte {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.mem.Reallocate(size, b)
}

func (a *syncAllocator) Free(b []byte) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.mem.Free(b)
}

// freeTextColumns are the Parquet paths of the columns of free text.
var freeTextColumns = []string{colTitle, colSummary, colNotes,
	colSources + ".list.element." + srcColTitle, colSources + ".list.element." + srcColURL,
	colSources + ".list.element." + srcColQuote}

// SaveParquet writes events to path as one Parquet file (see
// WriteParquet), atomically: a failed write leaves no file and any earlier
// file intact.
func SaveParquet(ctx context.Context, path string, meta timeline.Metadata, events iter.Seq[timeline.Event], opts ParquetOptions) error {
	return atomicfile.WriteFrom(path, func(w io.Writer) error { return WriteParquet(ctx, w, meta, events, opts) })
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

// parquetLeaf is a leaf column of the Parquet schema: where its values are
// in a batch, and its levels, which it computes as pqarrow's
// multipathLevelBuilder does for the shapes of the events schema. pqarrow
// writes a list's element as optional whatever the Arrow field says, and
// leaves out definition levels only where nothing on the path is optional
// or repeated.
type parquetLeaf struct {
	path     string
	col      int // among the leaf columns
	field    int // the batch's column
	shape    leafShape
	child    int  // for leafListStruct, the struct field
	nullable bool // the Arrow field of the values is nullable (for a list's element: always)
	maxDef   int16
	maxRep   int16
}

type leafShape uint8

const (
	leafFlat       leafShape = iota // a column of values
	leafList                        // list<value>, the list not null
	leafListStruct                  // list<struct<value...>>, the list not null
)

// parquetLeaves lists the leaf columns of schema, which ps is the
// Parquet schema of, and checks that the levels they compute are the
// schema's.
func parquetLeaves(schema *arrow.Schema, ps *pqschema.Schema) ([]parquetLeaf, error) {
	var leaves []parquetLeaf
	flat := func(t arrow.DataType) bool {
		_, nested := t.(arrow.NestedType)
		return !nested
	}
	for i, f := range schema.Fields() {
		switch t := f.Type.(type) {
		case *arrow.ListType:
			if f.Nullable {
				return nil, fmt.Errorf("column %q: a nullable list", f.Name)
			}
			switch e := t.Elem().(type) {
			case *arrow.StructType:
				for k, sf := range e.Fields() {
					if !flat(sf.Type) {
						return nil, fmt.Errorf("column %q: nested too deep", f.Name)
					}
					def := int16(2)
					if sf.Nullable {
						def++
					}
					leaves = append(leaves, parquetLeaf{field: i, shape: leafListStruct, child: k, nullable: sf.Nullable, maxDef: def, maxRep: 1})
				}
			default:
				if !flat(e) {
					return nil, fmt.Errorf("column %q: nested too deep", f.Name)
				}
				leaves = append(leaves, parquetLeaf{field: i, shape: leafList, nullable: true, maxDef: 2, maxRep: 1})
			}
		default:
			if !flat(t) {
				return nil, fmt.Errorf("column %q: a nested type other than a list", f.Name)
			}
			l := parquetLeaf{field: i, shape: leafFlat, nullable: f.Nullable}
			if f.Nullable {
				l.maxDef = 1
			}
			leaves = append(leaves, l)
		}
	}
	if len(leaves) != ps.NumColumns() {
		return nil, fmt.Errorf("%d leaf columns where the Parquet schema has %d", len(leaves), ps.NumColumns())
	}
	for c := range leaves {
		l := &leaves[c]
		d := ps.Column(c)
		l.col, l.path = c, d.Path()
		if d.MaxDefinitionLevel() != l.maxDef || d.MaxRepetitionLevel() != l.maxRep {
			return nil, fmt.Errorf("column %s: levels %d/%d where the Parquet schema has %d/%d",
				l.path, l.maxDef, l.maxRep, d.MaxDefinitionLevel(), d.MaxRepetitionLevel())
		}
	}
	return leaves, nil
}

// values returns the array that holds the leaf's values in col, a column of
// a batch: col itself, or the values of its lists.
func (l *parquetLeaf) values(col arrow.Array) (arrow.Array, error) {
	if l.shape == leafFlat {
		return col, nil
	}
	list, ok := col.(*array.List)
	if !ok {
		return nil, fmt.Errorf("a %s where a list was expected", col.DataType())
	}
	if l.shape == leafList {
		return list.ListValues(), nil
	}
	st, ok := list.ListValues().(*array.Struct)
	if !ok || l.child >= st.NumField() {
		return nil, fmt.Errorf("a list of %s where a list of structs was expected", list.ListValues().DataType())
	}
	return st.Field(l.child), nil
}

// dataSize estimates the bytes of the leaf's values in col.
func (l *parquetLeaf) dataSize(col arrow.Array) int {
	v, err := l.values(col)
	if err != nil {
		return 0
	}
	n := 0
	for _, b := range v.Data().Buffers() {
		if b != nil {
			n += b.Len()
		}
	}
	return n
}

// levels puts the leaf's definition and repetition levels for col, a
// column of a batch, into w.def and w.rep, and returns the leaf values to
// write (to be released) and whether to treat them as nullable, as
// pqarrow's level builder would.
func (l *parquetLeaf) levels(col arrow.Array, w *columnWorker) (arrow.Array, bool, error) {
	vals, err := l.values(col)
	if err != nil {
		return nil, false, err
	}
	nullable := l.nullable && vals.NullN() > 0
	w.def, w.rep = w.def[:0], w.rep[:0]
	if l.shape == leafFlat {
		if l.maxDef > 0 {
			for i := range col.Len() {
				w.def = append(w.def, b2i16(col.IsValid(i)))
			}
		}
		col.Retain()
		return col, nullable, nil
	}
	list := col.(*array.List)
	if list.NullN() > 0 {
		return nil, false, errors.New("a null list in a column that has none")
	}
	var st *array.Struct
	if l.shape == leafListStruct {
		st = list.ListValues().(*array.Struct)
	}
	// The values of the non-empty lists, which are contiguous.
	var lo, hi int64
	seen := false
	for i := range list.Len() {
		s, e := list.ValueOffsets(i)
		if s == e {
			w.def, w.rep = append(w.def, 0), append(w.rep, 0)
			continue
		}
		if !seen {
			lo, seen = s, true
		}
		hi = e
		for j := s; j < e; j++ {
			w.rep = append(w.rep, b2i16(j > s))
			switch {
			case st != nil && st.IsNull(int(j)):
				w.def = append(w.def, 1)
			default:
				w.def = append(w.def, l.maxDef-1+b2i16(vals.IsValid(int(j))))
			}
		}
	}
	return array.NewSlice(vals, lo, hi), nullable, nil
}

func b2i16(b bool) int16 {
	if b {
		return 1
	}
	return 0
}
