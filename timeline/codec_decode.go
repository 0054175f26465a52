package timeline

import (
	"fmt"
	"strconv"
	"unicode/utf8"
)

// The keys of each object of the canonical file, in the order that Encode
// writes them; the constants index them. Decoding and encoding share these
// tables, so a key cannot be spelt two ways.
const (
	fileSchema = iota
	fileName
	fileTitle
	fileDescription
	fileLicense
	fileVersion
	fileUpdated
	fileEvents
)

var fileKeys = [...]string{
	fileSchema: "schema", fileName: "name", fileTitle: "title", fileDescription: "description",
	fileLicense: "license", fileVersion: "version", fileUpdated: "updated", fileEvents: "events",
}

const (
	eventID = iota
	eventTitle
	eventSummary
	eventKind
	eventStatus
	eventStart
	eventEnd
	eventPlace
	eventActors
	eventTags
	eventRelated
	eventNotes
	eventSources
)

var eventKeys = [...]string{
	eventID: "id", eventTitle: "title", eventSummary: "summary", eventKind: "kind", eventStatus: "status",
	eventStart: "start", eventEnd: "end", eventPlace: "place", eventActors: "actors", eventTags: "tags",
	eventRelated: "related", eventNotes: "notes", eventSources: "sources",
}

const (
	placeName = iota
	placeCountry
	placeLocation
	placeGeoPrecision
)

var placeKeys = [...]string{placeName: "name", placeCountry: "country", placeLocation: "location", placeGeoPrecision: "geo_precision"}

var locationKeys = [...]string{"lat", "lon"}

var actorKeys = [...]string{"name", "role"}

const (
	sourcePublisher = iota
	sourceKind
	sourceVia
	sourceTitle
	sourceURL
	sourcePublished
	sourceAccessed
	sourceLanguage
	sourceQuote
	sourceGrading
)

var sourceKeys = [...]string{
	sourcePublisher: "publisher", sourceKind: "kind", sourceVia: "via", sourceTitle: "title", sourceURL: "url",
	sourcePublished: "published", sourceAccessed: "accessed", sourceLanguage: "language", sourceQuote: "quote",
	sourceGrading: "grading",
}

// The vocabularies, made once: decoding compares against them for every
// event, and a value found there is stored as the constant, not as a copy.
var (
	kindList       = Kinds()
	statusList     = Statuses()
	sourceKindList = SourceKinds()
	geoList        = GeoPrecisions()
)

// decoder reads the canonical file by hand. The schema is fixed, so each
// object has a function that knows its keys, and a value of the wrong shape
// is an error where it starts, before any of it is read. That makes decoding
// strict (keys match exactly and once, strings are valid UTF-8, nothing
// follows the dataset), bounds the nesting by the schema's depth whatever
// the input holds, and gives each error its place in the same pass.
type decoder struct {
	name string // the file's name, for errors
	data []byte
	pos  int
	path []frame // from the file's object to the value being read
	buf  []byte  // the content of the last string read that had escapes

	// Scratch for the lists of one event, copied out at their exact length.
	actors  []Actor
	strs    []string
	sources []Source
}

