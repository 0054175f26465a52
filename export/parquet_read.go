package export

import (
	"cmp"
	"context"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"iter"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/apache/arrow/go/v17/parquet"
	"github.com/apache/arrow/go/v17/parquet/file"
	"github.com/apache/arrow/go/v17/parquet/metadata"
	"github.com/apache/arrow/go/v17/parquet/pqarrow"
	"github.com/sourced-dev/sourced/timeline"
)

// ReadParquet reads a Parquet file of events, as ReadArrow reads an Arrow
// file: it checks the schema, returns the metadata, and decodes the events
// batch by batch, one row group at a time, as the sequence is iterated;
// every error is a *ReadError, whose Batch is the row group.
//
// It decodes the pages of the next batch on a goroutine of its own while
// the caller takes the events of the current one, and recovers from
// arrow's panics on corrupt pages there. pqarrow does not: ReadTable
// decodes columns on goroutines of its own, and even its serial record
// reader loads the children of a struct on errgroup goroutines, where a
// panic ends the process. So ReadParquet reads each field with its own
// column reader, and each child of a list of structs (actors, sources) as
// a list of its own, then puts the structs together. Before it reads a row
// group, it checks the sizes that its page headers claim (see checkPages).
func ReadParquet(r ReadAtSeeker, opts ParquetReadOptions) (timeline.Metadata, iter.Seq2[timeline.Event, error], error) {
	src := arrowInput{file: opts.File, format: "parquet"}
	var (
		pr   *parquetReader
		meta timeline.Metadata
	)
	err := src.guard(-1, func() error {
		size, err := r.Seek(0, io.SeekEnd)
		if err != nil {
			return err
		}
		limit := memoryLimit(size, opts.MaxMemory)
		alloc := newLimitAllocator(syncedAllocator(opts.Allocator), limit)
		props := parquet.NewReaderProperties(alloc)
		// Read column chunks through a small buffer rather than whole:
		// parquet would make([]byte) as many bytes as the metadata claims.
		props.BufferedStreamEnabled = true
		rdr, err := file.NewParquetReader(r, file.WithReadProps(props))
		if err != nil {
			return err
		}
		if err := checkColumnChunks(rdr, size); err != nil {
			return err
		}
		if err := checkStoredSchema(rdr.MetaData().KeyValueMetadata()); err != nil {
			return err
		}
		fr, err := pqarrow.NewFileReader(rdr, pqarrow.ArrowReadProperties{BatchSize: DefaultBatchSize}, alloc)
		if err != nil {
			return err
		}
		schema, err := fr.Schema()
		if err != nil {
			return err
		}
		if pr, err = newParquetReader(src, fr, schema, alloc); err != nil {
			return err
		}
		pr.r, pr.size, pr.limit = r, size, limit
		meta, err = metadataFromSchema(schema.Metadata())
		return err
	})
	if err != nil {
		return timeline.Metadata{}, nil, err
	}
	seq := func(yield func(timeline.Event, error) bool) {
		row := 0
		for rg := range pr.fr.ParquetReader().NumRowGroups() {
			n, ok := pr.readRowGroup(rg, row, yield)
			if !ok {
				return
			}
			row += n
		}
	}
	return meta, seq, nil
}

// parquetReader reads the fields that the decoder needs from a Parquet file.
type parquetReader struct {
	jobs   []readJob // the column readers of a batch, in the order to read them
	r      io.ReaderAt
	size   int64 // of the file
	limit  int64 // of the memory it may hold
	src    arrowInput
	fr     *pqarrow.FileReader
	mem    memory.Allocator
	schema *arrow.Schema // the fields read, in file order
	dec    *eventDecoder
	fields []parquetField
}

// parquetField is how to read one field: a manifest field of fr, or, for a
// list of structs, one list per child, from the manifest of split.
type parquetField struct {
	field    arrow.Field
	index    int // in fr.Manifest.Fields, or -1 for a list of structs
	leaves   map[int]bool
	children []int               // in split.Manifest.Fields
	split    *pqarrow.FileReader // fr with a manifest of those lists
}

