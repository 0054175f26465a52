package timeline

import (
	"bytes"
	"encoding"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strconv"
	"strings"
)

// locate turns an error from encoding/json into a *DecodeError that says
// where it happened: the line and column of the first byte of the offending
// value (or key, for an unknown field) and its JSON path.
//
// encoding/json gives an offset for syntax and type errors only, and not
// always the same one (after a literal, after the opening brace of an
// object, after the offending byte of a syntax error). For an unknown field,
// a bad date or a value outside a vocabulary it gives none; locate then
// walks the tokens of the file to the first place that holds the offending
// text in a field that decodes it, which is where the decoder, working in
// file order, stopped.
func locate(name string, data []byte, err error) *DecodeError {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	var dateErr *DateError
	var vocErr *VocabularyError
	switch {
	case errors.Is(err, io.EOF):
		return at(name, data, int64(len(data)), "", fmt.Errorf("%w: the file is empty", ErrSyntax))
	case errors.Is(err, io.ErrUnexpectedEOF):
		return at(name, data, int64(len(data)), openPath(data), fmt.Errorf("%w: the file ends in the middle of a value", ErrSyntax))
	case errors.As(err, &syn):
		// Offset counts the offending byte itself.
		off := max(syn.Offset-1, 0)
		return at(name, data, off, openPathBefore(data, off), fmt.Errorf("%w: %s", ErrSyntax, strings.TrimPrefix(err.Error(), "json: ")))
	case errors.As(err, &typ):
		off, path := valueEndingAt(data, typ.Offset)
		return at(name, data, off, path, fmt.Errorf("%w: got JSON %s, want %s", ErrSyntax, typ.Value, typeName(typ.Type)))
	case errors.As(err, &dateErr):
		off, path := find(data, func(c *cursor) bool {
			return c.isValue() && c.text() == dateErr.Text && dateFields[c.field()]
		})
		return at(name, data, off, path, err)
	case errors.As(err, &vocErr):
		want := vocabularyFields[vocErr.Vocabulary]
		off, path := find(data, func(c *cursor) bool {
			return c.isValue() && c.text() == vocErr.Value && c.field() == want
		})
		return at(name, data, off, path, err)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		key, uerr := strconv.Unquote(strings.TrimPrefix(err.Error(), "json: unknown field "))
		off, path := find(data, func(c *cursor) bool {
			return c.isKey && (uerr != nil || c.key == key) && c.unknownKey()
		})
		return at(name, data, off, path, fmt.Errorf("%w: %s", ErrSyntax, strings.TrimPrefix(err.Error(), "json: ")))
	}
	return at(name, data, 0, "", fmt.Errorf("%w: %v", ErrSyntax, err))
}

// at makes a *DecodeError for the byte offset off.
func at(name string, data []byte, off int64, path string, err error) *DecodeError {
	off = min(max(off, 0), int64(len(data)))
	before := data[:off]
	line := bytes.Count(before, []byte{'\n'}) + 1
	col := int(off) - bytes.LastIndexByte(before, '\n')
	return &DecodeError{File: name, Line: line, Column: col, Field: path, Err: err}
}

var textUnmarshaler = reflect.TypeFor[encoding.TextUnmarshaler]()

func typeName(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == reflect.TypeFor[Date]() {
		return "a string holding an EDTF date"
	}
	if reflect.PointerTo(t).Implements(textUnmarshaler) {
		return "a string"
	}
	switch t.Kind() {
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Struct, reflect.Map:
		return "an object"
	case reflect.Float64, reflect.Float32:
		return "a number that fits a 64-bit float"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "an integer"
	case reflect.Bool:
		return "true or false"
	}
	return "a string"
}

// contexts names the objects of the file by the shape of their path, and
// contextFields holds each one's JSON keys, read from the types' tags so
// that it cannot drift from them.
var contextFields = map[string]map[string]reflect.Type{
	"file":     jsonFields(reflect.TypeFor[file]()),
	"event":    jsonFields(reflect.TypeFor[Event]()),
	"place":    jsonFields(reflect.TypeFor[Place]()),
	"location": jsonFields(reflect.TypeFor[LatLon]()),
	"actor":    jsonFields(reflect.TypeFor[Actor]()),
	"source":   jsonFields(reflect.TypeFor[Source]()),
}

