package export

import (
	"context"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"io"
	"iter"

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
// It decodes every page on the caller's goroutine, where it can recover
// from arrow's panics on corrupt pages. pqarrow does not: ReadTable decodes
// columns on goroutines of its own, and even its serial record reader loads
// the children of a struct on errgroup goroutines, where a panic ends the
// process. So ReadParquet reads each field with its own column reader, and
// each child of a list of structs (actors, sources) as a list of its own,
// then puts the structs together.
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
		alloc := newLimitAllocator(opts.Allocator, memoryLimit(size, opts.MaxMemory))
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
	row := rowBase
	for int64(row-rowBase) < want {
		var rec arrow.Record
		if err := pr.src.guard(rg, func() (err error) {
			rec, err = pr.nextBatch(readers, min(DefaultBatchSize, want-int64(row-rowBase)))
			return err
		}); err != nil {
			yield(timeline.Event{}, err)
			return 0, false
		}
		n, ok := pr.dec.yieldBatch(rec, rg, row, yield)
		rec.Release()
		if !ok {
			return 0, false
		}
		row += n
	}
	return row - rowBase, true
}

// nextBatch reads the next n rows of every field into a record.
func (pr *parquetReader) nextBatch(readers [][]*pqarrow.ColumnReader, n int64) (arrow.Record, error) {
	cols := make([]arrow.Array, 0, len(readers))
	defer func() {
		for _, c := range cols {
			c.Release()
		}
	}()
	for i, rs := range readers {
		f := pr.fields[i]
		var parts []arrow.Array
		for _, r := range rs {
			a, err := pr.next(r, f.field.Name, n)
			if err != nil {
				releaseAll(parts)
				return nil, err
			}
			parts = append(parts, a)
		}
		if f.index >= 0 {
			cols = append(cols, parts[0])
			continue
		}
		a, err := joinStructs(f.field, parts)
		releaseAll(parts)
		if err != nil {
			return nil, err
		}
		cols = append(cols, a)
	}
	return array.NewRecord(pr.schema, cols, n), nil
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