func newParquetReader(src arrowInput, fr *pqarrow.FileReader, schema *arrow.Schema, mem memory.Allocator) (*parquetReader, error) {
	dec, err := newEventDecoder(src, schema)
	if err != nil {
		return nil, err
	}
	if len(fr.Manifest.Fields) != schema.NumFields() {
		return nil, fmt.Errorf("%w: a Parquet schema of %d fields for an Arrow schema of %d", ErrCorrupt, len(fr.Manifest.Fields), schema.NumFields())
	}
	pr := &parquetReader{src: src, fr: fr, mem: mem}
	var fields []arrow.Field
	for _, i := range dec.fieldsUsed() {
		mf := &fr.Manifest.Fields[i]
		f := parquetField{field: schema.Field(i), index: i, leaves: map[int]bool{}}
		collectLeaves(mf, f.leaves)
		if isListOfStructs(f.field.Type) {
			f.index = -1
			if len(mf.Children) != 1 {
				return nil, fmt.Errorf("%w: list %q without its element", ErrCorrupt, f.field.Name)
			}
			split := *fr
			manifest := &pqarrow.SchemaManifest{}
			for _, leaf := range mf.Children[0].Children {
				if !leaf.IsLeaf() {
					return nil, fmt.Errorf("%w: column %q: nested too deep", ErrSchema, f.field.Name)
				}
				list := *mf
				lf := *mf.Field
				lf.Type = arrow.ListOf(leaf.Field.Type)
				list.Field, list.Children = &lf, []pqarrow.SchemaField{leaf}
				f.children = append(f.children, len(manifest.Fields))
				manifest.Fields = append(manifest.Fields, list)
			}
			split.Manifest = manifest
			f.split = &split
		}
		pr.fields = append(pr.fields, f)
		fields = append(fields, f.field)
	}
	md := schema.Metadata()
	pr.schema = arrow.NewSchema(fields, &md)
	if pr.dec, err = newEventDecoder(src, pr.schema); err != nil {
		return nil, err
	}
	return pr, nil
}

func collectLeaves(f *pqarrow.SchemaField, into map[int]bool) {
	if f.IsLeaf() {
		into[f.ColIndex] = true
	}
	for i := range f.Children {
		collectLeaves(&f.Children[i], into)
	}
}

func isListOfStructs(t arrow.DataType) bool {
	e := listElem(t)
	return e != nil && e.ID() == arrow.STRUCT
}

// fieldsUsed returns the indices of the fields that d reads, in order.
func (d *eventDecoder) fieldsUsed() []int {
	var out []int
	for i := range d.schema.NumFields() {
		for _, j := range []int{d.id, d.title, d.summary, d.kind, d.status, d.start, d.end, d.placeName, d.country,
			d.lat, d.lon, d.geo, d.notes, d.actors, d.tags, d.related, d.sources, d.startDate, d.startPrec, d.endDate, d.endPrec} {
			if i == j {
				out = append(out, i)
				break
			}
		}
	}
	return out
}

// readRowGroup yields the events of row group rg, whose first row is row
// rowBase+1 of the file, and returns how many it read and whether to go on.
func (pr *parquetReader) readRowGroup(rg, rowBase int, yield func(timeline.Event, error) bool) (int, bool) {
	var readers [][]*pqarrow.ColumnReader // per field: one reader, or one per child
	defer func() {
		for _, rs := range readers {
			for _, r := range rs {
				if r != nil {
					r.Release()
				}
			}
		}
	}()
	err := pr.src.guard(rg, func() error {
		if err := checkPages(pr.r, pr.fr.ParquetReader(), rg, pr.size, pr.limit); err != nil {
			return err
		}
		ctx := context.Background()
		for _, f := range pr.fields {
			var rs []*pqarrow.ColumnReader
			if f.index >= 0 {
				r, err := pr.fr.GetFieldReader(ctx, f.index, f.leaves, []int{rg})
				if err != nil {
					return err
				}
				rs = append(rs, r)
			}
			for _, c := range f.children {
				r, err := f.split.GetFieldReader(ctx, c, f.leaves, []int{rg})
				if err != nil {
					return err
				}
				rs = append(rs, r)
			}
			for _, r := range rs {
				if r == nil {
					return fmt.Errorf("%w: column %q has no data", ErrCorrupt, f.field.Name)
				}
			}
			readers = append(readers, rs)
		}
		return nil
	})
	if err != nil {
		yield(timeline.Event{}, err)
		return 0, false
	}
	want := pr.fr.ParquetReader().MetaData().RowGroup(rg).NumRows()
	// The columns of the next batch are decoded on a goroutine of the
	// reader's own, which recovers from arrow's panics as guard does, while
	// the caller takes the events of this one.
	batches := make(chan parquetBatch, 1)
	stop := make(chan struct{})
	go pr.readAhead(readers, rg, want, batches, stop)
	defer func() {
		// Stop the goroutine and wait for it, before the column readers
		// that it uses are released.
		close(stop)
		for b := range batches {
			if b.rec != nil {
				b.rec.Release()
			}
		}
	}()
	row := rowBase
	for b := range batches {
		if b.err != nil {
			yield(timeline.Event{}, b.err)
			return 0, false
		}
		n, ok := pr.dec.yieldBatch(b.rec, rg, row, yield)
		b.rec.Release()
		if !ok {
			return 0, false
		}
		row += n
	}
	return row - rowBase, true
}

