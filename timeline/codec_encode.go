package timeline

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"strconv"
	"unicode/utf8"
)

// The canonical form is what encoding/json writes for the file's types with
// SetIndent("", "  ") and SetEscapeHTML(false), byte for byte (a test holds
// it to that); written here directly, it takes neither reflection nor a
// second pass to indent.

// flushSize is how much Encode gathers before it writes: enough to make
// writes few, little enough that a large dataset is never held twice.
const flushSize = 64 << 10

// The indentation of each level of the file.
const (
	indent1 = "\n  "
	indent2 = "\n    "
	indent3 = "\n      "
	indent4 = "\n        "
	indent5 = "\n          "
)

// pieces keeps what is written to it, a copy of each piece.
type pieces struct {
	list [][]byte
	n    int
}

func (p *pieces) Write(b []byte) (int, error) {
	p.list = append(p.list, bytes.Clone(b))
	p.n += len(b)
	return len(b), nil
}

// encode appends the canonical form of d to b and returns it. It writes b
// to w whenever it holds flushSize bytes and returns what is left to write.
func encode(b []byte, w io.Writer, d *Dataset) ([]byte, error) {
	m := &d.meta
	b = append(b, '{')
	n := 0
	b = appendString(field(b, &n, indent1, fileKeys[fileSchema]), SchemaVersion)
	b = appendString(field(b, &n, indent1, fileKeys[fileName]), m.Name)
	b = optString(b, &n, indent1, fileKeys[fileTitle], m.Title)
	b = optString(b, &n, indent1, fileKeys[fileDescription], m.Description)
	b = optString(b, &n, indent1, fileKeys[fileLicense], m.License)
	b = optString(b, &n, indent1, fileKeys[fileVersion], m.Version)
	b = optDate(b, &n, indent1, fileKeys[fileUpdated], m.Updated)
	b = append(field(b, &n, indent1, fileKeys[fileEvents]), '[')
	for i := range d.events {
		if i > 0 {
			b = append(b, ',')
		}
		var err error
		if b, err = appendEvent(append(b, indent2...), &d.events[i]); err != nil {
			return b, err
		}
		if len(b) >= flushSize {
			if _, err := w.Write(b); err != nil {
				return b, err
			}
			b = b[:0]
		}
	}
	if len(d.events) > 0 {
		b = append(b, indent1...)
	}
	return append(b, "]\n}\n"...), nil
}

func appendEvent(b []byte, e *Event) ([]byte, error) {
	b = append(b, '{')
	n := 0
	b = appendString(field(b, &n, indent3, eventKeys[eventID]), e.ID)
	b = appendString(field(b, &n, indent3, eventKeys[eventTitle]), e.Title)
	b = optString(b, &n, indent3, eventKeys[eventSummary], e.Summary)
	b = appendString(field(b, &n, indent3, eventKeys[eventKind]), string(e.Kind))
	b = appendString(field(b, &n, indent3, eventKeys[eventStatus]), string(e.Status))
	b = appendDate(field(b, &n, indent3, eventKeys[eventStart]), e.Start)
	b = optDate(b, &n, indent3, eventKeys[eventEnd], e.End)
	if p := &e.Place; *p != (Place{}) {
		b = append(field(b, &n, indent3, eventKeys[eventPlace]), '{')
		m := 0
		b = optString(b, &m, indent4, placeKeys[placeName], p.Name)
		b = optString(b, &m, indent4, placeKeys[placeCountry], p.Country)
		if l := p.Location; l != nil {
			b = append(field(b, &m, indent4, placeKeys[placeLocation]), '{')
			k := 0
			var err error
			if b, err = appendFloat(field(b, &k, indent5, locationKeys[0]), l.Lat); err != nil {
				return b, err
			}
			if b, err = appendFloat(field(b, &k, indent5, locationKeys[1]), l.Lon); err != nil {
				return b, err
			}
			b = append(append(b, indent4...), '}')
		}
		b = optString(b, &m, indent4, placeKeys[placeGeoPrecision], string(p.GeoPrecision))
		b = append(append(b, indent3...), '}')
	}
	if len(e.Actors) > 0 {
		b = append(field(b, &n, indent3, eventKeys[eventActors]), '[')
		for i := range e.Actors {
			a := &e.Actors[i]
			if i > 0 {
				b = append(b, ',')
			}
			b = append(append(b, indent4...), '{')
			m := 0
			b = appendString(field(b, &m, indent5, actorKeys[0]), a.Name)
			b = optString(b, &m, indent5, actorKeys[1], a.Role)
			b = append(append(b, indent4...), '}')
		}
		b = append(append(b, indent3...), ']')
	}
	b = optStrings(b, &n, eventKeys[eventTags], e.Tags)
	b = optStrings(b, &n, eventKeys[eventRelated], e.Related)
	b = optString(b, &n, indent3, eventKeys[eventNotes], e.Notes)
	b = field(b, &n, indent3, eventKeys[eventSources])
	switch {
	case e.Sources == nil:
		b = append(b, "null"...)
	case len(e.Sources) == 0:
		b = append(b, "[]"...)
	default:
		b = append(b, '[')
		for i := range e.Sources {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendSource(append(b, indent4...), &e.Sources[i])
		}
		b = append(append(b, indent3...), ']')
	}
	return append(append(b, indent2...), '}'), nil
}

