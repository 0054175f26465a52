package export

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/sourced-dev/sourced/timeline"
)

// eventDecoder turns record batches of a checked schema into events. The Arrow
// and Parquet readers share it.
type eventDecoder struct {
	src    arrowInput
	schema *arrow.Schema

	id, title, summary, kind, status, start, end        int
	placeName, country, lat, lon, geo, notes            int
	actors, tags, related, sources                      int
	startDate, startPrec, endDate, endPrec              int // -1 when the file lacks them
	actorColName, actorColRole                          int
	srcColPublisher, srcColKind, srcColVia, srcColTitle int
	srcColURL, srcColPublished, srcColAccessed, srcLang int
	srcColQuote, srcColGrading                          int
	srcColPublishedDate, srcColAccessedDate             int // -1 when the file lacks them
}

// The type checks of newEventDecoder. Text columns may be utf8, large_utf8,
// utf8_view or a dictionary of one of them, as other writers make them
// (pandas writes categories as dictionaries with int8 indices).
type colType struct {
	want string
	ok   func(arrow.DataType) bool
}

var (
	textType = colType{"utf8, large_utf8, utf8_view or a dictionary of one of them", isText}
	dateType = colType{"date32", func(t arrow.DataType) bool { return t.ID() == arrow.DATE32 }}
	f64Type  = colType{"float64", func(t arrow.DataType) bool { return t.ID() == arrow.FLOAT64 }}
	intType  = colType{"an integer", func(t arrow.DataType) bool { return arrow.IsInteger(t.ID()) }}
	textList = colType{"a list of utf8", func(t arrow.DataType) bool { e := listElem(t); return e != nil && isText(e) }}
	listOfS  = colType{"a list of structs", func(t arrow.DataType) bool { e := listElem(t); return e != nil && e.ID() == arrow.STRUCT }}
)

func isPlainText(t arrow.DataType) bool {
	switch t.ID() {
	case arrow.STRING, arrow.LARGE_STRING, arrow.STRING_VIEW:
		return true
	}
	return false
}

func isText(t arrow.DataType) bool {
	if d, ok := t.(*arrow.DictionaryType); ok {
		return arrow.IsInteger(d.IndexType.ID()) && isPlainText(d.ValueType)
	}
	return isPlainText(t)
}

func listElem(t arrow.DataType) arrow.DataType {
	switch t := t.(type) {
	case *arrow.ListType:
		return t.Elem()
	case *arrow.LargeListType:
		return t.Elem()
	}
	return nil
}

