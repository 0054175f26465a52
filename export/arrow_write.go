package export

import (
	"fmt"
	"iter"
	"runtime"
	"unsafe"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/ipc"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/sourced-dev/sourced/timeline"
)

// recordWriter is what ipc.FileWriter and ipc.Writer have in common.
type recordWriter interface {
	Write(arrow.Record) error
	Close() error
}

func (o ArrowOptions) batchSize() int {
	if o.BatchSize > 0 {
		return o.BatchSize
	}
	return DefaultBatchSize
}

func allocatorOr(mem memory.Allocator) memory.Allocator {
	if mem != nil {
		return mem
	}
	return memory.DefaultAllocator
}

func (o ArrowOptions) ipcOptions() ([]ipc.Option, error) {
	opts := []ipc.Option{ipc.WithAllocator(allocatorOr(o.Allocator))}
	switch o.Compression {
	case CompressionDefault, CompressionNone:
		return opts, nil
	case CompressionZstd:
		opts = append(opts, ipc.WithZstd())
	case CompressionLZ4:
		opts = append(opts, ipc.WithLZ4())
	default:
		return nil, fmt.Errorf("compression %s: Arrow IPC takes none, zstd or lz4", o.Compression)
	}
	// Compression is most of the cost of writing; arrow compresses the
	// columns of a batch on this many goroutines.
	return append(opts, ipc.WithCompressConcurrency(runtime.GOMAXPROCS(0))), nil
}

func writeArrow(format string, meta timeline.Metadata, events iter.Seq[timeline.Event], opts ArrowOptions,
	open func(*arrow.Schema, []ipc.Option) (recordWriter, error)) (err error) {
	defer func() {
		if err != nil {
			err = fmt.Errorf("export: write %s: %w", format, err)
		}
	}()
	defer recoverWriteErr(&err)
	ipcOpts, err := opts.ipcOptions()
	if err != nil {
		return err
	}
	schema := arrowSchema(meta)
	rb := newRecordBuilder(allocatorOr(opts.Allocator), schema)
	defer rb.release()
	w, err := open(schema, ipcOpts)
	if err != nil {
		return err
	}
	// On error the writer is not closed: Close would finish a file that
	// lacks batches (v17 lets Close succeed after a failed Write), and the
	// caller discards what was written.
	if err := rb.writeAll(events, opts.batchSize(), w.Write); err != nil {
		return err
	}
	return w.Close()
}

// recoverWriteErr turns a panic in a writer into an error: arrow's and parquet's
// writers panic on some failures of the underlying io.Writer.
func recoverWriteErr(err *error) {
	if p := recover(); p != nil {
		if e, ok := p.(error); ok {
			*err = fmt.Errorf("unexpected failure: %w", e)
		} else {
			*err = fmt.Errorf("unexpected failure: %v", p)
		}
	}
}

// recordBuilder turns events into record batches of the schema in
// arrow_schema.go. Its builders live as long as it does, so that a batch
// costs no allocation per event.
type recordBuilder struct {
	mem    memory.Allocator
	schema *arrow.Schema
	n      int
	date   []byte // scratch space for EDTF text

	kindDict, statusDict, precDict, countryDict, geoDict *array.String

	id, title, summary, start, end, placeName, notes               *array.StringBuilder
	kind, status, startPrec, endPrec, country, geo                 *array.Int32Builder
	startDate, endDate                                             *array.Date32Builder
	lat, lon                                                       *array.Float64Builder
	actors, tags, related, sources                                 *array.ListBuilder
	actorStruct, srcStruct                                         *array.StructBuilder
	actorColName, actorColRole, tag, rel                           *array.StringBuilder
	srcColPublisher, srcColKind, srcColVia, srcColTitle, srcColURL *array.StringBuilder
	srcColPublished, srcColAccessed, srcColLanguage, srcColQuote   *array.StringBuilder
	srcColGrading                                                  *array.StringBuilder
	srcColPublishedDate, srcColAccessedDate                        *array.Date32Builder
	sourceCount, publisherCount, independentPublishers             *array.Int32Builder

	kindVoc, statusVoc, precVoc, countryVoc, geoVoc *vocabulary

	// Every top-level builder, to release; the string builders, at every
	// level, with the bytes each held in the last batch, to reserve.
	allBuilders []array.Builder
	strings     []*array.StringBuilder
	dataSize    []int
	listLens    [4]int // values of actors, tags, related, sources in the last batch
	reserveRows int    // rows in the last batch, 0 before the first
}