// parquetBatch is a batch read ahead, or the error that ended the reading.
type parquetBatch struct {
	rec arrow.Record
	err error
}

// readAhead reads the want rows of row group rg, batch by batch, into
// batches, which it closes at the end, after an error, or when stop is
// closed.
func (pr *parquetReader) readAhead(readers [][]*pqarrow.ColumnReader, rg int, want int64, batches chan<- parquetBatch, stop <-chan struct{}) {
	defer close(batches)
	for read := int64(0); read < want; {
		var b parquetBatch
		b.err = pr.src.guard(rg, func() (err error) {
			b.rec, err = pr.nextBatch(readers, min(DefaultBatchSize, want-read))
			return err
		})
		select {
		case batches <- b:
		case <-stop:
			if b.rec != nil {
				b.rec.Release()
			}
			return
		}
		if b.err != nil {
			return
		}
		read += b.rec.NumRows()
	}
}

// nextBatch reads the next n rows of every field into a record. It
// decodes the columns on up to GOMAXPROCS goroutines, this one included,
// each of which recovers from arrow's panics; the longest columns of the
// last batch go first, so that no goroutine is left with a long one at
// the end.
func (pr *parquetReader) nextBatch(readers [][]*pqarrow.ColumnReader, n int64) (arrow.Record, error) {
	if pr.jobs == nil {
		for i, rs := range readers {
			for j := range rs {
				pr.jobs = append(pr.jobs, readJob{field: i, reader: j})
			}
		}
	} else {
		slices.SortStableFunc(pr.jobs, func(a, b readJob) int { return cmp.Compare(b.size, a.size) })
	}
	parts := make([][]arrow.Array, len(readers))
	for i, rs := range readers {
		parts[i] = make([]arrow.Array, len(rs))
	}
	defer func() {
		for _, p := range parts {
			for _, a := range p {
				if a != nil {
					a.Release()
				}
			}
		}
	}()
	var (
		next atomic.Int64
		mu   sync.Mutex
		err  error
		wg   sync.WaitGroup
	)
	work := func() {
		defer func() {
			if p := recover(); p != nil {
				mu.Lock()
				err = cmp.Or(err, recoveredErr(p))
				mu.Unlock()
			}
		}()
		for {
			k := int(next.Add(1) - 1)
			if k >= len(pr.jobs) {
				return
			}
			job := &pr.jobs[k]
			a, jerr := pr.next(readers[job.field][job.reader], pr.fields[job.field].field.Name, n)
			mu.Lock()
			if err == nil && jerr != nil {
				err = jerr
			}
			stop := err != nil
			mu.Unlock()
			if jerr != nil || stop {
				if a != nil {
					a.Release()
				}
				return
			}
			job.size = arraySize(a.Data())
			parts[job.field][job.reader] = a
		}
	}
	for range min(runtime.GOMAXPROCS(0), len(pr.jobs)) - 1 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			work()
		}()
	}
	work()
	wg.Wait()
	if err != nil {
		return nil, err
	}

	cols := make([]arrow.Array, 0, len(readers))
	defer func() { releaseAll(cols) }()
	for i, f := range pr.fields {
		if f.index >= 0 {
			cols = append(cols, parts[i][0])
			parts[i][0] = nil
			continue
		}
		a, err := joinStructs(f.field, parts[i])
		if err != nil {
			return nil, err
		}
		cols = append(cols, a)
	}
	return array.NewRecord(pr.schema, cols, n), nil
}