// newEventDecoder checks that schema holds the columns that events need, with
// types it can read, and finds them.
func newEventDecoder(src arrowInput, schema *arrow.Schema) (*eventDecoder, error) {
	d := &eventDecoder{src: src, schema: schema}
	index := map[string]int{}
	for i, f := range schema.Fields() {
		if _, dup := index[f.Name]; dup {
			return nil, src.fail(-1, 0, f.Name, fmt.Errorf("%w: duplicate column %q", ErrSchema, f.Name))
		}
		index[f.Name] = i
	}
	var missing []string
	var bad error
	find := func(fields []arrow.Field, index map[string]int, prefix, name string, check colType, required bool) int {
		i, ok := index[name]
		switch {
		case !ok && required:
			missing = append(missing, prefix+name)
			return -1
		case !ok:
			return -1
		case !check.ok(fields[i].Type) && bad == nil:
			bad = src.fail(-1, 0, prefix+name, fmt.Errorf("%w: column %q is %s, want %s", ErrSchema, prefix+name, fields[i].Type, check.want))
		}
		return i
	}
	top := func(name string, check colType) int { return find(schema.Fields(), index, "", name, check, true) }
	derived := func(name string, check colType) int { return find(schema.Fields(), index, "", name, check, false) }

	d.id, d.title, d.summary = top(colID, textType), top(colTitle, textType), top(colSummary, textType)
	d.kind, d.status = top(colKind, textType), top(colStatus, textType)
	d.start, d.end = top(colStart, textType), top(colEnd, textType)
	d.startDate, d.startPrec = derived(colStartDate, dateType), derived(colStartPrec, textType)
	d.endDate, d.endPrec = derived(colEndDate, dateType), derived(colEndPrec, textType)
	d.placeName, d.country = top(colPlaceName, textType), top(colCountry, textType)
	d.lat, d.lon, d.geo = top(colLat, f64Type), top(colLon, f64Type), top(colGeoPrecision, textType)
	d.actors, d.tags, d.related = top(colActors, listOfS), top(colTags, textList), top(colRelated, textList)
	d.notes, d.sources = top(colNotes, textType), top(colSources, listOfS)
	derived(colSourceCount, intType)
	derived(colPublishers, intType)
	derived(colIndependent, intType)

	// The children of the structs, when the lists are lists of structs.
	children := func(col int) ([]arrow.Field, map[string]int) {
		if col < 0 {
			return nil, nil
		}
		st, ok := listElem(schema.Field(col).Type).(*arrow.StructType)
		if !ok {
			return nil, nil
		}
		m := map[string]int{}
		for i, f := range st.Fields() {
			if _, dup := m[f.Name]; !dup {
				m[f.Name] = i
			}
		}
		return st.Fields(), m
	}
	if fields, m := children(d.actors); fields != nil {
		p := colActors + "."
		d.actorColName, d.actorColRole = find(fields, m, p, actorColName, textType, true), find(fields, m, p, actorColRole, textType, true)
	}
	if fields, m := children(d.sources); fields != nil {
		p := colSources + "."
		req := func(name string, c colType) int { return find(fields, m, p, name, c, true) }
		d.srcColPublisher, d.srcColKind, d.srcColVia = req(srcColPublisher, textType), req(srcColKind, textType), req(srcColVia, textType)
		d.srcColTitle, d.srcColURL = req(srcColTitle, textType), req(srcColURL, textType)
		d.srcColPublished, d.srcColAccessed = req(srcColPublished, textType), req(srcColAccessed, textType)
		d.srcLang, d.srcColQuote, d.srcColGrading = req(srcColLanguage, textType), req(srcColQuote, textType), req(srcColGrading, textType)
		d.srcColPublishedDate = find(fields, m, p, srcColPublishedDate, dateType, false)
		d.srcColAccessedDate = find(fields, m, p, srcColAccessedDate, dateType, false)
	}
	if len(missing) > 0 {
		noun := "column"
		if len(missing) > 1 {
			noun = "columns"
		}
		return nil, src.fail(-1, 0, missing[0], fmt.Errorf("%w: not a sourced events file: missing %s %s", ErrSchema, noun, strings.Join(missing, ", ")))
	}
	if bad != nil {
		return nil, bad
	}
	return d, nil
}

// arrowText reads a text column of one batch. It copies the column's
// bytes out of arrow's buffers once, so that the strings it returns own
// their memory (after the batch is released) without an allocation each.
type arrowText struct {
	arr  arrow.Array
	data string   // the values, end to end
	o32  []int32  // len+1 offsets into data, from o32[0] (utf8)
	o64  []int64  // or these (large_utf8, and views copied out)
	dict []string // or dictionary values
	dix  *array.Dictionary
}