func newRecordBuilder(mem memory.Allocator, schema *arrow.Schema) *recordBuilder {
	v := vocabularies()
	b := &recordBuilder{
		mem: mem, schema: schema,
		kindVoc: v.kind, statusVoc: v.status, precVoc: v.precision, countryVoc: v.country, geoVoc: v.geo,
	}
	b.kindDict, b.statusDict, b.precDict = v.kind.dictionary(), v.status.dictionary(), v.precision.dictionary()
	b.countryDict, b.geoDict = v.country.dictionary(), v.geo.dictionary()

	str := func() *array.StringBuilder {
		s := array.NewStringBuilder(mem)
		b.strings = append(b.strings, s)
		b.allBuilders = append(b.allBuilders, s)
		return s
	}
	i32 := func() *array.Int32Builder {
		s := array.NewInt32Builder(mem)
		b.allBuilders = append(b.allBuilders, s)
		return s
	}
	d32 := func() *array.Date32Builder {
		s := array.NewDate32Builder(mem)
		b.allBuilders = append(b.allBuilders, s)
		return s
	}
	f64 := func() *array.Float64Builder {
		s := array.NewFloat64Builder(mem)
		b.allBuilders = append(b.allBuilders, s)
		return s
	}
	b.id, b.title, b.summary, b.start, b.end, b.placeName, b.notes = str(), str(), str(), str(), str(), str(), str()
	b.kind, b.status, b.startPrec, b.endPrec, b.country, b.geo = i32(), i32(), i32(), i32(), i32(), i32()
	b.startDate, b.endDate = d32(), d32()
	b.lat, b.lon = f64(), f64()
	b.sourceCount, b.publisherCount, b.independentPublishers = i32(), i32(), i32()

	list := func(name string) *array.ListBuilder {
		f, _ := schema.FieldsByName(name)
		l := array.NewListBuilderWithField(mem, f[0].Type.(*arrow.ListType).ElemField())
		b.allBuilders = append(b.allBuilders, l)
		return l
	}
	// Child builders belong to their parents; they are collected only to
	// reserve their data, not to be released.
	child := func(s array.Builder) *array.StringBuilder {
		c := s.(*array.StringBuilder)
		b.strings = append(b.strings, c)
		return c
	}
	b.actors = list(colActors)
	b.actorStruct = b.actors.ValueBuilder().(*array.StructBuilder)
	b.actorColName, b.actorColRole = child(b.actorStruct.FieldBuilder(0)), child(b.actorStruct.FieldBuilder(1))
	b.tags = list(colTags)
	b.tag = child(b.tags.ValueBuilder())
	b.related = list(colRelated)
	b.rel = child(b.related.ValueBuilder())
	b.sources = list(colSources)
	b.srcStruct = b.sources.ValueBuilder().(*array.StructBuilder)
	s := b.srcStruct
	b.srcColPublisher, b.srcColKind, b.srcColVia, b.srcColTitle, b.srcColURL = child(s.FieldBuilder(0)), child(s.FieldBuilder(1)),
		child(s.FieldBuilder(2)), child(s.FieldBuilder(3)), child(s.FieldBuilder(4))
	b.srcColPublished = child(s.FieldBuilder(5))
	b.srcColPublishedDate = s.FieldBuilder(6).(*array.Date32Builder)
	b.srcColAccessed = child(s.FieldBuilder(7))
	b.srcColAccessedDate = s.FieldBuilder(8).(*array.Date32Builder)
	b.srcColLanguage, b.srcColQuote, b.srcColGrading = child(s.FieldBuilder(9)), child(s.FieldBuilder(10)), child(s.FieldBuilder(11))
	b.dataSize = make([]int, len(b.strings))
	return b
}

func (b *recordBuilder) release() {
	for _, x := range b.allBuilders {
		x.Release()
	}
	for _, d := range []*array.String{b.kindDict, b.statusDict, b.precDict, b.countryDict, b.geoDict} {
		d.Release()
	}
}

