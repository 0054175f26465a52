package timeline

import (
	"bytes"
	"strconv"
	"strings"
)

// frame is one level of the path to the value being decoded: an object
// (with the key whose value is being read) or an array (with the index of
// the element being read).
type frame struct {
	array  bool
	index  int
	key    string
	hasKey bool // key is set: "" is a key too
}

// at makes a *DecodeError for the byte offset off of data. Line and column
// are counted only here, when there is an error, so that decoding does not
// track them byte by byte.
func at(data []byte, off int, path []frame, err error) *DecodeError {
	off = min(max(off, 0), len(data))
	before := data[:off]
	line := bytes.Count(before, []byte{'\n'}) + 1
	col := off - bytes.LastIndexByte(before, '\n')
	return &DecodeError{Line: line, Column: col, Field: render(path), Err: err}
}

// render writes a path as "events[2].sources[0].published"; a key that is
// not a plain name is quoted: events[0][""], ["a.b"].
func render(path []frame) string {
	var b strings.Builder
	for _, f := range path {
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

// quoteChar formats c for a syntax error as encoding/json does ('x', '"',
// '\n'), but a byte that is not ASCII as itself ('\xff'), not as the
// character of that number.
func quoteChar(c byte) string {
	switch c {
	case '\'':
		return `'\''`
	case '"':
		return `'"'`
	}
	s := strconv.Quote(string(rune(c)))
	if c >= 0x80 {
		s = strconv.Quote(string([]byte{c}))
	}
	return "'" + s[1:len(s)-1] + "'"
}
