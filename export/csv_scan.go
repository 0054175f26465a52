package export

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"math/bits"
	"strings"
	"unicode/utf8"
)

// csvScanner reads RFC 4180 records exactly and in bounded memory. It
// exists because encoding/csv (and so gocsv, which reads through it) turns
// CR LF inside a quoted field into LF, which changes values, and reads a
// field of any size into memory. A quoted field here keeps its bytes as
// they are; a record may end with LF or CR LF; empty lines between records
// are skipped; no field grows past maxField bytes and no record past
// maxCols fields.
//
// A record is scanned where it lies in the read buffer, and its fields are
// substrings of one string copied from there: no byte is copied twice,
// except in a field with doubled quotes, which gets a string of its own.
type csvScanner struct {
	src      io.Reader
	buf      []byte // read buffer; buf[pos:end] is not yet scanned
	start    int    // the current record starts at buf[start]
	pos, end int
	srcErr   error // io.EOF or the read error, once src returned it
	line     int   // the line of buf[pos], from 1

	maxField int
	maxCols  int

	rec csvRecord // the current record

	fieldStart int // where the field being scanned starts, relative to start
	doubled    int // the doubled quotes in it so far
}

// csvRecord is one record: its text as read, where each field lies in it
// and the line on which each starts.
type csvRecord struct {
	text  string
	spans []fieldSpan
	lines []int
	line  int // the line on which the record starts
}

// field returns the value of field j, with doubled quotes undone.
func (r *csvRecord) field(j int) string {
	f := r.spans[j]
	v := r.text[f.from:f.to]
	if f.escaped {
		v = strings.ReplaceAll(v, `""`, `"`)
	}
	return v
}

// fieldSpan is where a field's text lies in its record's bytes; escaped
// marks a quoted field whose doubled quotes must be undone.
type fieldSpan struct {
	from, to int
	escaped  bool
}

// scanError is a fault in the bytes at a field of the current record
// (field is -1 for the record as a whole).
type scanError struct {
	field int
	line  int
	err   error // wraps ErrCorrupt or ErrLimit
}

func (e *scanError) Error() string { return e.err.Error() }

const scanBuffer = 64 << 10

func newCSVScanner(src io.Reader, maxField, maxCols int) *csvScanner {
	s := &csvScanner{src: src, buf: make([]byte, scanBuffer), line: 1, maxField: maxField, maxCols: maxCols}
	s.ensure(len(utf8BOM))
	if bytes.HasPrefix(s.buf[s.pos:s.end], []byte(utf8BOM)) {
		s.pos += len(utf8BOM)
	}
	return s
}

// ensure reads until n bytes past pos are buffered or the input ends; it
// reports whether n bytes are there. It keeps the current record's bytes,
// from start, moving them to the front of the buffer, or to a larger one
// when the record fills it: the limits on fields bound its size.
func (s *csvScanner) ensure(n int) bool {
	empty := 0
	for s.end-s.pos < n && s.srcErr == nil {
		if s.start > 0 {
			s.end = copy(s.buf, s.buf[s.start:s.end])
			s.pos -= s.start
			s.start = 0
		}
		if s.end == len(s.buf) {
			s.buf = append(s.buf, make([]byte, len(s.buf))...)
		}
		m, err := s.src.Read(s.buf[s.end:])
		s.end += m
		if err != nil {
			s.srcErr = err
		} else if m > 0 {
			empty = 0
		} else if empty++; empty == 100 {
			// io.Reader allows reads of nothing but discourages them; a
			// reader that keeps at it must not spin us forever (bufio's
			// rule).
			s.srcErr = io.ErrNoProgress
		}
	}
	return s.end-s.pos >= n
}

// readErr is the error that ended the input: nil at the end of a file.
func (s *csvScanner) readErr() error {
	if s.srcErr == io.EOF {
		return nil
	}
	return s.srcErr
}

func (s *csvScanner) corrupt(field, line int, format string, args ...any) error {
	return &scanError{field, line, fmt.Errorf("%w: %s", ErrCorrupt, fmt.Sprintf(format, args...))}
}

// next reads the next record into s.rec, whose slices are valid until the
// following call, or returns io.EOF after the last record.
func (s *csvScanner) next() error {
	for {
		s.start = s.pos
		if !s.ensure(1) {
			if err := s.readErr(); err != nil {
				return err
			}
			return io.EOF
		}
		if c := s.buf[s.pos]; c == '\n' {
			s.pos++
			s.line++
			continue
		} else if c == '\r' && s.ensure(2) && s.buf[s.pos+1] == '\n' {
			s.pos += 2
			s.line++
			continue
		}
		break
	}
	r := &s.rec
	r.spans, r.lines = r.spans[:0], r.lines[:0]
	r.line = s.line
	for {
		if len(r.spans) == s.maxCols {
			return &scanError{len(r.spans), s.line, fmt.Errorf("%w: a record of more than %d fields (CSVReadOptions.MaxColumns)", ErrLimit, s.maxCols)}
		}
		r.lines = append(r.lines, s.line)
		s.doubled = 0
		var end byte
		var span fieldSpan
		var err error
		if s.ensure(1) && s.buf[s.pos] == '"' {
			s.pos++
			span, end, err = s.quoted()
		} else {
			span, end, err = s.unquoted()
		}
		if err != nil {
			return err
		}
		r.spans = append(r.spans, span)
		if end != ',' {
			break
		}
	}
	// Commas, quotes and line ends are ASCII, so the record's bytes are
	// valid UTF-8 exactly when each field is.
	raw := s.buf[s.start:s.pos]
	if !utf8.Valid(raw) {
		for j, f := range r.spans {
			if !utf8.Valid(raw[f.from:f.to]) {
				return s.corrupt(j, r.lines[j], "text is not valid UTF-8")
			}
		}
	}
	// One string for the record; fields are slices of it.
	r.text = string(raw)
	s.start = s.pos
	return nil
}

