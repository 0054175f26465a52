package export

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"math/bits"
	"unicode/utf8"
)

// csvScanner reads RFC 4180 records exactly and in bounded memory. It
// exists because encoding/csv (and so gocsv, which reads through it) turns
// CR LF inside a quoted field into LF, which changes values, and reads a
// field of any size into memory. A quoted field here keeps its bytes as
// they are; a record may end with LF or CR LF; empty lines between records
// are skipped; no field grows past maxField bytes and no record past
// maxCols fields.
type csvScanner struct {
	src      io.Reader
	buf      []byte // read buffer; buf[pos:end] is not yet scanned
	pos, end int
	srcErr   error // io.EOF or the read error, once src returned it
	line     int   // the line of buf[pos], from 1

	maxField int
	maxCols  int

	rec     []byte   // the current record's field bytes, unquoted
	ends    []int    // the end of each field in rec
	lines   []int    // the line on which each field starts
	fields  []string // the current record's fields, reused
	recLine int      // the line on which the current record starts
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

// ensure reads until n bytes are buffered or the input ends; it reports
// whether n bytes are there.
func (s *csvScanner) ensure(n int) bool {
	empty := 0
	for s.end-s.pos < n && s.srcErr == nil {
		if s.pos > 0 {
			s.end = copy(s.buf, s.buf[s.pos:s.end])
			s.pos = 0
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

// next returns the next record's fields, valid until the following call,
// or io.EOF after the last record.
func (s *csvScanner) next() ([]string, error) {
	for {
		if !s.ensure(1) {
			if err := s.readErr(); err != nil {
				return nil, err
			}
			return nil, io.EOF
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
	s.rec, s.ends, s.lines = s.rec[:0], s.ends[:0], s.lines[:0]
	s.recLine = s.line
	for {
		if len(s.ends) == s.maxCols {
			return nil, &scanError{len(s.ends), s.line, fmt.Errorf("%w: a record of more than %d fields (CSVReadOptions.MaxColumns)", ErrLimit, s.maxCols)}
		}
		s.lines = append(s.lines, s.line)
		var end byte
		var err error
		if s.ensure(1) && s.buf[s.pos] == '"' {
			s.pos++
			end, err = s.quoted()
		} else {
			end, err = s.unquoted()
		}
		if err != nil {
			return nil, err
		}
		s.ends = append(s.ends, len(s.rec))
		if end != ',' {
			break
		}
	}
	if !utf8.Valid(s.rec) {
		start := 0
		for j, end := range s.ends {
			if !utf8.Valid(s.rec[start:end]) {
				return nil, s.corrupt(j, s.lines[j], "text is not valid UTF-8")
			}
			start = end
		}
	}
	// One string for the record; fields are slices of it.
	str := string(s.rec)
	s.fields = s.fields[:0]
	start := 0
	for _, end := range s.ends {
		s.fields = append(s.fields, str[start:end])
		start = end
	}
	return s.fields, nil
}

func (s *csvScanner) tooLong() error {
	j := len(s.ends)
	return &scanError{j, s.lines[j], fmt.Errorf("%w: a field of more than %d bytes (CSVReadOptions.MaxFieldBytes)", ErrLimit, s.maxField)}
}

func (s *csvScanner) fieldLen() int {
	if n := len(s.ends); n > 0 {
		return len(s.rec) - s.ends[n-1]
	}
	return len(s.rec)
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

// unquoted scans a field that does not start with a quote and returns the
// byte that ended it: ',' or '\n', or 0 at the end of the input.
func (s *csvScanner) unquoted() (byte, error) {
	for {
		i := s.pos + indexStop(s.buf[s.pos:s.end])
		s.rec = append(s.rec, s.buf[s.pos:i]...)
		s.pos = i
		if s.fieldLen() > s.maxField {
			return 0, s.tooLong()
		}
		if i < s.end {
			s.pos++
			switch s.buf[i] {
			case ',':
				return ',', nil
			case '\n':
				s.line++
				if n := len(s.rec); s.fieldLen() > 0 && s.rec[n-1] == '\r' {
					s.rec = s.rec[:n-1]
				}
				return '\n', nil
			}
			return 0, s.corrupt(len(s.ends), s.line, `a quote (") inside a field that does not start with one; quote the whole field and double the quote`)
		}
		if !s.ensure(1) {
			return 0, s.readErr()
		}
	}
}

// quoted scans a field after its opening quote and returns the byte that
// ended it, as unquoted does.
func (s *csvScanner) quoted() (byte, error) {
	for {
		chunk := s.buf[s.pos:s.end]
		i := bytes.IndexByte(chunk, '"')
		if i >= 0 {
			chunk = chunk[:i]
		}
		s.line += bytes.Count(chunk, []byte{'\n'})
		s.rec = append(s.rec, chunk...)
		s.pos += len(chunk)
		if s.fieldLen() > s.maxField {
			return 0, s.tooLong()
		}
		if i < 0 {
			if !s.ensure(1) {
				if err := s.readErr(); err != nil {
					return 0, err
				}
				j := len(s.ends)
				return 0, s.corrupt(j, s.lines[j], "a quoted field that is never closed")
			}
			continue
		}
		s.pos++ // the quote
		if !s.ensure(1) {
			return 0, s.readErr()
		}
		switch s.buf[s.pos] {
		case '"':
			s.rec = append(s.rec, '"')
			s.pos++
			continue
		case ',':
			s.pos++
			return ',', nil
		case '\n':
			s.pos++
			s.line++
			return '\n', nil
		case '\r':
			if s.ensure(2) && s.buf[s.pos+1] == '\n' {
				s.pos += 2
				s.line++
				return '\n', nil
			}
		}
		return 0, s.corrupt(len(s.ends), s.line, `a quote (") in a quoted field that is neither doubled nor followed by a comma or line end`)
	}
}
