package timeline

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"
)

// locate turns an error from encoding/json into a *DecodeError that says
// where it happened. encoding/json gives an offset for syntax and type
// errors only; for an unknown field, a bad date or a value outside a
// vocabulary, locate walks the tokens of the file to find the first place
// that holds it, which is where the decoder, working in file order, stopped.
func locate(name string, data []byte, err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	var dateErr *DateError
	var vocErr *VocabularyError
	switch {
	case errors.As(err, &syn):
		return at(name, data, syn.Offset, pathAt(data, syn.Offset), fmt.Errorf("%w: %v", ErrSyntax, err))
	case errors.As(err, &typ):
		return at(name, data, typ.Offset, pathAt(data, typ.Offset),
			fmt.Errorf("%w: got JSON %s, want %s", ErrSyntax, typ.Value, typeName(typ.Type)))
	case errors.As(err, &dateErr):
		off, path := find(data, func(path []frame, key string, value *string) bool {
			return value != nil && *value == dateErr.Text && contextOf(path) != "" && isDateField(key)
		})
		return at(name, data, off, path, err)
	case errors.As(err, &vocErr):
		want := vocabularyFields[vocErr.Vocabulary]
		off, path := find(data, func(path []frame, key string, value *string) bool {
			return value != nil && *value == vocErr.Value && contextOf(path)+"."+key == want
		})
		return at(name, data, off, path, err)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		off, path := find(data, func(path []frame, key string, value *string) bool {
			allowed, known := contextFields[contextOf(path)]
			return value == nil && known && !allowed[key]
		})
		return at(name, data, off, path, fmt.Errorf("%w: %s", ErrSyntax, strings.TrimPrefix(err.Error(), "json: ")))
	case err.Error() == "unexpected EOF":
		return at(name, data, int64(len(data)), "", fmt.Errorf("%w: the file ends in the middle of a value", ErrSyntax))
	}
	return at(name, data, 0, "", err)
}

// at makes a *DecodeError for the byte offset off.
func at(name string, data []byte, off int64, path string, err error) *DecodeError {
	off = min(max(off, 0), int64(len(data)))
	before := data[:off]
	line := bytes.Count(before, []byte{'\n'}) + 1
	col := int(off) - bytes.LastIndexByte(before, '\n')
	return &DecodeError{File: name, Line: line, Column: col, Field: path, Err: err}
}

func typeName(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Slice:
		return "an array"
	case reflect.Struct, reflect.Map:
		return "an object"
	case reflect.Float64, reflect.Float32, reflect.Int, reflect.Int64:
		return "a number"
	case reflect.Bool:
		return "true or false"
	}
	return "a string"
}

func isDateField(key string) bool {
	switch key {
	case "start", "end", "published", "accessed", "updated":
		return true
	}
	return false
}

// vocabularyFields maps a vocabulary to the context and key that hold it.
var vocabularyFields = map[string]string{
	"event kind":        "event.kind",
	"status":            "event.status",
	"source kind":       "source.kind",
	"geo precision":     "place.geo_precision",
	"Admiralty grading": "source.grading",
}

// contextFields holds the JSON keys of each object in the file, read from the
// types' tags so that it cannot drift from them.
var contextFields = map[string]map[string]bool{
	"file":     jsonKeys(reflect.TypeFor[file]()),
	"event":    jsonKeys(reflect.TypeFor[Event]()),
	"place":    jsonKeys(reflect.TypeFor[Place]()),
	"location": jsonKeys(reflect.TypeFor[LatLon]()),
	"actor":    jsonKeys(reflect.TypeFor[Actor]()),
	"source":   jsonKeys(reflect.TypeFor[Source]()),
}