// decodeFile reads the canonical file data, named name: its metadata and
// its events, in file order and not yet validated.
func decodeFile(name string, data []byte) (Metadata, []Event, error) {
	d := &decoder{name: name, data: data, path: make([]frame, 0, 8)}
	var meta Metadata
	var events eventChunks
	if d.skip(); d.pos == len(data) {
		return meta, nil, d.errAt(d.pos, fmt.Errorf("%w: the file is empty", ErrSyntax))
	}
	schema := false
	err := d.object(fileKeys[:], func(key int) error {
		switch key {
		case fileSchema:
			s, off, err := d.str("a string")
			if err == nil && string(s) != SchemaVersion {
				err = d.errAt(off, fmt.Errorf("%w: schema %q: want %q", ErrSyntax, s, SchemaVersion))
			}
			schema = true
			return err
		case fileName:
			return d.text(&meta.Name)
		case fileTitle:
			return d.text(&meta.Title)
		case fileDescription:
			return d.text(&meta.Description)
		case fileLicense:
			return d.text(&meta.License)
		case fileVersion:
			return d.text(&meta.Version)
		case fileUpdated:
			return d.date(&meta.Updated)
		}
		return d.array(func() error { return d.event(events.next()) })
	})
	if err != nil {
		return Metadata{}, nil, err
	}
	if !schema {
		d.path = append(d.path[:0], frame{key: "schema", hasKey: true})
		return Metadata{}, nil, d.errAt(0, fmt.Errorf("%w: schema %q: want %q", ErrSyntax, "", SchemaVersion))
	}
	if d.skip(); d.pos < len(data) {
		return Metadata{}, nil, d.errAt(d.pos, fmt.Errorf("%w: data after the end of the dataset", ErrSyntax))
	}
	return meta, events.all(), nil
}

// eventChunks collects events in blocks, each as large as all before it up
// to eventChunk events, so that a large file's events are copied once, into
// a slice of their exact number, rather than again each time a growing
// slice fills up.
type eventChunks struct {
	full [][]Event
	last []Event
	n    int
}

const eventChunk = 1024

// next returns a new zero event at the end.
func (c *eventChunks) next() *Event {
	if len(c.last) == cap(c.last) {
		if c.last != nil {
			c.full = append(c.full, c.last)
		}
		c.last = make([]Event, 0, min(max(c.n, 16), eventChunk))
	}
	c.last = c.last[:len(c.last)+1]
	c.n++
	return &c.last[len(c.last)-1]
}

// all returns the events in order.
func (c *eventChunks) all() []Event {
	if len(c.full) == 0 {
		return c.last
	}
	all := make([]Event, 0, c.n)
	for _, chunk := range c.full {
		all = append(all, chunk...)
	}
	return append(all, c.last...)
}

func (d *decoder) event(e *Event) error {
	return d.object(eventKeys[:], func(key int) error {
		switch key {
		case eventID:
			return d.text(&e.ID)
		case eventTitle:
			return d.text(&e.Title)
		case eventSummary:
			return d.text(&e.Summary)
		case eventKind:
			return vocab(d, &e.Kind, kindList, ParseKind)
		case eventStatus:
			return vocab(d, &e.Status, statusList, ParseStatus)
		case eventStart:
			return d.date(&e.Start)
		case eventEnd:
			return d.date(&e.End)
		case eventPlace:
			return d.place(&e.Place)
		case eventActors:
			d.actors = d.actors[:0]
			err := d.array(func() error {
				d.actors = append(d.actors, Actor{})
				a := &d.actors[len(d.actors)-1]
				return d.object(actorKeys[:], func(key int) error {
					if key == 0 {
						return d.text(&a.Name)
					}
					return d.text(&a.Role)
				})
			})
			e.Actors = exact(d.actors)
			return err
		case eventTags:
			return d.strings(&e.Tags)
		case eventRelated:
			return d.strings(&e.Related)
		case eventNotes:
			return d.text(&e.Notes)
		}
		d.sources = d.sources[:0]
		err := d.array(func() error {
			d.sources = append(d.sources, Source{})
			return d.source(&d.sources[len(d.sources)-1])
		})
		e.Sources = exact(d.sources)
		return err
	})
}

func (d *decoder) place(p *Place) error {
	return d.object(placeKeys[:], func(key int) error {
		switch key {
		case placeName:
			return d.text(&p.Name)
		case placeCountry:
			return d.text(&p.Country)
		case placeGeoPrecision:
			return vocab(d, &p.GeoPrecision, geoList, ParseGeoPrecision)
		}
		if d.skip(); d.isNull() {
			p.Location = nil
			return d.null()
		}
		l := new(LatLon)
		p.Location = l
		return d.object(locationKeys[:], func(key int) error {
			if key == 0 {
				return d.float(&l.Lat)
			}
			return d.float(&l.Lon)
		})
	})
}