// newArrowText checks a text column: offsets in order and within the data,
// UTF-8 text, dictionary indices within the dictionary. Arrow's readers
// check none of these.
func newArrowText(a arrow.Array) (*arrowText, error) {
	c := &arrowText{arr: a}
	n := a.Len()
	if n == 0 {
		return c, nil
	}
	switch a := a.(type) {
	case *array.String:
		c.o32 = a.ValueOffsets()
		return c, setData(c, a.ValueBytes(), c.o32)
	case *array.LargeString:
		c.o64 = a.ValueOffsets()
		return c, setData(c, a.ValueBytes(), c.o64)
	case *array.StringView:
		var b strings.Builder
		c.o64 = make([]int64, n+1)
		for i := range n {
			if !a.IsNull(i) {
				b.WriteString(a.Value(i))
			}
			c.o64[i+1] = int64(b.Len())
		}
		return c, setData(c, []byte(b.String()), c.o64)
	case *array.Dictionary:
		values, err := newArrowText(a.Dictionary())
		if err != nil {
			return nil, err
		}
		m := a.Dictionary().Len()
		c.dict = make([]string, m)
		for i := range m {
			c.dict[i] = values.str(i)
		}
		c.dix = a
		for i := range n {
			if !a.IsNull(i) {
				if k := a.GetValueIndex(i); k < 0 || k >= m {
					return nil, fmt.Errorf("%w: row %d: dictionary index %d outside a dictionary of %d", ErrCorrupt, i+1, k, m)
				}
			}
		}
		return c, nil
	}
	return nil, fmt.Errorf("%w: unexpected text array %T", ErrSchema, a)
}

// setData copies data, whose first value begins at offs[0], and checks
// offs against it: in order, within the data, and each at the start of a
// UTF-8 sequence, which with valid UTF-8 data makes every value valid.
func setData[T int32 | int64](c *arrowText, data []byte, offs []T) error {
	base := offs[0]
	for i := 1; i < len(offs); i++ {
		o := offs[i] - base
		if offs[i] < offs[i-1] || o > T(len(data)) {
			return fmt.Errorf("%w: row %d: text offsets out of order or beyond the data", ErrCorrupt, i)
		}
		if o < T(len(data)) && !utf8.RuneStart(data[o]) {
			return fmt.Errorf("%w: row %d: text that is not UTF-8", ErrValue, i+1)
		}
	}
	if !utf8.Valid(data) {
		return fmt.Errorf("%w: text that is not UTF-8", ErrValue)
	}
	c.data = string(data)
	return nil
}

// str returns value i, or "" for a null.
func (c *arrowText) str(i int) string {
	switch {
	case c.arr.IsNull(i):
		return ""
	case c.o32 != nil:
		return c.data[c.o32[i]-c.o32[0] : c.o32[i+1]-c.o32[0]]
	case c.o64 != nil:
		return c.data[c.o64[i]-c.o64[0] : c.o64[i+1]-c.o64[0]]
	}
	return c.dict[c.dix.GetValueIndex(i)]
}

// readVocab maps the names of the closed vocabularies to their values,
// which the timeline's Parse functions would do with an allocation each.
var readVocab = sync.OnceValue(func() (v struct {
	kind   map[string]timeline.Kind
	status map[string]timeline.Status
	source map[string]timeline.SourceKind
	geo    map[string]timeline.GeoPrecision
}) {
	v.kind, v.status = vocabMap(timeline.Kinds()), vocabMap(timeline.Statuses())
	v.source, v.geo = vocabMap(timeline.SourceKinds()), vocabMap(timeline.GeoPrecisions())
	return v
})

func vocabMap[T ~string](values []T) map[string]T {
	m := make(map[string]T, len(values))
	for _, v := range values {
		m[string(v)] = v
	}
	return m
}

// arrowBatch holds the columns of one record batch, checked.
type arrowBatch struct {
	id, title, summary, kind, status, start, end                   *arrowText
	startPrec, endPrec                                             *arrowText // nil when absent
	placeName, country, geo, notes                                 *arrowText
	startDate, endDate                                             *array.Date32 // nil when absent
	lat, lon                                                       *array.Float64
	actors, tags, related, sources                                 array.ListLike
	actorColName, actorColRole, tag, rel                           *arrowText
	srcColPublisher, srcColKind, srcColVia, srcColTitle, srcColURL *arrowText
	srcColPublished, srcColAccessed, srcLang, srcColQuote          *arrowText
	srcColGrading                                                  *arrowText
	srcColPublishedDate, srcColAccessedDate                        *array.Date32 // nil when absent
}