// readJob is a column reader of a field, and the bytes it read last.
type readJob struct {
	field, reader int
	size          int
}

// arraySize is the bytes of d's buffers, its children's included.
func arraySize(d arrow.ArrayData) int {
	n := 0
	for _, b := range d.Buffers() {
		if b != nil {
			n += b.Len()
		}
	}
	for _, c := range d.Children() {
		n += arraySize(c)
	}
	return n
}

// next reads n rows of one column reader as one array.
func (pr *parquetReader) next(r *pqarrow.ColumnReader, name string, n int64) (arrow.Array, error) {
	chunked, err := r.NextBatch(n)
	if err != nil {
		return nil, err
	}
	defer chunked.Release()
	var a arrow.Array
	switch chunks := chunked.Chunks(); len(chunks) {
	case 0:
		return nil, fmt.Errorf("%w: column %q ends before its row group", ErrCorrupt, name)
	case 1:
		a = chunks[0]
		a.Retain()
	default:
		// A dictionary column whose dictionary changes within the batch.
		if a, err = array.Concatenate(chunks, pr.mem); err != nil {
			return nil, err
		}
	}
	if int64(a.Len()) != n {
		a.Release()
		return nil, fmt.Errorf("%w: column %q has %d rows where its row group has %d more", ErrCorrupt, name, a.Len(), n)
	}
	return a, nil
}

func releaseAll(as []arrow.Array) {
	for _, a := range as {
		a.Release()
	}
}

// joinStructs makes the list of structs of field from one list per struct
// child, which must all have the same offsets and nulls.
func joinStructs(field arrow.Field, lists []arrow.Array) (arrow.Array, error) {
	st := listElem(field.Type).(*arrow.StructType)
	if len(lists) != st.NumFields() {
		return nil, fmt.Errorf("%w: column %q: %d of %d struct fields", ErrCorrupt, field.Name, len(lists), st.NumFields())
	}
	first := lists[0].(*array.List)
	children := make([]arrow.ArrayData, len(lists))
	for k, l := range lists {
		l := l.(*array.List)
		for i := range l.Len() {
			s0, e0 := first.ValueOffsets(i)
			s, e := l.ValueOffsets(i)
			if s != s0 || e != e0 || l.IsNull(i) != first.IsNull(i) {
				return nil, fmt.Errorf("%w: column %q: row %d: its struct fields disagree on the number of entries", ErrCorrupt, field.Name, i+1)
			}
		}
		children[k] = l.ListValues().Data()
		if children[k].Len() != first.ListValues().Len() {
			return nil, fmt.Errorf("%w: column %q: struct fields of different lengths", ErrCorrupt, field.Name)
		}
	}
	structs := array.NewData(st, first.ListValues().Len(), []*memory.Buffer{nil}, children, 0, 0)
	defer structs.Release()
	fd := first.Data()
	list := array.NewData(field.Type, fd.Len(), fd.Buffers(), []arrow.ArrayData{structs}, fd.NullN(), fd.Offset())
	defer list.Release()
	return array.MakeFromData(list), nil
}