func (d *decoder) source(s *Source) error {
	return d.object(sourceKeys[:], func(key int) error {
		switch key {
		case sourcePublisher:
			return d.text(&s.Publisher)
		case sourceKind:
			return vocab(d, &s.Kind, sourceKindList, ParseSourceKind)
		case sourceVia:
			return d.text(&s.Via)
		case sourceTitle:
			return d.text(&s.Title)
		case sourceURL:
			return d.text(&s.URL)
		case sourcePublished:
			return d.date(&s.Published)
		case sourceAccessed:
			return d.date(&s.Accessed)
		case sourceLanguage:
			return d.text(&s.Language)
		case sourceQuote:
			return d.text(&s.Quote)
		}
		text, off, err := d.str("a string")
		if err != nil {
			return err
		}
		if s.Grading, err = ParseGrading(string(text)); err != nil {
			return d.errAt(off, err)
		}
		return nil
	})
}

// strings reads an array of strings into *dst.
func (d *decoder) strings(dst *[]string) error {
	d.strs = d.strs[:0]
	err := d.array(func() error {
		s, _, err := d.str("a string")
		d.strs = append(d.strs, string(s))
		return err
	})
	*dst = exact(d.strs)
	return err
}

// exact returns a copy of s at its length, or nil when s is empty.
func exact[T any](s []T) []T {
	if len(s) == 0 {
		return nil
	}
	return append(make([]T, 0, len(s)), s...)
}

// object reads an object whose keys are among keys, calling value with the
// index of each key when the decoder is at its value. null leaves the value
// as it is, as encoding/json does.
func (d *decoder) object(keys []string, value func(key int) error) error {
	switch d.skip() {
	case '{':
		d.pos++
	case 'n':
		return d.null()
	default:
		return d.wrongType("an object")
	}
	d.path = append(d.path, frame{})
	top := len(d.path) - 1
	var seen uint32
	next := 0 // the key that canonical order puts next: tried first
	for n := 0; ; n++ {
		c := d.skip()
		if c == '}' {
			break
		}
		if n > 0 {
			if c != ',' {
				return d.unexpected("after object key:value pair")
			}
			d.pos++
			c = d.skip()
		}
		if c != '"' {
			return d.unexpected("looking for beginning of object key string")
		}
		off := d.pos
		name, err := d.scanString()
		if err != nil {
			return err
		}
		key := next
		if key >= len(keys) || keys[key] != string(name) {
			key = -1
			for i, k := range keys {
				if k == string(name) {
					key = i
					break
				}
			}
		}
		if key < 0 {
			d.path[top] = frame{key: string(name), hasKey: true}
			return d.errAt(off, fmt.Errorf("%w: unknown field %q", ErrSyntax, name))
		}
		d.path[top] = frame{key: keys[key], hasKey: true}
		if seen&(1<<key) != 0 {
			return d.errAt(off, fmt.Errorf("%w: duplicate key %q: an object holds each key once", ErrSyntax, name))
		}
		seen |= 1 << key
		next = key + 1
		if d.skip() != ':' {
			return d.unexpected("after object key")
		}
		d.pos++
		if err := value(key); err != nil {
			return err
		}
		// The value is complete: what follows is about the object.
		d.path[top].hasKey = false
	}
	d.pos++
	d.path = d.path[:top]
	return nil
}