// dateFields holds "context.key" for every field that holds a Date.
var dateFields = func() map[string]bool {
	m := map[string]bool{}
	for ctx, fields := range contextFields {
		for key, t := range fields {
			if t == reflect.TypeFor[Date]() {
				m[ctx+"."+key] = true
			}
		}
	}
	return m
}()

// vocabularyFields maps a vocabulary to the "context.key" that holds it.
var vocabularyFields = map[string]string{
	"event kind":        "event.kind",
	"status":            "event.status",
	"source kind":       "source.kind",
	"geo precision":     "place.geo_precision",
	"Admiralty grading": "source.grading",
}

func jsonFields(t reflect.Type) map[string]reflect.Type {
	keys := map[string]reflect.Type{}
	for i := range t.NumField() {
		f := t.Field(i)
		if f.Anonymous {
			for k, ft := range jsonFields(f.Type) {
				keys[k] = ft
			}
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		keys[name] = f.Type
	}
	return keys
}

// frame is one level of the walk: an object (with its current key) or an
// array (with the index of its current element).
type frame struct {
	array  bool
	index  int
	key    string
	hasKey bool // key is set: "" is a key too
}

// cursor walks the tokens of a file, keeping the path to each.
type cursor struct {
	dec       *json.Decoder
	data      []byte
	stack     []frame
	expectKey bool // the next token in the top object is a key

	// The last token read.
	tok        json.Token
	start, end int64  // its bytes
	isKey      bool   // it is an object key
	key        string // the key it is, or the key it is the value of ("" in an array)
}

func newCursor(data []byte) *cursor {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber() // a number too large for a float64 is still a token
	return &cursor{dec: dec, data: data}
}

// next reads a token; it reports false at the end of the data or at a
// syntax error.
func (c *cursor) next() bool {
	begin := c.dec.InputOffset()
	tok, err := c.dec.Token()
	if err != nil {
		return false
	}
	c.tok, c.start, c.end = tok, skipSpace(c.data, begin), c.dec.InputOffset()
	c.isKey, c.key = false, ""
	n := len(c.stack)
	if n > 0 && !c.stack[n-1].array && c.expectKey {
		if key, ok := tok.(string); ok {
			c.stack[n-1].key, c.stack[n-1].hasKey = key, true
			c.isKey, c.key, c.expectKey = true, key, false
			return true
		}
	}
	if d, ok := tok.(json.Delim); ok && (d == '}' || d == ']') {
		c.stack = c.stack[:n-1]
		c.expectKey = n > 1 && !c.stack[n-2].array
		return true
	}
	if n > 0 {
		if top := &c.stack[n-1]; top.array {
			top.index++
		} else {
			c.key = top.key
		}
	}
	if d, ok := tok.(json.Delim); ok {
		c.stack = append(c.stack, frame{array: d == '[', index: -1})
		c.expectKey = d == '{'
		return true
	}
	c.expectKey = n > 0 && !c.stack[n-1].array
	return true
}

// isValue reports whether the last token is a value rather than a key or a
// closing delimiter.
func (c *cursor) isValue() bool {
	if c.isKey {
		return false
	}
	d, ok := c.tok.(json.Delim)
	return !ok || d == '{' || d == '['
}

// text returns the last token as a string, or "" when it is not one.
func (c *cursor) text() string {
	s, _ := c.tok.(string)
	return s
}

// object returns the stack index of the object that holds the last key or
// value, or -1 when it is not in an object.
func (c *cursor) object() int {
	i := len(c.stack) - 1
	if d, ok := c.tok.(json.Delim); ok && (d == '{' || d == '[') && !c.isKey {
		i-- // the value opened a frame of its own
	}
	if i < 0 || c.stack[i].array {
		return -1
	}
	return i
}

// context names the object that holds the last key or value: "file",
// "event", "place", "location", "actor", "source", or "" elsewhere. Keys
// match without regard to case, as encoding/json matches them.
func (c *cursor) context() string {
	i := c.object()
	if i < 0 || i > 4 {
		return ""
	}
	s := c.stack[:i+1]
	is := func(j int, key string) bool { return !s[j].array && strings.EqualFold(s[j].key, key) }
	if i == 0 {
		return "file"
	}
	if !is(0, "events") || !s[1].array {
		return ""
	}
	switch {
	case i == 2:
		return "event"
	case i == 3 && is(2, "place"):
		return "place"
	case i == 4 && is(2, "place") && is(3, "location"):
		return "location"
	case i == 4 && is(2, "actors") && s[3].array:
		return "actor"
	case i == 4 && is(2, "sources") && s[3].array:
		return "source"
	}
	return ""
}

// field returns "context.key" for the last key or value in an object, with
// the key spelled as the struct tag spells it: encoding/json matches keys
// without regard to case.
func (c *cursor) field() string {
	ctx := c.context()
	for k := range contextFields[ctx] {
		if strings.EqualFold(k, c.key) {
			return ctx + "." + k
		}
	}
	return ""
}

// unknownKey reports whether the last token is a key that its object, one
// of the file's own, does not hold.
func (c *cursor) unknownKey() bool {
	fields, known := contextFields[c.context()]
	if !known {
		return false
	}
	for k := range fields {
		if strings.EqualFold(k, c.key) {
			return false
		}
	}
	return true
}

// path renders the path of the last token as "events[2].sources[0].published".
func (c *cursor) path() string { return render(c.stack) }

// find walks the tokens of data and returns the offset and path of the first
// for which match holds, or the end of the data and "" when none does.
func find(data []byte, match func(*cursor) bool) (int64, string) {
	c := newCursor(data)
	for c.next() {
		if match(c) {
			return c.start, c.path()
		}
	}
	return int64(len(data)), ""
}

// valueEndingAt returns the offset and path of the value that encoding/json
// reports a type error for at off: it gives the offset just after a scalar
// or just after the opening delimiter of an object or array.
func valueEndingAt(data []byte, off int64) (int64, string) {
	c := newCursor(data)
	for c.next() {
		if c.end >= off && c.isValue() {
			return c.start, c.path()
		}
	}
	return off, ""
}

// openPathBefore returns the path of the place being read at off: the
// containers open there and, inside an object, the key whose value is
// being read.
func openPathBefore(data []byte, off int64) string {
	c := newCursor(data)
	for c.end < off && c.next() {
	}
	return c.openPath()
}

// openPath is openPathBefore the end of the data.
func openPath(data []byte) string { return openPathBefore(data, int64(len(data))) }

func (c *cursor) openPath() string {
	if n := len(c.stack); n > 0 && c.expectKey {
		// The top object's last value is complete: the path is the object's.
		stack := append([]frame(nil), c.stack...)
		stack[n-1].key, stack[n-1].hasKey = "", false
		return render(stack)
	}
	return render(c.stack)
}

// render writes a path as "events[2].sources[0].published"; a key that is
// not a plain name is quoted: events[0][""], ["a.b"].
func render(stack []frame) string {
	var b strings.Builder
	for _, f := range stack {
		switch {
		case f.array && f.index >= 0:
			b.WriteString("[" + strconv.Itoa(f.index) + "]")
		case !f.array && f.hasKey && !plainKey(f.key):
			b.WriteString("[" + strconv.Quote(f.key) + "]")
		case !f.array && f.hasKey:
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(f.key)
		}
	}
	return b.String()
}

// plainKey reports whether key can stand in a path unquoted: ASCII
// letters, digits and underscores, not starting with a digit.
func plainKey(key string) bool {
	for i := 0; i < len(key); i++ {
		c := key[i]
		if !(c == '_' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || i > 0 && '0' <= c && c <= '9') {
			return false
		}
	}
	return key != ""
}

// skipSpace returns the offset of the first byte at or after off that is
// not white space or a separator.
func skipSpace(data []byte, off int64) int64 {
	for off < int64(len(data)) {
		switch data[off] {
		case ' ', '\t', '\r', '\n', ',', ':':
			off++
			continue
		}
		break
	}
	return off
}