// checkStoredSchema checks the Arrow schema that pqarrow stores in the
// file's metadata (under ARROW:schema, base64 of an IPC stream) as
// streamMessages checks a stream's, before pqarrow hands it to arrow's own
// IPC reader: that reader would make a slice as long as any list in the
// schema's flatbuffer claims (a fatal out-of-memory error for a damaged
// file), and allocate the body length the message claims.
func checkStoredSchema(kv metadata.KeyValueMetadata) error {
	v := kv.FindValue("ARROW:schema")
	if v == nil {
		return nil
	}
	// Decoded as pqarrow decodes it.
	var b []byte
	var err error
	if len(*v)%4 == 0 {
		b, err = base64.StdEncoding.DecodeString(*v)
	}
	if len(b) == 0 || err != nil {
		if b, err = base64.RawStdEncoding.DecodeString(*v); err != nil {
			return fmt.Errorf("%w: stored Arrow schema: %w", ErrCorrupt, err)
		}
	}
	bad := fmt.Errorf("%w: stored Arrow schema: a message longer than the schema", ErrCorrupt)
	if len(b) < 8 {
		return nil // arrow's reader fails on it without allocating
	}
	n, off := int64(binary.LittleEndian.Uint32(b)), int64(4)
	if n == ipcContinuation {
		n, off = int64(binary.LittleEndian.Uint32(b[4:])), 8
	}
	if n == 0 {
		return nil
	}
	if n > int64(len(b))-off {
		return bad
	}
	body, err := checkIPCMessage(b[off : off+n])
	if err != nil {
		return err
	}
	if body < 0 || body > int64(len(b))-off-n {
		return bad
	}
	return nil
}

// checkColumnChunks checks, before any page is read, that every column
// chunk lies within the file and that its page reader opens.
func checkColumnChunks(rdr *file.Reader, size int64) error {
	for g := range rdr.NumRowGroups() {
		rg := rdr.RowGroup(g)
		md := rg.MetaData()
		if md.NumRows() < 0 {
			return fmt.Errorf("%w: row group %d of %d rows", ErrCorrupt, g, md.NumRows())
		}
		for c := range md.NumColumns() {
			chunk, err := md.ColumnChunk(c)
			if err != nil {
				return err
			}
			start, n := chunk.DataPageOffset(), chunk.TotalCompressedSize()
			if chunk.HasDictionaryPage() && chunk.DictionaryPageOffset() > 0 && start > chunk.DictionaryPageOffset() {
				start = chunk.DictionaryPageOffset()
			}
			if start < 0 || n < 0 || start > size || n > size-start {
				return fmt.Errorf("%w: row group %d, column %d: chunk of %d bytes at %d outside the file of %d bytes", ErrCorrupt, g, c, n, start, size)
			}
			if _, err := rg.GetColumnPageReader(c); err != nil {
				return err
			}
		}
	}
	return nil
}

// Page headers. arrow's page reader believes the sizes that a page header
// claims: it makes a Go buffer of the compressed size (up to 2 GiB, outside
// any allocator) before it reads, and a dictionary of as many entries as
// the dictionary page claims (24 bytes each for text, so 48 GiB for a few
// bytes of file), both fatal out-of-memory errors that recover cannot
// catch. So before a row group is read, checkPages walks the headers of its
// pages, which it decodes itself (the Thrift types are internal to arrow),
// and refuses such claims.

// pageHeaderWindow is the first read for a page header; one with longer
// statistics is read again, with twice as much, up to maxPageHeader
// (arrow's limit for a header).
const (
	pageHeaderWindow = 1 << 10
	maxPageHeader    = 16 << 20
)

// parquet816Padding is how far arrow reads past a column chunk's end for
// files of old writers, whose chunk sizes left out the dictionary page
// header (PARQUET-816).
const parquet816Padding = 100

// pageHeader holds the fields of a Parquet page header that checkPages
// needs.
type pageHeader struct {
	size                     int // bytes of the header itself
	uncompressed, compressed int64
	dictValues               int64 // entries of a dictionary page, or -1
	values                   int64 // values of a data page
}