// array reads an array, calling elem when the decoder is at each element.
// null leaves the value as it is.
func (d *decoder) array(elem func() error) error {
	switch d.skip() {
	case '[':
		d.pos++
	case 'n':
		return d.null()
	default:
		return d.wrongType("an array")
	}
	d.path = append(d.path, frame{array: true, index: -1})
	top := len(d.path) - 1
	for n := 0; ; n++ {
		c := d.skip()
		if c == ']' {
			break
		}
		if n > 0 {
			if c != ',' {
				return d.unexpected("after array element")
			}
			d.pos++
		}
		d.path[top].index = n
		if err := elem(); err != nil {
			return err
		}
	}
	d.pos++
	d.path = d.path[:top]
	return nil
}

// text reads a string, or null as "", into *dst.
func (d *decoder) text(dst *string) error {
	b, _, err := d.str("a string")
	*dst = string(b)
	return err
}

// date reads a string holding an EDTF date, or null as the zero Date.
func (d *decoder) date(dst *Date) error {
	b, off, err := d.str("a string holding an EDTF date")
	if err != nil {
		return err
	}
	if *dst, err = ParseDate(string(b)); err != nil {
		return d.errAt(off, err)
	}
	return nil
}

// vocab reads a value of a vocabulary: one of list, stored as the constant
// itself, or what parse says of it.
func vocab[T ~string](d *decoder, dst *T, list []T, parse func(string) (T, error)) error {
	b, off, err := d.str("a string")
	if err != nil || b == nil {
		return err // null leaves the value zero, not "" that parse may refuse
	}
	for _, v := range list {
		if string(v) == string(b) {
			*dst = v
			return nil
		}
	}
	if *dst, err = parse(string(b)); err != nil {
		return d.errAt(off, err)
	}
	return nil
}

// float reads a number that fits a float64, or null, leaving *dst as it is.
func (d *decoder) float(dst *float64) error {
	const want = "a number that fits a 64-bit float"
	switch c := d.skip(); {
	case c == 'n':
		return d.null()
	case c != '-' && (c < '0' || c > '9'):
		return d.wrongType(want)
	}
	off := d.pos
	end, err := d.number()
	if err != nil {
		return err
	}
	text := d.data[off:end]
	f, err := strconv.ParseFloat(string(text), 64)
	if err != nil {
		if len(text) > 40 {
			text = append(text[:40:40], "..."...)
		}
		return d.errAt(off, fmt.Errorf("%w: got JSON number %s, want %s", ErrSyntax, text, want))
	}
	*dst = f
	d.pos = end
	return nil
}

// str reads a string and returns its content, valid until the next string
// is read, and the offset of the value; for null it returns nil content,
// and for "" empty content that is not nil. want says what a value of
// another type should have been.
func (d *decoder) str(want string) (b []byte, off int, err error) {
	c := d.skip()
	off = d.pos
	if c != '"' {
		if c == 'n' {
			return nil, off, d.null()
		}
		return nil, off, d.wrongType(want)
	}
	b, err = d.scanString()
	return b, off, err
}