// columns checks the columns of rec and wraps them.
func (d *eventDecoder) columns(rec arrow.Record, batchIndex int) (b *arrowBatch, err error) {
	n := int(rec.NumRows())
	name := ""
	// Arrow panics on many inconsistencies of a column (offsets beyond
	// buffers, children shorter than their parents); say which column.
	defer func() {
		if p := recover(); p != nil {
			err = d.src.fail(batchIndex, 0, name, recoveredErr(p))
		}
	}()
	fail := func(err error) error { return d.src.fail(batchIndex, 0, name, err) }
	used := d.fieldsUsed()
	for i, c := range rec.Columns() {
		name = d.schema.Field(i).Name
		if c.Len() != n {
			return nil, fail(fmt.Errorf("%w: column of %d rows in a batch of %d", ErrCorrupt, c.Len(), n))
		}
		if slices.Contains(used, i) {
			if err := checkData(c.Data()); err != nil {
				return nil, fail(err)
			}
		}
	}
	text := func(a arrow.Array, col string) *arrowText {
		if err != nil || a == nil {
			return nil
		}
		name = col
		var c *arrowText
		if c, err = newArrowText(a); err != nil {
			err = fail(err)
		}
		return c
	}
	top := func(i int) arrow.Array {
		if i < 0 {
			return nil
		}
		return rec.Column(i)
	}
	date := func(i int) *array.Date32 {
		if i < 0 {
			return nil
		}
		return rec.Column(i).(*array.Date32)
	}
	list := func(i int, col string) array.ListLike {
		if err != nil {
			return nil
		}
		name = col
		l := rec.Column(i).(array.ListLike)
		if err = checkOffsets(l); err != nil {
			err = fail(err)
		}
		return l
	}
	b = &arrowBatch{}
	b.id, b.title, b.summary = text(top(d.id), colID), text(top(d.title), colTitle), text(top(d.summary), colSummary)
	b.kind, b.status = text(top(d.kind), colKind), text(top(d.status), colStatus)
	b.start, b.end = text(top(d.start), colStart), text(top(d.end), colEnd)
	b.startPrec, b.endPrec = text(top(d.startPrec), colStartPrec), text(top(d.endPrec), colEndPrec)
	b.startDate, b.endDate = date(d.startDate), date(d.endDate)
	b.placeName, b.country, b.geo = text(top(d.placeName), colPlaceName), text(top(d.country), colCountry), text(top(d.geo), colGeoPrecision)
	b.lat, b.lon = rec.Column(d.lat).(*array.Float64), rec.Column(d.lon).(*array.Float64)
	b.notes = text(top(d.notes), colNotes)
	b.actors, b.tags = list(d.actors, colActors), list(d.tags, colTags)
	b.related, b.sources = list(d.related, colRelated), list(d.sources, colSources)
	if err != nil {
		return nil, err
	}
	b.tag, b.rel = text(b.tags.ListValues(), colTags), text(b.related.ListValues(), colRelated)
	actors := b.actors.ListValues().(*array.Struct)
	b.actorColName = text(actors.Field(d.actorColName), colActors+"."+actorColName)
	b.actorColRole = text(actors.Field(d.actorColRole), colActors+"."+actorColRole)
	s := b.sources.ListValues().(*array.Struct)
	field := func(i int, col string) *arrowText { return text(s.Field(i), colSources+"."+col) }
	b.srcColPublisher, b.srcColKind, b.srcColVia = field(d.srcColPublisher, srcColPublisher), field(d.srcColKind, srcColKind), field(d.srcColVia, srcColVia)
	b.srcColTitle, b.srcColURL = field(d.srcColTitle, srcColTitle), field(d.srcColURL, srcColURL)
	b.srcColPublished, b.srcColAccessed = field(d.srcColPublished, srcColPublished), field(d.srcColAccessed, srcColAccessed)
	b.srcLang, b.srcColQuote, b.srcColGrading = field(d.srcLang, srcColLanguage), field(d.srcColQuote, srcColQuote), field(d.srcColGrading, srcColGrading)
	if d.srcColPublishedDate >= 0 {
		b.srcColPublishedDate = s.Field(d.srcColPublishedDate).(*array.Date32)
	}
	if d.srcColAccessedDate >= 0 {
		b.srcColAccessedDate = s.Field(d.srcColAccessedDate).(*array.Date32)
	}
	if err != nil {
		return nil, err
	}
	return b, nil
}

