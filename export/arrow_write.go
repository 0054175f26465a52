package export

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"iter"
	"math"
	"math/bits"
	"slices"
	"sync"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/sourced-dev/sourced/timeline"
)

// recordWriter takes record batches: ipcWriter, or a test's stand-in.
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

func writeArrow(ctx context.Context, format string, meta timeline.Metadata, events iter.Seq[timeline.Event], opts ArrowOptions,
	open func(*arrow.Schema) (recordWriter, error)) (err error) {
	defer func() {
		if err != nil {
			err = fmt.Errorf("export: write %s: %w", format, err)
		}
	}()
	defer recoverWriteErr(&err)
	schema := arrowSchema(meta)
	rb := newReusingRecordBuilder(allocatorOr(opts.Allocator), schema)
	defer rb.release()
	w, err := open(schema)
	if err != nil {
		return err
	}
	// On error the writer is not closed: Close would finish a file that
	// lacks batches (v17 lets Close succeed after a failed Write), and the
	// caller discards what was written.
	if err := rb.writeAll(cancellable(ctx, events), opts.batchSize(), w.Write); err != nil {
		return err
	}
	// A cancelled write stops here, before the footer: what was written is
	// not a whole file, and Save discards it.
	if err := cancelled(ctx); err != nil {
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
// arrow_schema.go. It writes each column straight into buffers of its own
// instead of going through arrow's builders, which cost several calls, a
// capacity check and a bitmap write for every value, zero every buffer they
// grow, and give their buffers away with each batch. The columns make room
// for a whole event's rows at once (see rows), so that a value costs a store
// and no check. The buffers come from a pool that takes them back when a
// batch is released, so that once the first batches have sized them, a
// batch allocates nothing per event.
type recordBuilder struct {
	pool   *bufferPool
	schema *arrow.Schema
	n      int // events in the batch
	text   int // bytes of text in the batch (see eventTextExtra)

	kindVoc, statusVoc, geoVoc *vocabTable
	countries                  *countryIndex

	kindDict, statusDict, precDict, countryDict, geoDict *array.String
	actorsType, tagsType, relatedType, sourcesType       arrow.DataType

	// The columns, named as in arrow_schema.go; the actor and source ones
	// are the fields of the structs in the actors and sources lists.
	id, title, summary, kind, status, notes                      column
	start, startDate, startPrec, end, endDate, endPrec           column
	placeName, country, lat, lon, geo                            column
	actors, tags, related, sources                               column
	sourceCount, publisherCount, independent                     column
	actorName, actorRole, tag, rel                               column
	srcPublisher, srcKind, srcVia, srcTitle, srcURL              column
	srcPublished, srcPublishedDate, srcAccessed, srcAccessedDate column
	srcLanguage, srcQuote, srcGrading                            column

	// The columns by the rows they hold: one per event, per actor, per
	// tag, per related ID, per source.
	events, actorRows, tagRows, relatedRows, sourceRows rows
}

// newRecordBuilder returns a builder whose batches allocate their buffers
// from mem. It does not reuse them: pqarrow's writer keeps slices of a
// batch's strings (its column statistics) past the batch's release, without
// holding a reference, so a reused buffer would change them.
func newRecordBuilder(mem memory.Allocator, schema *arrow.Schema) *recordBuilder {
	return newRecordBuilderWith(&bufferPool{base: mem}, schema)
}

// newReusingRecordBuilder returns a builder that reuses the buffers of the
// batches released, for writers that hold nothing of a batch once they
// release it (arrow's IPC writers, which count their references).
func newReusingRecordBuilder(mem memory.Allocator, schema *arrow.Schema) *recordBuilder {
	return newRecordBuilderWith(newReusingPool(mem), schema)
}

func newRecordBuilderWith(p *bufferPool, schema *arrow.Schema) *recordBuilder {
	v := vocabularies()
	t := vocabTables()
	b := &recordBuilder{
		pool: p, schema: schema,
		kindVoc: t.kind, statusVoc: t.status, geoVoc: t.geo,
		countries: countries(),
	}
	b.kindDict, b.statusDict, b.precDict = v.kind.dictionary(), v.status.dictionary(), v.precision.dictionary()
	b.countryDict, b.geoDict = v.country.dictionary(), v.geo.dictionary()
	typeOf := func(name string) arrow.DataType {
		f, _ := schema.FieldsByName(name)
		return f[0].Type
	}
	b.actorsType, b.tagsType, b.relatedType, b.sourcesType = typeOf(colActors), typeOf(colTags), typeOf(colRelated), typeOf(colSources)

	// Each column is a string, a list (offsets) or a value of width bytes.
	str := func(cs ...*column) []*column {
		for _, c := range cs {
			c.offsets, c.text = true, true
		}
		return cs
	}
	list := func(cs ...*column) []*column {
		for _, c := range cs {
			c.offsets = true
		}
		return cs
	}
	val := func(width int, cs ...*column) []*column {
		for _, c := range cs {
			c.width = width
		}
		return cs
	}
	b.events.cols = slices.Concat(
		str(&b.id, &b.title, &b.summary, &b.notes, &b.start, &b.end, &b.placeName),
		list(&b.actors, &b.tags, &b.related, &b.sources),
		val(4, &b.kind, &b.status, &b.startDate, &b.startPrec, &b.endDate, &b.endPrec, &b.country, &b.geo,
			&b.sourceCount, &b.publisherCount, &b.independent),
		val(8, &b.lat, &b.lon))
	b.actorRows.cols = str(&b.actorName, &b.actorRole)
	b.tagRows.cols = str(&b.tag)
	b.relatedRows.cols = str(&b.rel)
	b.sourceRows.cols = slices.Concat(
		str(&b.srcPublisher, &b.srcKind, &b.srcVia, &b.srcTitle, &b.srcURL, &b.srcPublished, &b.srcAccessed,
			&b.srcLanguage, &b.srcQuote, &b.srcGrading),
		val(4, &b.srcPublishedDate, &b.srcAccessedDate))
	for _, r := range b.allRows() {
		for _, c := range r.cols {
			c.pool = p
		}
	}
	return b
}

func (b *recordBuilder) allRows() []*rows {
	return []*rows{&b.events, &b.actorRows, &b.tagRows, &b.relatedRows, &b.sourceRows}
}

// release gives back every buffer that no batch holds; a batch still held
// (by a Parquet partition's goroutine) gives its buffers back when released.
func (b *recordBuilder) release() {
	for _, r := range b.allRows() {
		for _, c := range r.cols {
			c.drop()
		}
	}
	for _, r := range b.allRows() {
		r.n, r.cap = 0, 0
	}
	b.n, b.text = 0, 0
	b.pool.release()
	for _, d := range []*array.String{b.kindDict, b.statusDict, b.precDict, b.countryDict, b.geoDict} {
		d.Release()
	}
}

// errBatchText refuses an event that would take a batch's text past what
// Arrow's 32-bit offsets can address; writeAll then starts a new batch.
var errBatchText = errors.New("the batch would hold more than 2 GiB of text, more than Arrow's string columns can; write smaller batches")

// writeAll appends events and hands each full batch, and the last one, to
// write.
func (b *recordBuilder) writeAll(events iter.Seq[timeline.Event], batchSize int, write func(arrow.Record) error) error {
	if events == nil {
		return nil
	}
	i := 0
	for e := range events {
		err := b.append(&e)
		if err == errBatchText && b.n > 0 {
			if err = b.flush(write); err == nil {
				err = b.append(&e)
			}
		}
		if err != nil {
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

// eventIndices are the dictionary indices of an event's values; -1 for a
// null.
type eventIndices struct{ kind, status, country, geo int32 }

// indices looks up the values that the dictionary columns hold, and refuses
// those they cannot, before anything is appended, so that a refused event
// leaves the batch whole.
func (b *recordBuilder) indices(e *timeline.Event) (x eventIndices, err error) {
	var ok bool
	if x.kind, ok = b.kindVoc.lookup(string(e.Kind)); !ok {
		_, err := timeline.ParseKind(string(e.Kind))
		return x, fmt.Errorf("kind: %w", err)
	}
	if x.status, ok = b.statusVoc.lookup(string(e.Status)); !ok {
		_, err := timeline.ParseStatus(string(e.Status))
		return x, fmt.Errorf("status: %w", err)
	}
	x.country, x.geo = -1, -1
	if c := e.Place.Country; c != "" {
		if x.country = b.countries.lookup(c); x.country < 0 {
			return x, fmt.Errorf("place.country %q: %w", c, timeline.ErrCountry)
		}
	}
	if g := e.Place.GeoPrecision; g != "" {
		if x.geo, ok = b.geoVoc.lookup(string(g)); !ok {
			_, err := timeline.ParseGeoPrecision(string(g))
			return x, fmt.Errorf("place.geo_precision: %w", err)
		}
	}
	return x, nil
}

// maxDateText bounds the EDTF text of a Date: "2024-11-14?" is the longest.
const maxDateText = 16

// maxBatchText is the most text a batch holds, summed over its string
// columns, so that no one column passes what Arrow's 32-bit offsets can
// address. A variable for the tests.
var maxBatchText = math.MaxInt32

// eventTextExtra is the text an event adds beside its strings, which the
// string columns count as they copy them: room for two dates, and for
// each source two dates and a grading. The text of an event (its strings'
// lengths and this) bounds the bytes it adds to a batch.
func eventTextExtra(e *timeline.Event) int {
	return 2*maxDateText + len(e.Sources)*(2*maxDateText+2)
}

func (b *recordBuilder) append(e *timeline.Event) error {
	x, err := b.indices(e)
	if err != nil {
		return err
	}
	before := rows0{b.n, b.actorRows.n, b.tagRows.n, b.relatedRows.n, b.sourceRows.n, b.text}
	if b.n == 0 {
		for _, r := range b.allRows() {
			r.begin()
		}
	}
	// Each column stores its values at the rows that these reserve, by
	// row number; the rows count them once the event is in.
	i := b.events.reserve(1)
	a0 := b.actorRows.reserve(len(e.Actors))
	t0 := b.tagRows.reserve(len(e.Tags))
	r0 := b.relatedRows.reserve(len(e.Related))
	s0 := b.sourceRows.reserve(len(e.Sources))
	b.n++
	// The string columns return the lengths of the strings they take,
	// which text sums as they copy them, rather than a pass over the event
	// beforehand: an event that takes the batch past maxBatchText is taken
	// back out after.
	text := eventTextExtra(e)
	text += b.id.str(i, e.ID)
	text += b.title.str(i, e.Title)
	text += b.summary.strOrNull(i, e.Summary)
	b.kind.int32(i, x.kind)
	b.status.int32(i, x.status)
	appendDate(&b.start, &b.startDate, &b.startPrec, i, &e.Start, false)
	if e.End.IsZero() && !e.Start.IsZero() {
		// end_date is the last day the event covers, as in events.csv:
		// with no end, the last day of start.
		b.end.strNull(i)
		b.endPrec.int32Null(i)
		b.endDate.int32(i, dateDays(&e.Start, true))
	} else {
		appendDate(&b.end, &b.endDate, &b.endPrec, i, &e.End, true)
	}
	text += b.placeName.strOrNull(i, e.Place.Name)
	b.country.int32OrNull(i, x.country)
	if loc := e.Place.Location; loc != nil {
		b.lat.float64(i, loc.Lat)
		b.lon.float64(i, loc.Lon)
	} else {
		b.lat.float64Null(i)
		b.lon.float64Null(i)
	}
	b.geo.int32OrNull(i, x.geo)

	for k := range e.Actors {
		a := &e.Actors[k]
		text += b.actorName.str(a0+k, a.Name)
		text += b.actorRole.strOrNull(a0+k, a.Role)
	}
	b.actors.list(i, a0+len(e.Actors))
	for k, t := range e.Tags {
		text += b.tag.str(t0+k, t)
	}
	b.tags.list(i, t0+len(e.Tags))
	for k, r := range e.Related {
		text += b.rel.str(r0+k, r)
	}
	b.related.list(i, r0+len(e.Related))
	text += b.notes.strOrNull(i, e.Notes)

	for k := range e.Sources {
		s, j := &e.Sources[k], s0+k
		text += b.srcPublisher.str(j, s.Publisher)
		text += b.srcKind.str(j, string(s.Kind))
		text += b.srcVia.strOrNull(j, s.Via)
		text += b.srcTitle.strOrNull(j, s.Title)
		text += b.srcURL.strOrNull(j, s.URL)
		appendDate(&b.srcPublished, &b.srcPublishedDate, nil, j, &s.Published, false)
		appendDate(&b.srcAccessed, &b.srcAccessedDate, nil, j, &s.Accessed, false)
		text += b.srcLanguage.strOrNull(j, s.Language)
		text += b.srcQuote.strOrNull(j, s.Quote)
		if s.Grading.IsZero() {
			b.srcGrading.strNull(j)
		} else {
			b.srcGrading.str2(j, s.Grading.Reliability, s.Grading.Credibility)
		}
	}
	b.sources.list(i, s0+len(e.Sources))
	b.sourceCount.int32(i, int32(len(e.Sources)))
	all, independent := e.PublisherCounts()
	b.publisherCount.int32(i, int32(all))
	b.independent.int32(i, int32(independent))
	b.text += text
	if b.text > maxBatchText {
		b.truncate(before)
		if b.n == 0 {
			return fmt.Errorf("%d bytes of text, more than an Arrow batch can hold (2 GiB)", text)
		}
		return errBatchText
	}
	return nil
}

// rows0 is where a batch stood before an event: its rows of each kind and
// its text.
type rows0 struct{ events, actors, tags, related, sources, text int }

// truncate takes back what append added since the batch stood at r0, or,
// for the batch's first event, everything since the batch began.
func (b *recordBuilder) truncate(r0 rows0) {
	for i, k := range []int{r0.events, r0.actors, r0.tags, r0.related, r0.sources} {
		r := b.allRows()[i]
		for _, c := range r.cols {
			c.truncate(k)
		}
		r.n = k
	}
	b.n, b.text = r0.events, r0.text
}

// appendDate appends d's EDTF text, the day as date32 (the first day d
// covers, or with last, for an end, its last) and, when prec is not nil,
// the index of its precision, at row i; nulls for the zero Date. The day
// comes from the civil year, month and day, never through a time zone.
func appendDate(text, days, prec *column, i int, d *timeline.Date, last bool) {
	if d.IsZero() {
		text.strNull(i)
		days.int32Null(i)
		if prec != nil {
			prec.int32Null(i)
		}
		return
	}
	// The text is written in place.
	t := &text.data
	if len(t.b)-t.n < maxDateText {
		t.grow(text.pool, maxDateText)
	}
	t.n += putDateText(t.b[t.n:], d)
	text.putEnd(i, t.n)
	text.markValid(i)
	days.int32(i, dateDays(d, last))
	if prec != nil {
		prec.int32(i, int32(d.Precision())-1)
	}
}

func (b *recordBuilder) newRecord() arrow.Record {
	for _, r := range b.allRows() {
		r.end()
	}
	str := func(c *column) arrow.ArrayData { return c.finish(utf8Type) }
	dict := func(c *column, d *array.String) arrow.ArrayData { return c.finishDict(d.Data()) }
	date := func(c *column) arrow.ArrayData { return c.finish(arrow.FixedWidthTypes.Date32) }
	f64 := func(c *column) arrow.ArrayData { return c.finish(arrow.PrimitiveTypes.Float64) }
	i32 := func(c *column) arrow.ArrayData { return c.finish(arrow.PrimitiveTypes.Int32) }
	// The children first: a list's length is the parent's, a struct's is
	// its first field's.
	actors := newStruct(actorType, str(&b.actorName), str(&b.actorRole))
	tags, related := str(&b.tag), str(&b.rel)
	sources := newStruct(sourceType,
		str(&b.srcPublisher), str(&b.srcKind), str(&b.srcVia), str(&b.srcTitle), str(&b.srcURL),
		str(&b.srcPublished), date(&b.srcPublishedDate), str(&b.srcAccessed), date(&b.srcAccessedDate),
		str(&b.srcLanguage), str(&b.srcQuote), str(&b.srcGrading))
	data := []arrow.ArrayData{
		str(&b.id), str(&b.title), str(&b.summary),
		dict(&b.kind, b.kindDict), dict(&b.status, b.statusDict),
		str(&b.start), date(&b.startDate), dict(&b.startPrec, b.precDict),
		str(&b.end), date(&b.endDate), dict(&b.endPrec, b.precDict),
		str(&b.placeName), dict(&b.country, b.countryDict), f64(&b.lat), f64(&b.lon), dict(&b.geo, b.geoDict),
		b.actors.finish(b.actorsType, actors), b.tags.finish(b.tagsType, tags), b.related.finish(b.relatedType, related),
		str(&b.notes), b.sources.finish(b.sourcesType, sources),
		i32(&b.sourceCount), i32(&b.publisherCount), i32(&b.independent),
	}
	cols := make([]arrow.Array, len(data))
	for i, d := range data {
		cols[i] = array.MakeFromData(d)
		d.Release()
	}
	rec := array.NewRecord(b.schema, cols, int64(b.n))
	for _, c := range cols {
		c.Release()
	}
	b.n, b.text = 0, 0
	return rec
}

// newStruct makes the data of a struct array of type dt, never null, from
// its fields, and takes over their references.
func newStruct(dt arrow.DataType, fields ...arrow.ArrayData) arrow.ArrayData {
	d := array.NewData(dt, fields[0].Len(), []*memory.Buffer{nil}, fields, 0, 0)
	for _, f := range fields {
		f.Release()
	}
	return d
}

// countryIndex finds a country code's dictionary index by its two letters
// rather than by hashing it.
type countryIndex struct {
	voc   *vocabulary
	table [26 * 26]int32 // by countryKey; -1 for no code
}

var countries = sync.OnceValue(func() *countryIndex {
	c := &countryIndex{voc: vocabularies().country}
	for i := range c.table {
		c.table[i] = -1
	}
	for s, i := range c.voc.index {
		if k, ok := countryKey(s); ok {
			c.table[k] = i
		}
	}
	return c
})

// countryKey numbers the codes of two capital letters.
func countryKey(s string) (int, bool) {
	if len(s) != 2 || s[0]-'A' >= 26 || s[1]-'A' >= 26 {
		return 0, false
	}
	return int(s[0]-'A')*26 + int(s[1]-'A'), true
}

// lookup returns the index of code, or -1.
func (c *countryIndex) lookup(code string) int32 {
	if k, ok := countryKey(code); ok {
		return c.table[k]
	}
	if i, ok := c.voc.index[code]; ok {
		return i
	}
	return -1
}

// rows is a set of columns that hold the same rows (the top-level columns,
// or the fields of a list's struct), and the rows they have room for: their
// values (or offsets) and, once they have a null, their bitmaps. Making room
// for all of an event's rows at once leaves the values without a check each.
// The columns store each value at its row number, so that a value costs a
// store, not the upkeep of a count of its own in every column: their counts
// (column.n, buf.n of fixed and valid) are set only when the rows grow and
// when the batch ends.
type rows struct {
	cols []*column
	n    int // rows in this batch
	cap  int // rows the columns have room for in this batch
	last int // rows in the last batch
}

// begin starts a batch, with room for a little more than the last batch
// held, so that the buffers seldom grow within it.
func (r *rows) begin() {
	r.n, r.cap = 0, max(r.last+r.last/8, 16)
	for _, c := range r.cols {
		c.fixed.n = 0
		c.fixed.reserve(c.pool, c.fixedSize(r.cap))
		c.data.reserve(c.pool, c.data.last+c.data.last/8)
		if c.offsets {
			binary.NativeEndian.PutUint32(c.fixed.b, 0) // the first offset
		}
		c.cap = r.cap
	}
}

// reserve makes room for k more rows, counts them, and returns the first.
func (r *rows) reserve(k int) (i int) {
	i = r.n
	if r.n += k; r.n > r.cap {
		r.grow(i)
	}
	return i
}

// grow makes room for r.n rows at least, keeping the values of the first
// kept.
func (r *rows) grow(kept int) {
	n := max(r.n, 2*r.cap)
	for _, c := range r.cols {
		c.fixed.n = c.fixedSize(kept)
		c.fixed.reserve(c.pool, c.fixedSize(n)-c.fixed.n)
		if c.nulls > 0 {
			c.valid.n = (kept + 7) / 8
			c.valid.reserve(c.pool, (n+7)/8-c.valid.n)
		}
		c.cap = n
	}
	r.cap = n
}

// end sets the counts of the columns of a finished batch, and notes its
// rows.
func (r *rows) end() {
	for _, c := range r.cols {
		c.n = r.n
		c.fixed.n = 0
		if r.n > 0 {
			c.fixed.n = c.fixedSize(r.n)
		}
		if c.nulls > 0 {
			c.valid.n = (r.n + 7) / 8
		}
	}
	r.last, r.n, r.cap = r.n, 0, 0
}

// column is one array of the batch being built: its values (int32 or
// float64) or, for strings and lists, its int32 offsets, and for strings
// the bytes; and a validity bitmap, made only at the batch's first null,
// since most columns of most batches have none. Its rows reserve room for
// the values and bitmap, and give the row of each value; the bytes of a
// string make room for themselves.
type column struct {
	pool    *bufferPool
	offsets bool // fixed holds offsets: a string or list column
	text    bool // data holds the bytes: a string column
	width   int  // bytes of a value, when not offsets
	n       int  // values in the batch, once it ends (rows.end)
	cap     int  // values there is room for
	nulls   int
	fixed   buf
	data    buf
	valid   buf
}

// fixedSize is the size of the offsets or values of n rows.
func (c *column) fixedSize(n int) int {
	if c.offsets {
		return 4 * (n + 1)
	}
	return c.width * n
}

// putEnd stores the offset where value i of a string or list ends.
func (c *column) putEnd(i, end int) {
	binary.NativeEndian.PutUint32(c.fixed.b[4*i+4:], uint32(int32(end)))
}

// str appends s as value i, and returns its length.
func (c *column) str(i int, s string) int { return c.put(i, s, false) }

// strOrNull appends s, or null when s is empty, and returns its length.
func (c *column) strOrNull(i int, s string) int { return c.put(i, s, true) }

// put is str, or with orNull strOrNull: one call for either.
func (c *column) put(i int, s string, orNull bool) int {
	d := &c.data
	if s == "" && orNull {
		c.strNull(i)
		return 0
	}
	if len(d.b)-d.n < len(s) {
		if len(s) > maxBatchText-d.n {
			// No batch can take this string here, and append takes
			// the event back out: do not grow the buffer past what a
			// batch holds, nor copy.
			c.putEnd(i, d.n)
			c.markValid(i)
			return len(s)
		}
		d.grow(c.pool, len(s))
	}
	d.n += copy(d.b[d.n:], s)
	c.putEnd(i, d.n)
	c.markValid(i)
	return len(s)
}

// str2 appends the two-byte string of x and y.
func (c *column) str2(i int, x, y byte) {
	d := &c.data
	if len(d.b)-d.n < 2 {
		d.grow(c.pool, 2)
	}
	d.b[d.n], d.b[d.n+1] = x, y
	d.n += 2
	c.putEnd(i, d.n)
	c.markValid(i)
}

func (c *column) int32(i int, v int32) {
	binary.NativeEndian.PutUint32(c.fixed.b[4*i:], uint32(v))
	c.markValid(i)
}

// int32OrNull appends v, or null when v is negative.
func (c *column) int32OrNull(i int, v int32) {
	if v < 0 {
		c.int32Null(i)
		return
	}
	c.int32(i, v)
}

func (c *column) float64(i int, v float64) {
	binary.NativeEndian.PutUint64(c.fixed.b[8*i:], math.Float64bits(v))
	c.markValid(i)
}

// list ends list i, whose values end at the child's row end.
func (c *column) list(i, end int) {
	c.putEnd(i, end)
}

// The nulls: an empty string, or a zero value, which keeps files the same
// from run to run whatever the reused buffers held.

func (c *column) strNull(i int) {
	c.putEnd(i, c.data.n)
	c.markNull(i)
}

func (c *column) int32Null(i int) {
	binary.NativeEndian.PutUint32(c.fixed.b[4*i:], 0)
	c.markNull(i)
}

func (c *column) float64Null(i int) {
	binary.NativeEndian.PutUint64(c.fixed.b[8*i:], 0)
	c.markNull(i)
}

// markValid and markNull set value i's validity: markValid has nothing to
// do until the batch's first null makes the bitmap.
// Each clears the bits after value i's in its byte, which the bitmap's
// reused buffer may have set.
func (c *column) markValid(i int) {
	if c.nulls != 0 {
		x := &c.valid.b[i>>3]
		*x = *x&(1<<(i&7)-1) | 1<<(i&7)
	}
}

func (c *column) markNull(i int) {
	if c.nulls == 0 {
		c.startBitmap(i)
	} else {
		c.valid.b[i>>3] &= 1<<(i&7) - 1
	}
	c.nulls++
}

// startBitmap makes the bitmap, with room for c.cap values, at the batch's
// first null, value i: every value before it was valid.
func (c *column) startBitmap(i int) {
	v := &c.valid
	v.n = 0
	v.reserve(c.pool, (c.cap+7)/8)
	full := i / 8
	b := v.b[:full+1]
	for j := range full {
		b[j] = 0xff
	}
	b[full] = byte(1)<<(i%8) - 1
}

// finish hands the batch's buffers to array data of type dt, with the
// given children, whose references it takes over.
func (c *column) finish(dt arrow.DataType, children ...arrow.ArrayData) arrow.ArrayData {
	bufs := []*memory.Buffer{nil, c.fixed.take(c.pool)}
	if c.text {
		bufs = append(bufs, c.data.take(c.pool))
	}
	return c.newData(dt, bufs, children, nil)
}

// finishDict hands the batch's indices to a dictionary array's data.
func (c *column) finishDict(dict arrow.ArrayData) arrow.ArrayData {
	return c.newData(dictUTF8, []*memory.Buffer{nil, c.fixed.take(c.pool)}, nil, dict)
}

func (c *column) newData(dt arrow.DataType, bufs []*memory.Buffer, children []arrow.ArrayData, dict arrow.ArrayData) arrow.ArrayData {
	if c.nulls > 0 {
		bufs[0] = c.valid.take(c.pool)
	} else {
		c.valid.last = 0
	}
	var d *array.Data
	if dict != nil {
		d = array.NewDataWithDictionary(dt, c.n, bufs, c.nulls, 0, dict.(*array.Data))
	} else {
		d = array.NewData(dt, c.n, bufs, children, c.nulls, 0)
	}
	for _, b := range bufs {
		if b != nil {
			b.Release()
		}
	}
	for _, ch := range children {
		ch.Release()
	}
	c.n, c.cap, c.nulls = 0, 0, 0
	return d
}

// truncate takes the column back to its first k values.
func (c *column) truncate(k int) {
	if c.text {
		c.data.n = int(binary.NativeEndian.Uint32(c.fixed.b[4*k:]))
	}
	if c.nulls > 0 {
		// Clear the bits of the values past k, and count the
		// nulls left; with none, the next null starts the bitmap again.
		v := &c.valid
		v.n = (k + 7) / 8
		if k&7 != 0 {
			v.b[k>>3] &= byte(1)<<(k&7) - 1
		}
		valid := 0
		for _, x := range v.b[:v.n] {
			valid += bits.OnesCount8(x)
		}
		c.nulls = k - valid
	}
}

// drop gives back the buffers of an unfinished batch.
func (c *column) drop() {
	for _, x := range []*buf{&c.fixed, &c.data, &c.valid} {
		if x.b != nil {
			c.pool.Free(x.b)
		}
		*x = buf{}
	}
	c.n, c.cap, c.nulls = 0, 0, 0
}

// buf is a growing buffer of a batch, from the pool: len(b) is its capacity.
type buf struct {
	b    []byte
	n    int // bytes used
	last int // bytes used in the last batch
}

// grow makes room for more bytes, at least doubling the buffer so that
// appending stays linear.
func (x *buf) grow(p *bufferPool, more int) {
	b := p.get(max(x.n+more, 2*len(x.b)))
	copy(b, x.b[:x.n])
	if x.b != nil {
		p.Free(x.b)
	}
	x.b = b
}

func (x *buf) reserve(p *bufferPool, more int) {
	if len(x.b)-x.n < more {
		x.grow(p, more)
	}
}

// take hands the bytes used to an arrow buffer that gives them back to the
// pool when released, and leaves x empty for the next batch.
func (x *buf) take(p *bufferPool) *memory.Buffer {
	if x.b == nil {
		x.b = p.get(0)
	}
	m := memory.NewBufferWithAllocator(x.b, p)
	m.ResizeNoShrink(x.n)
	x.last, x.b, x.n = x.n, nil, 0
	return m
}

// bufferPool is an allocator that hands out buffers in sizes of powers of
// two and, when it reuses, keeps those that released batches give back and
// hands them to the next batches, so that writing reuses a few batches'
// worth of memory instead of allocating and zeroing it again for every
// batch. Batches may be released on other goroutines (the Parquet dataset
// writer's partitions), and after the builder is done with the pool.
type bufferPool struct {
	base   memory.Allocator
	mu     sync.Mutex
	free   [bits.UintSize][][]byte // by size class: 1<<class bytes
	reuse  bool                    // keep what is freed; else free it to base
	shared bool                    // base is Go's allocator: see sharedPools
	closed bool                    // frees go to base
}

// sharedPools holds the pools of finished writers whose memory is Go's,
// for the next writer: a program that writes many files reuses the same
// buffers, and the garbage collector empties sync.Pool of those that stay
// unused. Memory from any other allocator goes back to it when a writer
// ends, as that allocator's owner expects.
var sharedPools sync.Pool

func newReusingPool(mem memory.Allocator) *bufferPool {
	if _, ok := mem.(*memory.GoAllocator); !ok {
		return &bufferPool{base: mem, reuse: true}
	}
	if p, ok := sharedPools.Get().(*bufferPool); ok {
		return p
	}
	return &bufferPool{base: mem, reuse: true, shared: true}
}

// release ends the builder's use of the pool: it keeps a shared pool for
// another writer, and closes any other.
func (p *bufferPool) release() {
	if p.shared {
		sharedPools.Put(p)
		return
	}
	p.close()
}

// minPoolSize is the smallest buffer the pool hands out: arrow aligns
// buffers to 64 bytes anyway.
const minPoolSize = 64

// poolClass returns the size class of a buffer of n bytes, or false when
// n is not a size the pool hands out.
func poolClass(n int) (int, bool) {
	return bits.Len(uint(n - 1)), n >= minPoolSize && n&(n-1) == 0
}

// get returns a buffer of at least n bytes.
func (p *bufferPool) get(n int) []byte {
	class := bits.Len(uint(max(n, minPoolSize) - 1))
	p.mu.Lock()
	if l := len(p.free[class]); l > 0 {
		b := p.free[class][l-1]
		p.free[class][l-1] = nil
		p.free[class] = p.free[class][:l-1]
		p.mu.Unlock()
		return b
	}
	p.mu.Unlock()
	return p.base.Allocate(1 << class)
}

// Allocate implements memory.Allocator. A shared pool hands out any size,
// a slice of a buffer of the size above; Go's allocator frees nothing, so
// that Free can take the buffer back by its capacity. Other pools hand out
// only their sizes, and pass other requests to base, which may count what
// it allocated by the length of what is freed.
func (p *bufferPool) Allocate(n int) []byte {
	if _, ok := poolClass(n); ok || (p.shared && n > 0) {
		return p.get(n)[:n]
	}
	return p.base.Allocate(n)
}

// Reallocate implements memory.Allocator.
func (p *bufferPool) Reallocate(n int, b []byte) []byte {
	if p.shared && cap(b) >= n {
		return b[:n]
	}
	out := p.Allocate(n)
	copy(out, b)
	p.Free(b)
	return out
}

// Free implements memory.Allocator: it keeps b for a later batch.
func (p *bufferPool) Free(b []byte) {
	if p.shared {
		b = b[:cap(b)]
	}
	if class, ok := poolClass(len(b)); ok && p.reuse {
		p.mu.Lock()
		if !p.closed {
			p.free[class] = append(p.free[class], b)
			p.mu.Unlock()
			return
		}
		p.mu.Unlock()
	}
	p.base.Free(b)
}

// close gives every kept buffer back to base, as later frees will be.
func (p *bufferPool) close() {
	p.mu.Lock()
	free := p.free
	p.free = [bits.UintSize][][]byte{}
	p.closed = true
	p.mu.Unlock()
	for _, bs := range free {
		for _, b := range bs {
			p.base.Free(b)
		}
	}
}