// plain marks the bytes that a string holds as they are: printable ASCII
// but the quote and the backslash.
var plain = func() (t [256]bool) {
	for c := ' '; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// scanString reads the string whose opening quote is at pos, a key or a
// value, and moves past its closing quote. It returns the string's content,
// valid until the next string is read: a slice of the data, or of buf when
// the string has escapes.
func (d *decoder) scanString() ([]byte, error) {
	data := d.data
	start := d.pos + 1
	i := start
	escaped := false
	for {
		for i < len(data) && plain[data[i]] {
			i++
		}
		if i >= len(data) {
			return nil, d.eof()
		}
		switch c := data[i]; {
		case c == '"':
			d.pos = i + 1
			if escaped {
				d.buf = append(d.buf, data[start:i]...)
				return d.buf, nil
			}
			return data[start:i], nil
		case c == '\\':
			if !escaped {
				escaped, d.buf = true, d.buf[:0]
			}
			d.buf = append(d.buf, data[start:i]...)
			var err error
			if i, err = d.escape(i); err != nil {
				return nil, err
			}
			start = i
		case c < ' ':
			return nil, d.errAt(i, fmt.Errorf("%w: invalid character %s in string literal", ErrSyntax, quoteChar(c)))
		default:
			n := runeLen(data, i)
			if n == 0 {
				return nil, d.errAt(i, fmt.Errorf("%w: invalid UTF-8: byte %s in a string", ErrSyntax, quoteChar(c)))
			}
			i += n
		}
	}
}

// runeLen returns the length of the UTF-8 sequence that starts with the
// byte at s[i], not ASCII, or 0 when it is not valid UTF-8. Two- and
// three-byte sequences (Cyrillic, Hangul) are checked here, faster than
// utf8.DecodeRune, which they would otherwise spend most of their time in.
func runeLen(s []byte, i int) int {
	switch c := s[i]; {
	case 0xC2 <= c && c <= 0xDF:
		if i+1 < len(s) && s[i+1]&0xC0 == 0x80 {
			return 2
		}
		return 0
	case 0xE0 <= c && c <= 0xEF:
		if i+2 >= len(s) {
			return 0
		}
		lo, hi := byte(0x80), byte(0xBF) // the second byte's range (RFC 3629)
		switch c {
		case 0xE0:
			lo = 0xA0 // not an overlong form
		case 0xED:
			hi = 0x9F // not a surrogate
		}
		if c1 := s[i+1]; lo <= c1 && c1 <= hi && s[i+2]&0xC0 == 0x80 {
			return 3
		}
		return 0
	}
	if r, size := utf8.DecodeRune(s[i:]); r != utf8.RuneError || size > 1 {
		return size
	}
	return 0
}

// escape appends to buf what the escape sequence at i stands for and
// returns the offset after it. A \u escape of half a UTF-16 surrogate pair
// must come with the other half: alone it is no character, and
// encoding/json would turn it into U+FFFD unseen.
func (d *decoder) escape(i int) (int, error) {
	data := d.data
	if i+1 >= len(data) {
		return 0, d.eof()
	}
	switch c := data[i+1]; c {
	case '"', '\\', '/':
		d.buf = append(d.buf, c)
	case 'b':
		d.buf = append(d.buf, '\b')
	case 'f':
		d.buf = append(d.buf, '\f')
	case 'n':
		d.buf = append(d.buf, '\n')
	case 'r':
		d.buf = append(d.buf, '\r')
	case 't':
		d.buf = append(d.buf, '\t')
	case 'u':
		r, err := d.hex4(i + 2)
		if err != nil {
			return 0, err
		}
		if 0xD800 <= r && r < 0xE000 {
			var low rune = -1
			if r < 0xDC00 && i+7 < len(data) && data[i+6] == '\\' && data[i+7] == 'u' {
				if low, err = d.hex4(i + 8); err != nil {
					return 0, err
				}
			}
			if low < 0xDC00 || low >= 0xE000 {
				return 0, d.errAt(i, fmt.Errorf("%w: \\u%04x is half of a UTF-16 surrogate pair, without the other half", ErrSyntax, r))
			}
			r = 0x10000 + (r-0xD800)<<10 + (low - 0xDC00)
			i += 6
		}
		d.buf = utf8.AppendRune(d.buf, r)
		return i + 6, nil
	default:
		return 0, d.errAt(i+1, fmt.Errorf("%w: invalid character %s in string escape code", ErrSyntax, quoteChar(c)))
	}
	return i + 2, nil
}

// hex4 reads the four hexadecimal digits of a \u escape at i.
func (d *decoder) hex4(i int) (rune, error) {
	var r rune
	for j := i; j < i+4; j++ {
		if j >= len(d.data) {
			return 0, d.eof()
		}
		c := d.data[j]
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c -= 'a' - 10
		case 'A' <= c && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, d.errAt(j, fmt.Errorf("%w: invalid character %s in \\u hexadecimal character escape", ErrSyntax, quoteChar(c)))
		}
		r = r<<4 | rune(c)
	}
	return r, nil
}