func (s *csvScanner) tooLong() error {
	j := len(s.rec.spans)
	return &scanError{j, s.rec.lines[j], fmt.Errorf("%w: a field of more than %d bytes (CSVReadOptions.MaxFieldBytes)", ErrLimit, s.maxField)}
}

// fieldLen is the length of the field being scanned so far, as read: with
// its doubled quotes undone.
func (s *csvScanner) fieldLen() int {
	return s.pos - s.start - s.fieldStart - s.doubled
}

// indexStop returns the index of the first comma, LF or quote in b, the
// bytes that end or break an unquoted field, or len(b). It reads eight
// bytes at a time: (v-ones)&^v&highs marks the zero bytes of v, and its
// lowest mark is exact (Hacker's Delight 6-1), so a byte of x equal to c is
// the lowest mark of x^(c*ones).
func indexStop(b []byte) int {
	const (
		ones  = 0x0101010101010101
		highs = 0x8080808080808080
	)
	i := 0
	for ; i+8 <= len(b); i += 8 {
		x := binary.LittleEndian.Uint64(b[i:])
		v1, v2, v3 := x^(','*ones), x^('\n'*ones), x^('"'*ones)
		hit := ((v1 - ones) &^ v1) | ((v2 - ones) &^ v2) | ((v3 - ones) &^ v3)
		if hit &= highs; hit != 0 {
			return i + bits.TrailingZeros64(hit)/8
		}
	}
	for ; i < len(b); i++ {
		if c := b[i]; c == ',' || c == '\n' || c == '"' {
			return i
		}
	}
	return len(b)
}

// unquoted scans a field that does not start with a quote and returns
// where it lies and the byte that ended it: ',' or '\n', or 0 at the end
// of the input.
func (s *csvScanner) unquoted() (fieldSpan, byte, error) {
	s.fieldStart = s.pos - s.start
	for {
		s.pos += indexStop(s.buf[s.pos:s.end])
		if s.fieldLen() > s.maxField {
			return fieldSpan{}, 0, s.tooLong()
		}
		span := fieldSpan{from: s.fieldStart, to: s.pos - s.start}
		if s.pos < s.end {
			c := s.buf[s.pos]
			s.pos++
			switch c {
			case ',':
				return span, ',', nil
			case '\n':
				s.line++
				if span.to > span.from && s.buf[s.start+span.to-1] == '\r' {
					span.to--
				}
				return span, '\n', nil
			}
			return fieldSpan{}, 0, s.corrupt(len(s.rec.spans), s.line, `a quote (") inside a field that does not start with one; quote the whole field and double the quote`)
		}
		if !s.ensure(1) {
			return span, 0, s.readErr()
		}
	}
}

// quoted scans a field after its opening quote and returns what unquoted
// does.
func (s *csvScanner) quoted() (fieldSpan, byte, error) {
	s.fieldStart = s.pos - s.start
	for {
		chunk := s.buf[s.pos:s.end]
		i := bytes.IndexByte(chunk, '"')
		if i >= 0 {
			chunk = chunk[:i]
		}
		s.line += bytes.Count(chunk, []byte{'\n'})
		s.pos += len(chunk)
		if s.fieldLen() > s.maxField {
			return fieldSpan{}, 0, s.tooLong()
		}
		if i < 0 {
			if !s.ensure(1) {
				if err := s.readErr(); err != nil {
					return fieldSpan{}, 0, err
				}
				j := len(s.rec.spans)
				return fieldSpan{}, 0, s.corrupt(j, s.rec.lines[j], "a quoted field that is never closed")
			}
			continue
		}
		span := fieldSpan{from: s.fieldStart, to: s.pos - s.start, escaped: s.doubled > 0}
		s.pos++ // the quote
		if !s.ensure(1) {
			return span, 0, s.readErr()
		}
		switch s.buf[s.pos] {
		case '"':
			s.doubled++
			s.pos++
			continue
		case ',':
			s.pos++
			return span, ',', nil
		case '\n':
			s.pos++
			s.line++
			return span, '\n', nil
		case '\r':
			if s.ensure(2) && s.buf[s.pos+1] == '\n' {
				s.pos += 2
				s.line++
				return span, '\n', nil
			}
		}
		return fieldSpan{}, 0, s.corrupt(len(s.rec.spans), s.line, `a quote (") in a quoted field that is neither doubled nor followed by a comma or line end`)
	}
}