// checkData checks that the buffers of an array are as long as its length
// needs: arrow's readers take the lengths that a file claims without
// checking them against the buffers.
func checkData(d arrow.ArrayData) error {
	if d.Offset() < 0 || d.Len() < 0 {
		return fmt.Errorf("%w: array of length %d at offset %d", ErrCorrupt, d.Len(), d.Offset())
	}
	n := int64(d.Offset()) + int64(d.Len())
	bufs := d.Buffers()
	need := func(i int, size int64) error {
		have := 0
		if i < len(bufs) && bufs[i] != nil {
			have = bufs[i].Len()
		}
		if int64(have) < size {
			return fmt.Errorf("%w: a buffer of %d bytes for %d values, which need %d", ErrCorrupt, have, n, size)
		}
		return nil
	}
	if len(bufs) > 0 && bufs[0] != nil {
		if err := need(0, (n+7)/8); err != nil {
			return err
		}
	}
	t := d.DataType()
	switch t.ID() {
	case arrow.STRING, arrow.BINARY, arrow.LIST:
		if err := need(1, 4*(n+1)); err != nil {
			return err
		}
	case arrow.LARGE_STRING, arrow.LARGE_BINARY, arrow.LARGE_LIST:
		if err := need(1, 8*(n+1)); err != nil {
			return err
		}
	case arrow.STRING_VIEW:
		if err := need(1, 16*n); err != nil {
			return err
		}
	case arrow.STRUCT:
		for _, c := range d.Children() {
			if int64(c.Len()) < n {
				return fmt.Errorf("%w: a struct field of %d values in a struct of %d", ErrCorrupt, c.Len(), n)
			}
		}
	case arrow.DICTIONARY:
		idx, ok := t.(*arrow.DictionaryType).IndexType.(arrow.FixedWidthDataType)
		if !ok {
			return fmt.Errorf("%w: dictionary indices of type %s", ErrSchema, t)
		}
		if err := need(1, int64(idx.BitWidth()/8)*n); err != nil {
			return err
		}
		if d.Dictionary() == nil {
			return fmt.Errorf("%w: a dictionary column without its dictionary", ErrCorrupt)
		}
		return checkData(d.Dictionary())
	default:
		fw, ok := t.(arrow.FixedWidthDataType)
		if !ok || fw.BitWidth() < 8 {
			return fmt.Errorf("%w: unexpected type %s", ErrSchema, t)
		}
		if err := need(1, int64(fw.BitWidth()/8)*n); err != nil {
			return err
		}
	}
	for _, c := range d.Children() {
		if err := checkData(c); err != nil {
			return err
		}
	}
	return nil
}

// checkOffsets checks that every list of l lies within its values.
func checkOffsets(l array.ListLike) error {
	m := int64(l.ListValues().Len())
	for i := range l.Len() {
		s, e := l.ValueOffsets(i)
		if s < 0 || s > e || e > m {
			return fmt.Errorf("%w: row %d: list offsets %d to %d outside %d values", ErrCorrupt, i+1, s, e, m)
		}
	}
	return nil
}

// decodeChunk is the most events decoded at once: a batch can be far
// larger (another writer's, or a damaged one claiming a million empty
// rows), and its events take several times its bytes.
const decodeChunk = 4096