// number reads the JSON number at pos and returns the offset after it,
// without moving.
func (d *decoder) number() (int, error) {
	data := d.data
	i := d.pos
	digits := func() error {
		if i >= len(data) {
			return d.eof()
		}
		if c := data[i]; c < '0' || c > '9' {
			return d.errAt(i, fmt.Errorf("%w: invalid character %s in numeric literal", ErrSyntax, quoteChar(c)))
		}
		for i < len(data) && '0' <= data[i] && data[i] <= '9' {
			i++
		}
		return nil
	}
	if data[i] == '-' {
		i++
	}
	if i < len(data) && data[i] == '0' {
		i++
	} else if err := digits(); err != nil {
		return 0, err
	}
	if i < len(data) && data[i] == '.' {
		i++
		if err := digits(); err != nil {
			return 0, err
		}
	}
	if i < len(data) && (data[i] == 'e' || data[i] == 'E') {
		i++
		if i < len(data) && (data[i] == '+' || data[i] == '-') {
			i++
		}
		if err := digits(); err != nil {
			return 0, err
		}
	}
	return i, nil
}

// skip moves past white space and returns the byte there, or 0 at the end
// of the data (a 0 byte in the data is no more valid there than the end).
func (d *decoder) skip() byte {
	for d.pos < len(d.data) {
		switch c := d.data[d.pos]; c {
		case ' ', '\n', '\t', '\r':
			d.pos++
		default:
			return c
		}
	}
	return 0
}

func (d *decoder) isNull() bool { return d.pos < len(d.data) && d.data[d.pos] == 'n' }

// null reads the literal null.
func (d *decoder) null() error { return d.literal("null") }

// literal reads the literal word (null, true or false) at pos.
func (d *decoder) literal(word string) error {
	for j := range len(word) {
		p := d.pos + j
		if p >= len(d.data) {
			return d.eof()
		}
		if c := d.data[p]; c != word[j] {
			return d.errAt(p, fmt.Errorf("%w: invalid character %s in literal %s (expecting %s)", ErrSyntax, quoteChar(c), word, quoteChar(word[j])))
		}
	}
	d.pos += len(word)
	return nil
}

// wrongType reports the value at pos, which is not of the type want; a
// literal or number is read first, so that a malformed one is reported as
// such.
func (d *decoder) wrongType(want string) error {
	off := d.pos
	if off >= len(d.data) {
		return d.eof()
	}
	var got string
	switch c := d.data[off]; {
	case c == '"':
		got = "string"
	case c == '{':
		got = "object"
	case c == '[':
		got = "array"
	case c == 't' || c == 'f':
		word := "true"
		if c == 'f' {
			word = "false"
		}
		if err := d.literal(word); err != nil {
			return err
		}
		got = "bool"
	case c == '-' || '0' <= c && c <= '9':
		if _, err := d.number(); err != nil {
			return err
		}
		got = "number"
	default:
		return d.unexpected("looking for beginning of value")
	}
	return d.errAt(off, fmt.Errorf("%w: got JSON %s, want %s", ErrSyntax, got, want))
}

// unexpected reports the byte at pos, which context does not allow, or the
// end of the data.
func (d *decoder) unexpected(context string) error {
	if d.pos >= len(d.data) {
		return d.eof()
	}
	return d.errAt(d.pos, fmt.Errorf("%w: invalid character %s %s", ErrSyntax, quoteChar(d.data[d.pos]), context))
}

// eof reports that the data ends inside a value.
func (d *decoder) eof() error {
	return d.errAt(len(d.data), fmt.Errorf("%w: the file ends in the middle of a value", ErrSyntax))
}

// errAt makes a *DecodeError at off with the current path.
func (d *decoder) errAt(off int, err error) error {
	de := at(d.data, off, d.path, err)
	de.File = d.name
	return de
}