// checkPages checks the page headers of every column chunk of row group rg
// of a file of size bytes read through r, those that arrow will read: each
// page must lie within its chunk, be no larger than limit, compressed or
// not, and a dictionary page must hold the entries it claims.
func checkPages(r io.ReaderAt, rdr *file.Reader, rg int, size, limit int64) error {
	md := rdr.RowGroup(rg).MetaData()
	old := rdr.MetaData().WriterVersion().LessThan(metadata.Parquet816FixedVersion)
	var buf []byte
	for c := range md.NumColumns() {
		chunk, err := md.ColumnChunk(c)
		if err != nil {
			return err
		}
		start := chunk.DataPageOffset()
		if chunk.HasDictionaryPage() && chunk.DictionaryPageOffset() > 0 && start > chunk.DictionaryPageOffset() {
			start = chunk.DictionaryPageOffset()
		}
		// arrow reads the chunk, and for old writers' files a little past
		// it: every page it may read starts there.
		end := min(start+chunk.TotalCompressedSize(), size)
		if old {
			end = min(end+parquet816Padding, size)
		}
		col := rdr.MetaData().Schema.Column(c)
		pos := start
		where := func() string { return fmt.Sprintf("row group %d, column %s, page at byte %d", rg, col.Path(), pos) }
		// arrow reads pages until it has the chunk's values.
		for seen := int64(0); pos < end && seen < chunk.NumValues(); {
			var h pageHeader
			for window := int64(pageHeaderWindow); ; window *= 2 {
				n := min(window, end-pos)
				buf = slices.Grow(buf[:0], int(n))[:n]
				if _, err := r.ReadAt(buf, pos); err != nil && !errors.Is(err, io.EOF) {
					return err
				}
				h, err = parsePageHeader(buf)
				if !errors.Is(err, errThriftShort) || n == end-pos || window >= maxPageHeader {
					break
				}
			}
			if err != nil {
				// arrow fails on this header too, without allocating for it.
				break
			}
			body := pos + int64(h.size)
			switch {
			case h.compressed < 0 || h.uncompressed < 0:
				return fmt.Errorf("%w: %s: negative page size", ErrCorrupt, where())
			case h.compressed > limit || h.uncompressed > limit:
				return fmt.Errorf("%w: %s: a page of %d bytes (%d compressed), over the memory limit of %d bytes (ParquetReadOptions.MaxMemory raises it)",
					ErrLimit, where(), h.uncompressed, h.compressed, limit)
			case h.compressed > end-body:
				return fmt.Errorf("%w: %s: a page of %d compressed bytes where its column chunk has %d left", ErrCorrupt, where(), h.compressed, max(end-body, 0))
			case h.dictValues > 0 && h.dictValues > h.uncompressed*8/minValueBits(col.PhysicalType(), col.TypeLength()):
				return fmt.Errorf("%w: %s: a dictionary of %d entries in %d bytes", ErrCorrupt, where(), h.dictValues, h.uncompressed)
			}
			pos = body + h.compressed
			seen += max(h.values, 0)
		}
	}
	return nil
}

// minValueBits is the fewest bits that a plain-encoded value of a physical
// type takes.
func minValueBits(t parquet.Type, typeLength int) int64 {
	switch t {
	case parquet.Types.Boolean:
		return 1
	case parquet.Types.Int32, parquet.Types.Float, parquet.Types.ByteArray: // a length before each byte array
		return 32
	case parquet.Types.Int64, parquet.Types.Double:
		return 64
	case parquet.Types.Int96:
		return 96
	case parquet.Types.FixedLenByteArray:
		return max(int64(typeLength), 1) * 8
	}
	return 1
}

// errThriftShort means that a Thrift structure runs past the bytes read.
var errThriftShort = errors.New("thrift: truncated")

// parsePageHeader decodes the start of b as a PageHeader in Thrift's
// compact protocol.
func parsePageHeader(b []byte) (pageHeader, error) {
	t := thriftReader{b: b}
	h := pageHeader{dictValues: -1}
	err := t.fields(func(id int16, typ byte) error {
		var err error
		switch {
		case id == 2 && typ == thriftI32:
			h.uncompressed, err = t.varint()
		case id == 3 && typ == thriftI32:
			h.compressed, err = t.varint()
		case id == 7 && typ == thriftStruct: // DictionaryPageHeader
			err = t.i32Field(1, &h.dictValues)
		case (id == 5 || id == 8) && typ == thriftStruct: // DataPageHeader, DataPageHeaderV2
			err = t.i32Field(1, &h.values)
		default:
			err = t.skip(typ)
		}
		return err
	})
	h.size = t.pos
	return h, err
}