func appendSource(b []byte, s *Source) []byte {
	b = append(b, '{')
	n := 0
	b = appendString(field(b, &n, indent5, sourceKeys[sourcePublisher]), s.Publisher)
	b = appendString(field(b, &n, indent5, sourceKeys[sourceKind]), string(s.Kind))
	b = optString(b, &n, indent5, sourceKeys[sourceVia], s.Via)
	b = optString(b, &n, indent5, sourceKeys[sourceTitle], s.Title)
	b = optString(b, &n, indent5, sourceKeys[sourceURL], s.URL)
	b = optDate(b, &n, indent5, sourceKeys[sourcePublished], s.Published)
	b = optDate(b, &n, indent5, sourceKeys[sourceAccessed], s.Accessed)
	b = optString(b, &n, indent5, sourceKeys[sourceLanguage], s.Language)
	b = optString(b, &n, indent5, sourceKeys[sourceQuote], s.Quote)
	if !s.Grading.IsZero() {
		b = appendString(field(b, &n, indent5, sourceKeys[sourceGrading]), s.Grading.String())
	}
	return append(append(b, indent4...), '}')
}

// field appends what comes before the value of the field key of an object
// at indent, of which n fields came before.
func field(b []byte, n *int, indent, key string) []byte {
	if *n > 0 {
		b = append(b, ',')
	}
	*n++
	b = append(b, indent...)
	b = append(b, '"')
	b = append(b, key...)
	return append(b, `": `...)
}

// optString appends a field that is left out when empty (omitempty).
func optString(b []byte, n *int, indent, key, s string) []byte {
	if s == "" {
		return b
	}
	return appendString(field(b, n, indent, key), s)
}

// optDate appends a date field that is left out when zero (omitzero).
func optDate(b []byte, n *int, indent, key string, d Date) []byte {
	if d.IsZero() {
		return b
	}
	return appendDate(field(b, n, indent, key), d)
}

// optStrings appends an event's list of strings, left out when empty.
func optStrings(b []byte, n *int, key string, list []string) []byte {
	if len(list) == 0 {
		return b
	}
	b = append(field(b, n, indent3, key), '[')
	for i, s := range list {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(append(b, indent4...), s)
	}
	return append(append(b, indent3...), ']')
}

func appendDate(b []byte, d Date) []byte {
	b = append(b, '"')
	return append(d.AppendText(b), '"')
}

// appendFloat writes f as encoding/json does: like strconv's shortest 'f'
// form, or 'e' for very small or large magnitudes, without a leading zero
// in the exponent.
func appendFloat(b []byte, f float64) ([]byte, error) {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return b, fmt.Errorf("timeline: coordinate %v has no JSON form", f)
	}
	format := byte('f')
	if abs := math.Abs(f); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	b = strconv.AppendFloat(b, f, format, -1, 64)
	if format == 'e' {
		if n := len(b); n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b, nil
}

const hexDigits = "0123456789abcdef"

// appendString writes s as a JSON string as encoding/json does without
// HTML escaping: quotes, backslashes and control characters escaped, U+2028
// and U+2029 escaped for JavaScript, and each byte that is not UTF-8 as
// U+FFFD (Validate lets no such string into a Dataset).
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if plain[c] {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
