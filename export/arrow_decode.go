package export

import (
	"encoding/binary"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
	"unsafe"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/sourced-dev/sourced/timeline"
)

// eventDecoder turns record batches of a checked schema into events. The Arrow
// and Parquet readers share it.
type eventDecoder struct {
	src    arrowInput
	schema *arrow.Schema
	// share, when set, lets events point into the batches' text buffers
	// instead of copies of them, and is told of each buffer they point
	// into: its allocator must then leave it to the garbage collector, not
	// reuse it (see recyclingAllocator).
	share func(buf []byte)

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

// bitmap is the validity bitmap of an array, read as arrow's IsNull reads
// it but without an interface call per value. A nil bitmap has no nulls.
type bitmap struct {
	bits []byte
	off  int // the array's offset into bits
}

func validity(a arrow.Array) bitmap { return bitmap{a.NullBitmapBytes(), a.Data().Offset()} }

func (m bitmap) null(i int) bool {
	if m.bits == nil {
		return false
	}
	j := m.off + i
	return m.bits[j>>3]&(1<<(j&7)) == 0
}

// arrowText reads a text column of one batch. Its strings are substrings
// of one string per column and batch (data), never one allocation per
// value: either a copy of the column's bytes or, when the decoder shares
// buffers, arrow's buffer itself (see eventDecoder.share). So the events
// of a batch share that memory, and an event kept alive keeps its batch's
// text alive.
type arrowText struct {
	data   string   // the values, end to end
	base   int64    // the offset of data[0]
	base32 int32    // base, for o32
	plain  bool     // o32 with base 0 and no nulls: str's fast path
	o32    []int32  // len+1 offsets into data, plus base (utf8)
	o64    []int64  // or these (large_utf8, and views copied out)
	dict   []string // or dictionary values,
	idx    []int32  // indexed by these
	nulls  bitmap
}

// newArrowText checks a text column: offsets in order and within the data,
// UTF-8 text, dictionary indices within the dictionary. Arrow's readers
// check none of these. With share, the strings point into a's buffer,
// which share is told of, rather than into a copy.
func newArrowText(a arrow.Array, share func([]byte)) (*arrowText, error) {
	c := &arrowText{nulls: validity(a)}
	n := a.Len()
	if n == 0 {
		return c, nil
	}
	switch a := a.(type) {
	case *array.String:
		c.o32 = a.ValueOffsets()
		return c, setData(c, a.ValueBytes(), c.o32, valueBuffer(a, share))
	case *array.LargeString:
		c.o64 = a.ValueOffsets()
		return c, setData(c, a.ValueBytes(), c.o64, valueBuffer(a, share))
	case *array.StringView:
		var b []byte
		c.o64 = make([]int64, n+1)
		for i := range n {
			if !a.IsNull(i) {
				b = append(b, a.Value(i)...)
			}
			c.o64[i+1] = int64(len(b))
		}
		return c, setData(c, b, c.o64, b) // b is a copy already
	case *array.Dictionary:
		values, err := newArrowText(a.Dictionary(), nil)
		if err != nil {
			return nil, err
		}
		m := a.Dictionary().Len()
		c.dict = make([]string, m)
		for i := range m {
			c.dict[i] = values.str(i)
		}
		c.idx, err = dictIndices(a, m)
		return c, err
	}
	return nil, fmt.Errorf("%w: unexpected text array %T", ErrSchema, a)
}

// valueBuffer returns the memory that holds the values of a, for setData
// to share, after telling share of it: the buffer's own or, for a slice of
// another buffer (batchLoader's buffers are slices of a batch's body), the
// whole of the buffer that it is a slice of, which its allocator frees. It
// returns nil when share is nil.
func valueBuffer(a arrow.Array, share func([]byte)) []byte {
	bufs := a.Data().Buffers()
	if share == nil || len(bufs) < 3 || bufs[2] == nil {
		return nil
	}
	b := bufs[2]
	for b.Parent() != nil {
		b = b.Parent()
	}
	share(b.Buf())
	return b.Buf()
}

// dictIndices returns the indices of a dictionary column of m values,
// checked to lie within it (for the rows that are not null).
func dictIndices(a *array.Dictionary, m int) ([]int32, error) {
	n := a.Len()
	nulls := validity(a)
	var idx []int32
	if ix, ok := a.Indices().(*array.Int32); ok {
		idx = ix.Int32Values()[:n]
	} else {
		idx = make([]int32, n)
		for i := range n {
			if !nulls.null(i) {
				k := a.GetValueIndex(i)
				if k < 0 || k >= m {
					return nil, fmt.Errorf("%w: row %d: dictionary index %d outside a dictionary of %d", ErrCorrupt, i+1, k, m)
				}
				idx[i] = int32(k)
			}
		}
	}
	for i, k := range idx {
		if (k < 0 || int(k) >= m) && !nulls.null(i) {
			return nil, fmt.Errorf("%w: row %d: dictionary index %d outside a dictionary of %d", ErrCorrupt, i+1, k, m)
		}
	}
	return idx, nil
}

// setData takes data, whose first value begins at offs[0], and checks offs
// against it: in order, within the data, and each at the start of a UTF-8
// sequence. It also checks that data as a whole is UTF-8, which makes every
// value UTF-8 too: in valid UTF-8 a byte that starts a sequence starts a
// whole one, so the bytes between two such starts are whole sequences.
// (It checks the whole first, which brings data into the processor's
// cache for the offsets; on an error it checks the offsets first all the
// same, so that the error is the same either way.)
// When data lies in owner (a buffer that nothing writes again and that the
// garbage collector keeps while strings point into it), c's strings point
// into data; otherwise into a copy.
func setData[T int32 | int64](c *arrowText, data []byte, offs []T, owner []byte) error {
	valid := validUTF8(data)
	if err := checkOffsets(data, offs); err != nil {
		return err
	}
	base := offs[0]
	if !valid {
		for i := 1; i < len(offs); i++ {
			if !utf8.Valid(data[offs[i-1]-base : offs[i]-base]) {
				return fmt.Errorf("%w: row %d: text that is not UTF-8", ErrValue, i)
			}
		}
		return fmt.Errorf("%w: text that is not UTF-8", ErrValue)
	}
	c.base, c.base32 = int64(base), int32(base)
	c.plain = c.o32 != nil && base == 0 && c.nulls.bits == nil
	if within(data, owner) {
		c.data = unsafe.String(unsafe.SliceData(data), len(data))
	} else {
		c.data = string(data)
	}
	return nil
}

// checkOffsets checks offs against data, whose first value begins at
// offs[0]: in order, within the data, and each at the start of a UTF-8
// sequence.
func checkOffsets[T int32 | int64](data []byte, offs []T) error {
	base, prev := offs[0], offs[0]
	for i := 1; i < len(offs); i++ {
		o := offs[i] - base
		if offs[i] < prev || o > T(len(data)) {
			return fmt.Errorf("%w: row %d: text offsets out of order or beyond the data", ErrCorrupt, i)
		}
		if o < T(len(data)) && !utf8.RuneStart(data[o]) {
			return fmt.Errorf("%w: row %d: text that is not UTF-8", ErrValue, i+1)
		}
		prev = offs[i]
	}
	return nil
}

// within reports whether b lies in the memory of owner.
func within(b, owner []byte) bool {
	if len(b) == 0 || len(owner) == 0 {
		return false
	}
	start := uintptr(unsafe.Pointer(unsafe.SliceData(owner)))
	p := uintptr(unsafe.Pointer(unsafe.SliceData(b)))
	return p >= start && p-start+uintptr(len(b)) <= uintptr(len(owner))
}

// str returns value i, or "" for a null.
func (c *arrowText) str(i int) string {
	if c.plain { // most columns; inlined
		o := c.o32[i : i+2]
		return c.data[o[0]:o[1]]
	}
	return c.value(i)
}

func (c *arrowText) value(i int) string {
	switch {
	case c.nulls.null(i):
		return ""
	case c.o32 != nil:
		return c.data[c.o32[i]-c.base32 : c.o32[i+1]-c.base32]
	case c.o64 != nil:
		return c.data[c.o64[i]-c.base : c.o64[i+1]-c.base]
	case c.idx != nil:
		return c.dict[c.idx[i]]
	}
	return ""
}

// The states of validUTF8's automaton, each a multiple of 6: the bit
// position of the next state in a row of utf8Table. The error state is 0,
// so that a row shifted by it yields the error state again.
const (
	u8Err  = 0
	u8Acc  = 6  // between sequences
	u8C1   = 12 // one continuation byte to go
	u8C2   = 18 // two to go
	u8E0   = 24 // after E0: A0-BF, then one more
	u8ED   = 30 // after ED: 80-9F (no surrogates), then one more
	u8F0   = 36 // after F0: 90-BF, then two more
	u8F1F3 = 42 // after F1-F3: 80-BF, then two more
	u8F4   = 48 // after F4: 80-8F (up to U+10FFFF), then two more
)

// utf8Table holds, for each byte, the next state from every state, each
// in the 6 bits at that state's position: the next state is
// utf8Table[b] >> state & 63. It encodes the table of well-formed
// sequences of the Unicode standard (table 3-7), as utf8.Valid checks it.
var utf8Table = func() (t [256]uint64) {
	set := func(from, to uint64, lo, hi int) {
		for b := lo; b <= hi; b++ {
			t[b] |= to << from
		}
	}
	set(u8Acc, u8Acc, 0x00, 0x7f)
	set(u8Acc, u8C1, 0xc2, 0xdf)
	set(u8Acc, u8E0, 0xe0, 0xe0)
	set(u8Acc, u8C2, 0xe1, 0xec)
	set(u8Acc, u8ED, 0xed, 0xed)
	set(u8Acc, u8C2, 0xee, 0xef)
	set(u8Acc, u8F0, 0xf0, 0xf0)
	set(u8Acc, u8F1F3, 0xf1, 0xf3)
	set(u8Acc, u8F4, 0xf4, 0xf4)
	set(u8C1, u8Acc, 0x80, 0xbf)
	set(u8C2, u8C1, 0x80, 0xbf)
	set(u8E0, u8C1, 0xa0, 0xbf)
	set(u8ED, u8C1, 0x80, 0x9f)
	set(u8F0, u8C2, 0x90, 0xbf)
	set(u8F1F3, u8C2, 0x80, 0xbf)
	set(u8F4, u8C2, 0x80, 0x8f)
	return t
}()

// validUTF8 reports whether b is valid UTF-8, as utf8.Valid does, about
// three times as fast on Hangul and Cyrillic text: utf8.Valid branches on
// every sequence's length, which text mixing scripts and spaces keeps
// mispredicting, while this runs a branch-free automaton over two halves
// of b at once (cut at the start of a sequence), one byte of each per step.
// Where the processor has one, it leaves b to a vector path instead
// (validUTF8Wide), several times faster again.
func validUTF8(b []byte) bool {
	// ASCII first, eight bytes at a time; it ends at the start of a sequence.
	for len(b) >= 8 && binary.LittleEndian.Uint64(b)&0x8080808080808080 == 0 {
		b = b[8:]
	}
	if len(b) < 64 {
		return utf8Run(u8Acc, b) == u8Acc
	}
	if valid, ok := validUTF8Wide(b); ok {
		return valid
	}
	mid := len(b) / 2
	for range 3 {
		if utf8.RuneStart(b[mid]) {
			break
		}
		mid--
	}
	if !utf8.RuneStart(b[mid]) {
		return false // four continuation bytes in a row
	}
	x, y := b[:mid], b[mid:]
	s, t := uint64(u8Acc), uint64(u8Acc)
	for len(x) >= 8 && len(y) >= 8 {
		x8, y8 := x[:8], y[:8]
		s, t = utf8Table[x8[0]]>>(s&63), utf8Table[y8[0]]>>(t&63)
		s, t = utf8Table[x8[1]]>>(s&63), utf8Table[y8[1]]>>(t&63)
		s, t = utf8Table[x8[2]]>>(s&63), utf8Table[y8[2]]>>(t&63)
		s, t = utf8Table[x8[3]]>>(s&63), utf8Table[y8[3]]>>(t&63)
		s, t = utf8Table[x8[4]]>>(s&63), utf8Table[y8[4]]>>(t&63)
		s, t = utf8Table[x8[5]]>>(s&63), utf8Table[y8[5]]>>(t&63)
		s, t = utf8Table[x8[6]]>>(s&63), utf8Table[y8[6]]>>(t&63)
		s, t = utf8Table[x8[7]]>>(s&63), utf8Table[y8[7]]>>(t&63)
		x, y = x[8:], y[8:]
	}
	return utf8Run(s, x) == u8Acc && utf8Run(t, y) == u8Acc
}

// utf8Run runs validUTF8's automaton over b from state s.
func utf8Run(s uint64, b []byte) uint64 {
	for _, c := range b {
		s = utf8Table[c] >> (s & 63)
	}
	return s & 63
}

// vocabIndex finds the values of a closed vocabulary by a hash of a
// string's length and first and last bytes: one probe and one comparison
// in most cases, where a map hashes the whole string.
type vocabIndex[T ~string] struct {
	values []T
	slots  [64]int8 // 1 + an index into values, or 0 for none
}

func newVocabIndex[T ~string](values []T) *vocabIndex[T] {
	if len(values) > 32 {
		panic("vocabIndex: too many values") // keep the table half empty
	}
	v := &vocabIndex[T]{values: values}
	for i, s := range values {
		h := vocabHash(string(s))
		for v.slots[h] != 0 {
			h = (h + 1) & 63
		}
		v.slots[h] = int8(i + 1)
	}
	return v
}

func vocabHash(s string) int {
	if s == "" {
		return 0
	}
	return (len(s)*7 + int(s[0])*3 + int(s[len(s)-1])) & 63
}

// find returns the value equal to s, which is the vocabulary's own string
// (so that events hold no memory of the batch for it).
func (v *vocabIndex[T]) find(s string) (T, bool) {
	for h := vocabHash(s); ; h = (h + 1) & 63 {
		k := v.slots[h]
		if k == 0 {
			return "", false
		}
		if string(v.values[k-1]) == s {
			return v.values[k-1], true
		}
	}
}

// readVocab holds the closed vocabularies that the decoder looks names up in.
var readVocab = sync.OnceValue(func() (v struct {
	kind   *vocabIndex[timeline.Kind]
	status *vocabIndex[timeline.Status]
	source *vocabIndex[timeline.SourceKind]
	geo    *vocabIndex[timeline.GeoPrecision]
}) {
	v.kind, v.status = newVocabIndex(timeline.Kinds()), newVocabIndex(timeline.Statuses())
	v.source, v.geo = newVocabIndex(timeline.SourceKinds()), newVocabIndex(timeline.GeoPrecisions())
	return v
})

// listCol holds the offsets of a list column of one batch: list i is
// values from at(i).
type listCol struct {
	o32 []int32
	o64 []int64
}

// newListCol reads the offsets of l, which is a list or a large list (as
// the schema check makes sure), minding its offset into them.
func newListCol(l array.ListLike) (listCol, error) {
	n, off := l.Len(), l.Data().Offset()
	switch l := l.(type) {
	case *array.List:
		if n == 0 {
			return listCol{}, nil
		}
		return listCol{o32: l.Offsets()[off : off+n+1]}, nil
	case *array.LargeList:
		if n == 0 {
			return listCol{}, nil
		}
		return listCol{o64: l.Offsets()[off : off+n+1]}, nil
	}
	return listCol{}, fmt.Errorf("%w: unexpected list array %T", ErrSchema, l)
}

// at returns the first and end index of list i in the values.
func (l listCol) at(i int) (int, int) {
	if l.o32 != nil {
		return int(l.o32[i]), int(l.o32[i+1])
	}
	return int(l.o64[i]), int(l.o64[i+1])
}

// check checks that the lists of n rows lie within m values. (Each list
// ends where the next begins: they share their offsets.)
func (l listCol) check(n, m int) error {
	for i := range n {
		s, e := l.at(i)
		if s < 0 || s > e || e > m {
			return fmt.Errorf("%w: row %d: list offsets %d to %d outside %d values", ErrCorrupt, i+1, s, e, m)
		}
	}
	return nil
}

// total counts the values of lists from to to.
func (l listCol) total(from, to int) int {
	if to <= from {
		return 0
	}
	s, _ := l.at(from)
	_, e := l.at(to - 1)
	return e - s
}

// dateCol is a date32 column of one batch.
type dateCol struct {
	days   []arrow.Date32
	nulls  bitmap
	months []int32 // monthStarts(), to check days against
}

func newDateCol(a arrow.Array) *dateCol {
	d := a.(*array.Date32)
	return &dateCol{days: d.Date32Values(), nulls: validity(d), months: monthStarts()}
}

// arrowBatch holds the columns of one record batch, checked.
type arrowBatch struct {
	id, title, summary, kind, status, start, end                   *arrowText
	startPrec, endPrec                                             *arrowText // nil when absent
	placeName, country, geo, notes                                 *arrowText
	startDate, endDate                                             *dateCol // nil when absent
	lat, lon                                                       []float64
	latNulls, lonNulls                                             bitmap
	actors, tags, related, sources                                 listCol
	actorColName, actorColRole, tag, rel                           *arrowText
	srcColPublisher, srcColKind, srcColVia, srcColTitle, srcColURL *arrowText
	srcColPublished, srcColAccessed, srcLang, srcColQuote          *arrowText
	srcColGrading                                                  *arrowText
	srcColPublishedDate, srcColAccessedDate                        *dateCol // nil when absent
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
		if c, err = newArrowText(a, d.share); err != nil {
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
	date := func(i int) *dateCol {
		if i < 0 {
			return nil
		}
		return newDateCol(rec.Column(i))
	}
	list := func(i int, col string) (array.ListLike, listCol) {
		if err != nil {
			return nil, listCol{}
		}
		name = col
		l := rec.Column(i).(array.ListLike)
		lc, err1 := newListCol(l)
		if err1 == nil {
			err1 = lc.check(n, l.ListValues().Len())
		}
		if err1 != nil {
			err = fail(err1)
		}
		return l, lc
	}
	b = &arrowBatch{}
	b.id, b.title, b.summary = text(top(d.id), colID), text(top(d.title), colTitle), text(top(d.summary), colSummary)
	b.kind, b.status = text(top(d.kind), colKind), text(top(d.status), colStatus)
	b.start, b.end = text(top(d.start), colStart), text(top(d.end), colEnd)
	b.startPrec, b.endPrec = text(top(d.startPrec), colStartPrec), text(top(d.endPrec), colEndPrec)
	b.startDate, b.endDate = date(d.startDate), date(d.endDate)
	b.placeName, b.country, b.geo = text(top(d.placeName), colPlaceName), text(top(d.country), colCountry), text(top(d.geo), colGeoPrecision)
	lat, lon := rec.Column(d.lat).(*array.Float64), rec.Column(d.lon).(*array.Float64)
	b.lat, b.latNulls, b.lon, b.lonNulls = lat.Float64Values(), validity(lat), lon.Float64Values(), validity(lon)
	b.notes = text(top(d.notes), colNotes)
	actors, actorOffs := list(d.actors, colActors)
	tags, tagOffs := list(d.tags, colTags)
	related, relOffs := list(d.related, colRelated)
	sources, srcOffs := list(d.sources, colSources)
	if err != nil {
		return nil, err
	}
	b.actors, b.tags, b.related, b.sources = actorOffs, tagOffs, relOffs, srcOffs
	b.tag, b.rel = text(tags.ListValues(), colTags), text(related.ListValues(), colRelated)
	a := actors.ListValues().(*array.Struct)
	b.actorColName = text(a.Field(d.actorColName), colActors+"."+actorColName)
	b.actorColRole = text(a.Field(d.actorColRole), colActors+"."+actorColRole)
	s := sources.ListValues().(*array.Struct)
	field := func(i int, col string) *arrowText { return text(s.Field(i), colSources+"."+col) }
	b.srcColPublisher, b.srcColKind, b.srcColVia = field(d.srcColPublisher, srcColPublisher), field(d.srcColKind, srcColKind), field(d.srcColVia, srcColVia)
	b.srcColTitle, b.srcColURL = field(d.srcColTitle, srcColTitle), field(d.srcColURL, srcColURL)
	b.srcColPublished, b.srcColAccessed = field(d.srcColPublished, srcColPublished), field(d.srcColAccessed, srcColAccessed)
	b.srcLang, b.srcColQuote, b.srcColGrading = field(d.srcLang, srcColLanguage), field(d.srcColQuote, srcColQuote), field(d.srcColGrading, srcColGrading)
	if d.srcColPublishedDate >= 0 {
		b.srcColPublishedDate = newDateCol(s.Field(d.srcColPublishedDate))
	}
	if d.srcColAccessedDate >= 0 {
		b.srcColAccessedDate = newDateCol(s.Field(d.srcColAccessedDate))
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

// decodeChunk is the most events decoded at once, before any of them is
// yielded: a batch can be far larger (another writer's, or a damaged one
// claiming a million empty rows), and a chunk's events and the arrays
// they share stay in the processor's cache at this size.
const decodeChunk = 1024

// chunk holds the backing arrays for the lists of up to decodeChunk
// events. Events slice them with their capacity capped, so that appending
// to one event's list never writes into another's.
type chunk struct {
	actors    []timeline.Actor
	tags      []string
	related   []string
	sources   []timeline.Source
	locations []timeline.LatLon
}

func newChunk(b *arrowBatch, from, to int) chunk {
	return chunk{
		actors:    make([]timeline.Actor, 0, b.actors.total(from, to)),
		tags:      make([]string, 0, b.tags.total(from, to)),
		related:   make([]string, 0, b.related.total(from, to)),
		sources:   make([]timeline.Source, 0, b.sources.total(from, to)),
		locations: make([]timeline.LatLon, 0, to-from),
	}
}

// yieldBatch decodes rec, the batchIndex'th batch, whose first row is row
// rowBase+1 of the input, chunk by chunk, and yields its events. It
// returns how many it yielded and whether to go on. rec stays the
// caller's; the events point into its text buffers only with d.share.
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
	// The events are yielded by value, so one array serves every chunk.
	events := make([]timeline.Event, min(n, decodeChunk))
	for from := 0; from < n; from += decodeChunk {
		part := events[:min(n-from, decodeChunk)]
		if err := d.decodeRows(b, part, from, batchIndex, rowBase); err != nil {
			yield(timeline.Event{}, err)
			return from, false
		}
		for i := range part {
			if !yield(part[i], nil) {
				return from + i + 1, false
			}
		}
	}
	return n, true
}

// decodeRows decodes the rows of b from from on into events. Every error
// is a *ReadError, a panic included; the caller yields the events, so
// that a panic in the caller's loop stays the caller's.
func (d *eventDecoder) decodeRows(b *arrowBatch, events []timeline.Event, from, batchIndex, rowBase int) (err error) {
	i := from
	defer func() {
		if p := recover(); p != nil {
			err = d.src.fail(batchIndex, rowBase+i+1, "", recoveredErr(p))
		}
	}()
	c := newChunk(b, from, from+len(events))
	for k := range events {
		i = from + k
		events[k] = timeline.Event{}
		if col, err := d.row(b, &c, i, &events[k]); err != nil {
			return d.src.fail(batchIndex, rowBase+i+1, col, err)
		}
	}
	return nil
}

// row decodes row i of b into e, and its lists into c. On error it
// returns the column at fault.
func (d *eventDecoder) row(b *arrowBatch, c *chunk, i int, e *timeline.Event) (string, error) {
	voc := readVocab()
	e.ID, e.Title, e.Summary = b.id.str(i), b.title.str(i), b.summary.str(i)
	var ok bool
	if e.Kind, ok = voc.kind.find(b.kind.str(i)); !ok {
		_, err := timeline.ParseKind(b.kind.str(i))
		return colKind, fmt.Errorf("%w: %w", ErrValue, err)
	}
	if e.Status, ok = voc.status.find(b.status.str(i)); !ok {
		_, err := timeline.ParseStatus(b.status.str(i))
		return colStatus, fmt.Errorf("%w: %w", ErrValue, err)
	}
	var err error
	if e.Start, err = readDate(b.start, b.startDate, b.startPrec, i, false, timeline.Date{}); err != nil {
		return colStart, err
	}
	if e.End, err = readDate(b.end, b.endDate, b.endPrec, i, true, e.Start); err != nil {
		return colEnd, err
	}
	e.Place.Name, e.Place.Country = b.placeName.str(i), b.country.str(i)
	switch latNull, lonNull := b.latNulls.null(i), b.lonNulls.null(i); {
	case latNull != lonNull:
		return colLat, fmt.Errorf("%w: lat and lon must be both null or both set", ErrValue)
	case !latNull:
		c.locations = append(c.locations, timeline.LatLon{Lat: b.lat[i], Lon: b.lon[i]})
		e.Place.Location = &c.locations[len(c.locations)-1]
	}
	if g := b.geo.str(i); g != "" {
		if e.Place.GeoPrecision, ok = voc.geo.find(g); !ok {
			_, err := timeline.ParseGeoPrecision(g)
			return colGeoPrecision, fmt.Errorf("%w: %w", ErrValue, err)
		}
	}
	if from, to := b.actors.at(i); to > from {
		k := len(c.actors)
		for j := from; j < to; j++ {
			c.actors = append(c.actors, timeline.Actor{Name: b.actorColName.str(j), Role: b.actorColRole.str(j)})
		}
		e.Actors = c.actors[k:len(c.actors):len(c.actors)]
	}
	e.Tags = appendTexts(&c.tags, b.tags, b.tag, i)
	e.Related = appendTexts(&c.related, b.related, b.rel, i)
	e.Notes = b.notes.str(i)
	if from, to := b.sources.at(i); to > from {
		k := len(c.sources)
		c.sources = c.sources[:k+to-from]
		e.Sources = c.sources[k:len(c.sources):len(c.sources)]
		for j := from; j < to; j++ {
			if col, err := source(b, j, &e.Sources[j-from], voc.source); err != nil {
				return colSources + "." + col, err
			}
		}
	}
	return "", nil
}

// appendTexts appends the values of list i of l to *all and returns them,
// capacity capped, or nil for an empty list.
func appendTexts(all *[]string, l listCol, values *arrowText, i int) []string {
	from, to := l.at(i)
	if to == from {
		return nil
	}
	k := len(*all)
	for j := from; j < to; j++ {
		*all = append(*all, values.str(j))
	}
	return (*all)[k:len(*all):len(*all)]
}

// source reads source j of a batch into s. On error it returns the
// column at fault.
func source(b *arrowBatch, j int, s *timeline.Source, kinds *vocabIndex[timeline.SourceKind]) (string, error) {
	s.Publisher, s.Via, s.Title, s.URL = b.srcColPublisher.str(j), b.srcColVia.str(j), b.srcColTitle.str(j), b.srcColURL.str(j)
	s.Language, s.Quote = b.srcLang.str(j), b.srcColQuote.str(j)
	var ok bool
	if s.Kind, ok = kinds.find(b.srcColKind.str(j)); !ok {
		_, err := timeline.ParseSourceKind(b.srcColKind.str(j))
		return srcColKind, fmt.Errorf("%w: %w", ErrValue, err)
	}
	var err error
	if s.Published, err = readDate(b.srcColPublished, b.srcColPublishedDate, nil, j, false, timeline.Date{}); err != nil {
		return srcColPublished, err
	}
	if s.Accessed, err = readDate(b.srcColAccessed, b.srcColAccessedDate, nil, j, false, timeline.Date{}); err != nil {
		return srcColAccessed, err
	}
	if g := b.srcColGrading.str(j); g != "" {
		if s.Grading, err = timeline.ParseGrading(g); err != nil {
			return srcColGrading, fmt.Errorf("%w: %w", ErrValue, err)
		}
	}
	return "", nil
}

// readDate parses the EDTF text of row i and checks the derived date32 and
// precision columns, when the file has them, against it: the first day
// covered (the last, with last) and the precision's name. The text is the
// date: only it carries the qualifiers.
//
// For an end, orLast is the start: with no end, the day is the last day of
// the start (the last day the event covers, as in events.csv), or null as
// files written before end_date meant that did.
func readDate(text *arrowText, days *dateCol, prec *arrowText, i int, last bool, orLast timeline.Date) (timeline.Date, error) {
	s := text.str(i)
	if s != "" && days != nil {
		if t, ok := quickDateDay(s, days, i, last); ok && (prec == nil || prec.str(i) == t.Precision().String()) {
			return t, nil
		}
	}
	var t timeline.Date
	if s != "" {
		var ok bool
		if t, ok = quickDate(s); !ok {
			var err error
			if t, err = timeline.ParseDate(s); err != nil {
				return timeline.Date{}, fmt.Errorf("%w: %w", ErrValue, err)
			}
		}
	}
	if days != nil {
		null := days.nulls.null(i)
		switch {
		case t.IsZero() && !null && !orLast.IsZero():
			if int32(days.days[i]) != dayOf(days.months, orLast, true) {
				return timeline.Date{}, fmt.Errorf("%w: the date32 column does not hold the day %s, the last that start %q covers", ErrValue, orLast.Last(), orLast)
			}
		case t.IsZero() && !null:
			return timeline.Date{}, fmt.Errorf("%w: a date32 day without an EDTF date", ErrValue)
		case !t.IsZero() && (null || int32(days.days[i]) != dayOf(days.months, t, last)):
			want := t
			if last {
				want = t.Last()
			}
			return timeline.Date{}, fmt.Errorf("%w: the date32 column does not hold the day %s that %q covers", ErrValue, want.First(), t)
		}
	}
	if prec != nil {
		if got, want := prec.str(i), t.Precision().String(); got != want {
			return timeline.Date{}, fmt.Errorf("%w: precision %q for date %q, want %q", ErrValue, got, t, want)
		}
	}
	return t, nil
}

// The years for which monthStarts holds the days of each month.
const monthTableFrom, monthTableTo = 1900, 2100

// monthStarts holds, for each year from monthTableFrom to monthTableTo,
// the days from 1970-01-01 to the first day of each month and of the next
// year: 13 a year. Looking days up there is several times faster than
// Date.DaysSinceEpoch, and readDate needs them for every date it reads.
var monthStarts = sync.OnceValue(func() []int32 {
	t := make([]int32, 0, (monthTableTo-monthTableFrom+1)*13)
	for y := monthTableFrom; y <= monthTableTo; y++ {
		for m := time.January; m <= time.December; m++ {
			d, _ := timeline.MonthOf(y, m)
			t = append(t, d.DaysSinceEpoch())
		}
		d, _ := timeline.YearOf(y + 1)
		t = append(t, d.DaysSinceEpoch())
	}
	return t
})

// dayOf returns the days from 1970-01-01 to the first day that t covers,
// or with last to its last day, as t.DaysSinceEpoch and
// t.Last().DaysSinceEpoch do, looking them up in table (monthStarts()).
// t is not zero.
func dayOf(table []int32, t timeline.Date, last bool) int32 {
	y := t.Year()
	if y < monthTableFrom || y > monthTableTo {
		if last {
			t = t.Last()
		}
		return t.DaysSinceEpoch()
	}
	months := table[(y-monthTableFrom)*13:][:13]
	m := int(t.Month())
	switch {
	case t.Precision() == timeline.PrecisionYear && last:
		return months[12] - 1
	case t.Precision() == timeline.PrecisionYear:
		return months[0]
	case t.Precision() == timeline.PrecisionMonth && last:
		return months[m] - 1
	}
	return months[m-1] + int32(max(t.Day(), 1)) - 1
}