// The Thrift compact protocol's types.
const (
	thriftStop   = 0
	thriftTrue   = 1
	thriftFalse  = 2
	thriftByte   = 3
	thriftI16    = 4
	thriftI32    = 5
	thriftI64    = 6
	thriftDouble = 7
	thriftBinary = 8
	thriftList   = 9
	thriftSet    = 10
	thriftMap    = 11
	thriftStruct = 12
)

// thriftReader reads Thrift's compact protocol from a byte slice.
type thriftReader struct {
	b     []byte
	pos   int
	depth int
}

var errThriftBad = fmt.Errorf("%w: page header: not Thrift", ErrCorrupt)

func (t *thriftReader) byte() (byte, error) {
	if t.pos >= len(t.b) {
		return 0, errThriftShort
	}
	t.pos++
	return t.b[t.pos-1], nil
}

func (t *thriftReader) uvarint() (uint64, error) {
	var v uint64
	for shift := 0; shift < 64; shift += 7 {
		c, err := t.byte()
		if err != nil {
			return 0, err
		}
		v |= uint64(c&0x7f) << shift
		if c < 0x80 {
			return v, nil
		}
	}
	return 0, errThriftBad
}

// varint reads a zigzag-encoded integer.
func (t *thriftReader) varint() (int64, error) {
	u, err := t.uvarint()
	return int64(u>>1) ^ -int64(u&1), err
}

func (t *thriftReader) bytes(n uint64) error {
	if n > uint64(len(t.b)-t.pos) {
		return errThriftShort
	}
	t.pos += int(n)
	return nil
}

// fields calls fn for each field of a struct, which fn must read or skip.
func (t *thriftReader) fields(fn func(id int16, typ byte) error) error {
	if t.depth++; t.depth > 32 {
		return errThriftBad
	}
	defer func() { t.depth-- }()
	var id int16
	for {
		h, err := t.byte()
		if err != nil {
			return err
		}
		typ := h & 0x0f
		if typ == thriftStop {
			return nil
		}
		if delta := int16(h >> 4); delta != 0 {
			id += delta
		} else {
			v, err := t.varint()
			if err != nil {
				return err
			}
			id = int16(v)
		}
		if err := fn(id, typ); err != nil {
			return err
		}
	}
}

// i32Field reads a struct of which it keeps the i32 field id in *v.
func (t *thriftReader) i32Field(id int16, v *int64) error {
	return t.fields(func(fid int16, typ byte) error {
		if fid == id && typ == thriftI32 {
			var err error
			*v, err = t.varint()
			return err
		}
		return t.skip(typ)
	})
}

// skip reads past a value of type typ; a boolean field's value is in its
// type.
func (t *thriftReader) skip(typ byte) error {
	switch typ {
	case thriftTrue, thriftFalse:
		return nil
	case thriftByte:
		_, err := t.byte()
		return err
	case thriftI16, thriftI32, thriftI64:
		_, err := t.uvarint()
		return err
	case thriftDouble:
		return t.bytes(8)
	case thriftBinary:
		n, err := t.uvarint()
		if err != nil {
			return err
		}
		return t.bytes(n)
	case thriftList, thriftSet:
		h, err := t.byte()
		if err != nil {
			return err
		}
		n, elem := uint64(h>>4), h&0x0f
		if n == 15 {
			if n, err = t.uvarint(); err != nil {
				return err
			}
		}
		return t.skipN(n, elem)
	case thriftMap:
		n, err := t.uvarint()
		if err != nil || n == 0 {
			return err
		}
		kv, err := t.byte()
		if err != nil {
			return err
		}
		return t.skipN(n, kv>>4, kv&0x0f)
	case thriftStruct:
		return t.fields(func(_ int16, typ byte) error { return t.skip(typ) })
	}
	return errThriftBad
}

// skipN skips n elements of a list (one type) or n entries of a map (a
// key type and a value type); a boolean element is a byte of its own.
func (t *thriftReader) skipN(n uint64, types ...byte) error {
	if n > uint64(len(t.b)-t.pos) { // every element takes a byte at least
		return errThriftShort
	}
	for range n {
		for _, typ := range types {
			var err error
			if typ == thriftTrue || typ == thriftFalse {
				_, err = t.byte()
			} else {
				err = t.skip(typ)
			}
			if err != nil {
				return err
			}
		}
	}
	return nil
}