func jsonKeys(t reflect.Type) map[string]bool {
	keys := map[string]bool{}
	for i := range t.NumField() {
		f := t.Field(i)
		if f.Anonymous {
			for k := range jsonKeys(f.Type) {
				keys[k] = true
			}
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		keys[name] = true
	}
	return keys
}

// frame is one level of the walk: an object (with its current key) or an
// array (with its current index).
type frame struct {
	array bool
	index int
	key   string
}

// contextOf names the object at the top of path: "file", "event", "place",
// "location", "actor", "source", or "" elsewhere.
func contextOf(path []frame) string {
	var shape []string
	for i, f := range path {
		switch {
		case f.array:
			shape = append(shape, "[]")
		case i > 0 && !path[i-1].array:
			shape = append(shape, path[i-1].key)
		}
	}
	switch strings.Join(shape, "/") {
	case "":
		return "file"
	case "[]":
		if len(path) > 1 && path[0].key == "events" {
			return "event"
		}
	case "[]/place":
		return "place"
	case "[]/place/location":
		return "location"
	case "[]/[]":
		switch path[2].key {
		case "actors":
			return "actor"
		case "sources":
			return "source"
		}
	}
	return ""
}

// find walks the tokens of data and returns the offset and path of the first
// key (value == nil) or string value (key is its key) for which match holds.
// It returns the end of the data when nothing matches or the data breaks off.
func find(data []byte, match func(path []frame, key string, value *string) bool) (int64, string) {
	dec := json.NewDecoder(bytes.NewReader(data))
	var stack []frame
	expectKey := false
	for {
		start := dec.InputOffset()
		tok, err := dec.Token()
		if err != nil {
			return int64(len(data)), ""
		}
		var top *frame
		if len(stack) > 0 {
			top = &stack[len(stack)-1]
		}
		if top != nil && !top.array && expectKey {
			if key, ok := tok.(string); ok {
				top.key = key
				expectKey = false
				if match(stack, key, nil) {
					return skipSpace(data, start), render(stack)
				}
				continue
			}
		}
		if d, ok := tok.(json.Delim); ok && (d == '}' || d == ']') {
			stack = stack[:len(stack)-1]
			expectKey = len(stack) > 0 && !stack[len(stack)-1].array
			continue
		}
		if top != nil && top.array {
			top.index++
		}
		switch tok := tok.(type) {
		case json.Delim:
			stack = append(stack, frame{array: tok == '[', index: -1})
			expectKey = tok == '{'
			continue
		case string:
			key := ""
			if top != nil && !top.array {
				key = top.key
			}
			if match(stack, key, &tok) {
				return skipSpace(data, start), render(stack)
			}
		}
		expectKey = top != nil && !top.array
	}
}

// pathAt returns the JSON path of the value being read at byte offset off.
func pathAt(data []byte, off int64) string {
	dec := json.NewDecoder(bytes.NewReader(data))
	var stack []frame
	path := ""
	expectKey := false
	for dec.InputOffset() < off {
		tok, err := dec.Token()
		if err != nil {
			break
		}
		n := len(stack)
		switch {
		case n > 0 && !stack[n-1].array && expectKey:
			if key, ok := tok.(string); ok {
				stack[n-1].key = key
				expectKey = false
			}
		case tok == json.Delim('}') || tok == json.Delim(']'):
			stack = stack[:n-1]
			expectKey = len(stack) > 0 && !stack[len(stack)-1].array
		default:
			if n > 0 && stack[n-1].array {
				stack[n-1].index++
			}
			if d, ok := tok.(json.Delim); ok {
				stack = append(stack, frame{array: d == '[', index: -1})
				expectKey = d == '{'
			} else {
				expectKey = n > 0 && !stack[n-1].array
			}
		}
		path = render(stack)
	}
	return path
}

// render writes a path as "events[2].sources[0].published".
func render(stack []frame) string {
	var b strings.Builder
	for _, f := range stack {
		switch {
		case f.array && f.index >= 0:
			b.WriteString("[" + strconv.Itoa(f.index) + "]")
		case !f.array && f.key != "":
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(f.key)
		}
	}
	return b.String()
}

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