// decodeRows returns the events of rows from to to (exclusive) of batch b,
// whose first row is row rowBase+1 of the input.
func (d *eventDecoder) decodeRows(b *arrowBatch, from, to, batchIndex, rowBase int) ([]timeline.Event, error) {
	events := make([]timeline.Event, to-from)
	// One backing array per chunk for each kind of list, which events
	// slice with their capacity capped, so that appending to one event's
	// list never writes into another's.
	actors := make([]timeline.Actor, 0, listTotal(b.actors, from, to))
	tags := make([]string, 0, listTotal(b.tags, from, to))
	related := make([]string, 0, listTotal(b.related, from, to))
	sources := make([]timeline.Source, 0, listTotal(b.sources, from, to))
	locations := make([]timeline.LatLon, 0, to-from)
	voc := readVocab()
	var err error
	for i := from; i < to; i++ {
		row := rowBase + i + 1
		fail := func(col string, err error) error { return d.src.fail(batchIndex, row, col, err) }
		e := &events[i-from]
		e.ID, e.Title, e.Summary = b.id.str(i), b.title.str(i), b.summary.str(i)
		var ok bool
		if e.Kind, ok = voc.kind[b.kind.str(i)]; !ok {
			_, err := timeline.ParseKind(b.kind.str(i))
			return nil, fail(colKind, fmt.Errorf("%w: %w", ErrValue, err))
		}
		if e.Status, ok = voc.status[b.status.str(i)]; !ok {
			_, err := timeline.ParseStatus(b.status.str(i))
			return nil, fail(colStatus, fmt.Errorf("%w: %w", ErrValue, err))
		}
		if e.Start, err = d.date(b.start, b.startDate, b.startPrec, i, false); err != nil {
			return nil, fail(colStart, err)
		}
		if e.End, err = d.date(b.end, b.endDate, b.endPrec, i, true); err != nil {
			return nil, fail(colEnd, err)
		}
		e.Place.Name, e.Place.Country = b.placeName.str(i), b.country.str(i)
		switch latNull, lonNull := b.lat.IsNull(i), b.lon.IsNull(i); {
		case latNull != lonNull:
			return nil, fail(colLat, fmt.Errorf("%w: lat and lon must be both null or both set", ErrValue))
		case !latNull:
			locations = append(locations, timeline.LatLon{Lat: b.lat.Value(i), Lon: b.lon.Value(i)})
			e.Place.Location = &locations[len(locations)-1]
		}
		if g := b.geo.str(i); g != "" {
			if e.Place.GeoPrecision, ok = voc.geo[g]; !ok {
				_, err := timeline.ParseGeoPrecision(g)
				return nil, fail(colGeoPrecision, fmt.Errorf("%w: %w", ErrValue, err))
			}
		}
		start, end := b.actors.ValueOffsets(i)
		for j := int(start); j < int(end); j++ {
			actors = append(actors, timeline.Actor{Name: b.actorColName.str(j), Role: b.actorColRole.str(j)})
		}
		e.Actors = clipTail(actors, int(end-start))
		e.Tags, tags = appendTexts(tags, b.tags, b.tag, i)
		e.Related, related = appendTexts(related, b.related, b.rel, i)
		e.Notes = b.notes.str(i)
		start, end = b.sources.ValueOffsets(i)
		for j := int(start); j < int(end); j++ {
			s, err := d.source(b, j)
			if err != nil {
				return nil, fail(colSources+"."+s.Publisher, err)
			}
			sources = append(sources, s)
		}
		e.Sources = clipTail(sources, int(end-start))
	}
	return events, nil
}

// listTotal counts the values of lists from to to of l.
func listTotal(l array.ListLike, from, to int) int {
	n := 0
	for i := from; i < to; i++ {
		s, e := l.ValueOffsets(i)
		n += int(e - s)
	}
	return n
}