// writeAll appends events and hands each full batch, and the last one, to
// write.
func (b *recordBuilder) writeAll(events iter.Seq[timeline.Event], batchSize int, write func(arrow.Record) error) error {
	if events == nil {
		return nil
	}
	i := 0
	for e := range events {
		if err := b.append(&e); err != nil {
			return fmt.Errorf("event %q (#%d): %w", e.ID, i+1, err)
		}
		i++
		if b.n >= batchSize {
			if err := b.flush(write); err != nil {
				return err
			}
		}
	}
	if b.n > 0 {
		return b.flush(write)
	}
	return nil
}

func (b *recordBuilder) flush(write func(arrow.Record) error) error {
	rec := b.newRecord()
	defer rec.Release()
	return write(rec)
}

// unsafeBytes views s as bytes without copying: the builders copy what they
// append, and a []byte(s) conversion would allocate for every string longer
// than 32 bytes.
func unsafeBytes(s string) []byte { return unsafe.Slice(unsafe.StringData(s), len(s)) }

func appendUTF8(b *array.StringBuilder, s string) { b.BinaryBuilder.Append(unsafeBytes(s)) }

// appendUTF8OrNull appends s, or null when s is empty.
func appendUTF8OrNull(b *array.StringBuilder, s string) {
	if s == "" {
		b.AppendNull()
		return
	}
	b.BinaryBuilder.Append(unsafeBytes(s))
}

// appendDate appends d's EDTF text and its first (or, with last, its last)
// day as date32, or two nulls for the zero Date. The day comes from the
// civil year, month and day, never through a time zone.
func (b *recordBuilder) appendDate(text *array.StringBuilder, days *array.Date32Builder, d timeline.Date, last bool) {
	if d.IsZero() {
		text.AppendNull()
		days.AppendNull()
		return
	}
	b.date = d.AppendText(b.date[:0])
	text.BinaryBuilder.Append(b.date)
	if last {
		d = d.Last()
	}
	days.Append(arrow.Date32(d.DaysSinceEpoch()))
}

func appendIndex(b *array.Int32Builder, v *vocabulary, s string) {
	if s == "" {
		b.AppendNull()
		return
	}
	b.Append(v.index[s])
}

func (b *recordBuilder) appendPrecision(ib *array.Int32Builder, d timeline.Date) {
	if d.IsZero() {
		ib.AppendNull()
		return
	}
	ib.Append(int32(d.Precision()) - 1)
}

// check refuses the values that the dictionary columns cannot hold, before
// anything is appended, so that a refused event leaves the batch whole.
func (b *recordBuilder) check(e *timeline.Event) error {
	if _, ok := b.kindVoc.index[string(e.Kind)]; !ok {
		_, err := timeline.ParseKind(string(e.Kind))
		return fmt.Errorf("kind: %w", err)
	}
	if _, ok := b.statusVoc.index[string(e.Status)]; !ok {
		_, err := timeline.ParseStatus(string(e.Status))
		return fmt.Errorf("status: %w", err)
	}
	if _, ok := b.countryVoc.index[e.Place.Country]; !ok && e.Place.Country != "" {
		return fmt.Errorf("place.country %q: %w", e.Place.Country, timeline.ErrCountry)
	}
	if _, ok := b.geoVoc.index[string(e.Place.GeoPrecision)]; !ok && e.Place.GeoPrecision != "" {
		_, err := timeline.ParseGeoPrecision(string(e.Place.GeoPrecision))
		return fmt.Errorf("place.geo_precision: %w", err)
	}
	return nil
}