// yieldBatch decodes rec, the batchIndex'th batch, whose first row is row
// rowBase+1 of the input, chunk by chunk, and yields its events. It
// returns how many it yielded and whether to go on. rec stays the caller's.
func (d *eventDecoder) yieldBatch(rec arrow.Record, batchIndex, rowBase int, yield func(timeline.Event, error) bool) (int, bool) {
	var b *arrowBatch
	if err := d.src.guard(batchIndex, func() (err error) {
		b, err = d.columns(rec, batchIndex)
		return err
	}); err != nil {
		yield(timeline.Event{}, err)
		return 0, false
	}
	n := int(rec.NumRows())
	for from := 0; from < n; from += decodeChunk {
		var events []timeline.Event
		if err := d.src.guard(batchIndex, func() (err error) {
			events, err = d.decodeRows(b, from, min(from+decodeChunk, n), batchIndex, rowBase)
			return err
		}); err != nil {
			yield(timeline.Event{}, err)
			return from, false
		}
		for _, e := range events {
			if !yield(e, nil) {
				return from, false
			}
		}
	}
	return n, true
}

// clipTail returns the last n elements of s, capacity capped, or nil.
func clipTail[T any](s []T, n int) []T {
	if n == 0 {
		return nil
	}
	return slices.Clip(s[len(s)-n:])
}

func appendTexts(all []string, l array.ListLike, values *arrowText, i int) ([]string, []string) {
	start, end := l.ValueOffsets(i)
	for j := int(start); j < int(end); j++ {
		all = append(all, values.str(j))
	}
	return clipTail(all, int(end-start)), all
}

// source reads source j of a batch. On error, the Source's Publisher holds
// the column's name, for the error.
func (d *eventDecoder) source(b *arrowBatch, j int) (timeline.Source, error) {
	s := timeline.Source{
		Publisher: b.srcColPublisher.str(j), Via: b.srcColVia.str(j), Title: b.srcColTitle.str(j), URL: b.srcColURL.str(j),
		Language: b.srcLang.str(j), Quote: b.srcColQuote.str(j),
	}
	var ok bool
	if s.Kind, ok = readVocab().source[b.srcColKind.str(j)]; !ok {
		_, err := timeline.ParseSourceKind(b.srcColKind.str(j))
		return timeline.Source{Publisher: srcColKind}, fmt.Errorf("%w: %w", ErrValue, err)
	}
	var err error
	if s.Published, err = d.date(b.srcColPublished, b.srcColPublishedDate, nil, j, false); err != nil {
		return timeline.Source{Publisher: srcColPublished}, err
	}
	if s.Accessed, err = d.date(b.srcColAccessed, b.srcColAccessedDate, nil, j, false); err != nil {
		return timeline.Source{Publisher: srcColAccessed}, err
	}
	if g := b.srcColGrading.str(j); g != "" {
		if s.Grading, err = timeline.ParseGrading(g); err != nil {
			return timeline.Source{Publisher: srcColGrading}, fmt.Errorf("%w: %w", ErrValue, err)
		}
	}
	return s, nil
}

// date parses the EDTF text of row i and checks the derived date32 and
// precision columns, when the file has them, against it: the first day
// covered (the last, with last) and the precision's name.
func (d *eventDecoder) date(text *arrowText, days *array.Date32, prec *arrowText, i int, last bool) (timeline.Date, error) {
	t, err := timeline.ParseDate(text.str(i))
	if err != nil {
		return timeline.Date{}, fmt.Errorf("%w: %w", ErrValue, err)
	}
	if days != nil {
		switch {
		case t.IsZero() && !days.IsNull(i):
			return timeline.Date{}, fmt.Errorf("%w: a date32 day without an EDTF date", ErrValue)
		case !t.IsZero():
			want := t
			if last {
				want = t.Last()
			}
			if days.IsNull(i) || int32(days.Value(i)) != want.DaysSinceEpoch() {
				return timeline.Date{}, fmt.Errorf("%w: the date32 column does not hold the day %s that %q covers", ErrValue, want.First(), t)
			}
		}
	}
	if prec != nil {
		want := ""
		if !t.IsZero() {
			want = t.Precision().String()
		}
		if got := prec.str(i); got != want {
			return timeline.Date{}, fmt.Errorf("%w: precision %q for date %q, want %q", ErrValue, got, t, want)
		}
	}
	return t, nil
}