func (b *recordBuilder) append(e *timeline.Event) error {
	if err := b.check(e); err != nil {
		return err
	}
	if b.n == 0 {
		b.reserve()
	}
	b.n++
	appendUTF8(b.id, e.ID)
	appendUTF8(b.title, e.Title)
	appendUTF8OrNull(b.summary, e.Summary)
	b.kind.Append(b.kindVoc.index[string(e.Kind)])
	b.status.Append(b.statusVoc.index[string(e.Status)])
	b.appendDate(b.start, b.startDate, e.Start, false)
	b.appendPrecision(b.startPrec, e.Start)
	b.appendDate(b.end, b.endDate, e.End, true)
	b.appendPrecision(b.endPrec, e.End)
	appendUTF8OrNull(b.placeName, e.Place.Name)
	appendIndex(b.country, b.countryVoc, e.Place.Country)
	if loc := e.Place.Location; loc != nil {
		b.lat.Append(loc.Lat)
		b.lon.Append(loc.Lon)
	} else {
		b.lat.AppendNull()
		b.lon.AppendNull()
	}
	appendIndex(b.geo, b.geoVoc, string(e.Place.GeoPrecision))

	b.actors.Append(true)
	for _, a := range e.Actors {
		b.actorStruct.Append(true)
		appendUTF8(b.actorColName, a.Name)
		appendUTF8OrNull(b.actorColRole, a.Role)
	}
	b.tags.Append(true)
	for _, t := range e.Tags {
		appendUTF8(b.tag, t)
	}
	b.related.Append(true)
	for _, r := range e.Related {
		appendUTF8(b.rel, r)
	}
	appendUTF8OrNull(b.notes, e.Notes)

	b.sources.Append(true)
	for i := range e.Sources {
		s := &e.Sources[i]
		b.srcStruct.Append(true)
		appendUTF8(b.srcColPublisher, s.Publisher)
		appendUTF8(b.srcColKind, string(s.Kind))
		appendUTF8OrNull(b.srcColVia, s.Via)
		appendUTF8OrNull(b.srcColTitle, s.Title)
		appendUTF8OrNull(b.srcColURL, s.URL)
		b.appendDate(b.srcColPublished, b.srcColPublishedDate, s.Published, false)
		b.appendDate(b.srcColAccessed, b.srcColAccessedDate, s.Accessed, false)
		appendUTF8OrNull(b.srcColLanguage, s.Language)
		appendUTF8OrNull(b.srcColQuote, s.Quote)
		if s.Grading.IsZero() {
			b.srcColGrading.AppendNull()
		} else {
			b.date = append(b.date[:0], s.Grading.Reliability, s.Grading.Credibility)
			b.srcColGrading.BinaryBuilder.Append(b.date)
		}
	}
	b.sourceCount.Append(int32(len(e.Sources)))
	b.publisherCount.Append(int32(len(e.Publishers())))
	b.independentPublishers.Append(int32(e.IndependentPublishers()))
	return nil
}

// reserve sizes the builders of a new batch like the last one, with an
// eighth more, so that they seldom grow by doubling and copying.
func (b *recordBuilder) reserve() {
	if b.reserveRows == 0 {
		return
	}
	more := func(n int) int { return n + n/8 }
	for _, x := range b.allBuilders {
		x.Reserve(b.reserveRows)
	}
	for i, l := range []*array.ListBuilder{b.actors, b.tags, b.related, b.sources} {
		l.ValueBuilder().Reserve(more(b.listLens[i]))
	}
	for i, s := range b.strings {
		s.ReserveData(more(b.dataSize[i]))
	}
}

func (b *recordBuilder) newRecord() arrow.Record {
	for i, s := range b.strings {
		b.dataSize[i] = s.DataLen()
	}
	for i, l := range []*array.ListBuilder{b.actors, b.tags, b.related, b.sources} {
		b.listLens[i] = l.ValueBuilder().Len()
	}
	b.reserveRows = b.n
	dict := func(ib *array.Int32Builder, d *array.String) arrow.Array {
		idx := ib.NewInt32Array()
		defer idx.Release()
		return array.NewDictionaryArray(dictUTF8, idx, d)
	}
	cols := []arrow.Array{
		b.id.NewArray(), b.title.NewArray(), b.summary.NewArray(),
		dict(b.kind, b.kindDict), dict(b.status, b.statusDict),
		b.start.NewArray(), b.startDate.NewArray(), dict(b.startPrec, b.precDict),
		b.end.NewArray(), b.endDate.NewArray(), dict(b.endPrec, b.precDict),
		b.placeName.NewArray(), dict(b.country, b.countryDict), b.lat.NewArray(), b.lon.NewArray(), dict(b.geo, b.geoDict),
		b.actors.NewArray(), b.tags.NewArray(), b.related.NewArray(), b.notes.NewArray(), b.sources.NewArray(),
		b.sourceCount.NewArray(), b.publisherCount.NewArray(), b.independentPublishers.NewArray(),
	}
	rec := array.NewRecord(b.schema, cols, int64(b.n))
	for _, c := range cols {
		c.Release()
	}
	b.n = 0
	return rec
}
