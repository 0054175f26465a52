package timeline

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/sourced-dev/sourced/internal/atomicfile"
)

// SchemaVersion names the version of the canonical JSON file format, and of
// the column layouts that package export derives from it.
const SchemaVersion = "sourced/1"

// MaxFileBytes is the largest canonical JSON file that Decode and Load read.
// It guards against a hostile or mistaken input filling memory; a caller with
// a larger file decodes it with Unmarshal.
const MaxFileBytes = 1 << 30

// ErrSyntax is wrapped by a *DecodeError about malformed JSON, trailing
// data, an unknown or repeated key or text that is not UTF-8: what no valid
// file can hold.
var ErrSyntax = errors.New("malformed dataset file")

// DecodeError says where in a canonical JSON file decoding failed.
type DecodeError struct {
	File   string // the file's name, or "" for an unnamed reader
	Line   int    // 1-based line of the offending value
	Column int    // 1-based column, in bytes
	Field  string // the JSON path: "events[2].sources[0].published"
	Err    error  // what is wrong
}

func (e *DecodeError) Error() string {
	file := e.File
	if file == "" {
		file = "dataset"
	}
	if e.Field == "" {
		return fmt.Sprintf("%s:%d:%d: %v", file, e.Line, e.Column, e.Err)
	}
	return fmt.Sprintf("%s:%d:%d: %s: %v", file, e.Line, e.Column, e.Field, e.Err)
}

// Unwrap returns the underlying error.
func (e *DecodeError) Unwrap() error { return e.Err }

// Marshal returns the canonical JSON form of d: indented, with fields in a
// fixed order and events in the dataset's order, so that the same dataset
// always gives the same bytes and a change shows as a small diff.
func Marshal(d *Dataset) ([]byte, error) {
	// Pieces copied once into a slice of the exact size: a growing slice
	// would copy a large dataset several times over (append grows a large
	// slice by a quarter).
	var pieces pieces
	b, err := encode(make([]byte, 0, flushSize+flushSize/4), &pieces, d)
	if err != nil {
		return nil, err
	}
	if len(pieces.list) == 0 {
		return b, nil
	}
	all := make([]byte, 0, pieces.n+len(b))
	for _, p := range pieces.list {
		all = append(all, p...)
	}
	return append(all, b...), nil
}

// Encode writes the canonical JSON form of d to w (see Marshal), in pieces
// of a few tens of kilobytes, so that it never holds the whole file.
func Encode(w io.Writer, d *Dataset) error {
	b, err := encode(make([]byte, 0, flushSize+flushSize/4), w, d)
	if err != nil {
		return err
	}
	_, err = w.Write(b)
	return err
}

// maxFileBytes is MaxFileBytes, lowered by tests.
var maxFileBytes int64 = MaxFileBytes

// Unmarshal parses a canonical JSON file and validates it (see New). The
// decoding is strict: an unknown field (keys match exactly, case included),
// a key given twice in one object, a value of the wrong type, a value
// outside a vocabulary, a malformed date, text that is not UTF-8 or data
// after the dataset is a *DecodeError giving the line, column and field of
// the first such mistake in the file; a valid file with invalid content
// gives ValidationErrors.
func Unmarshal(data []byte) (*Dataset, error) {
	return unmarshal("", data)
}

func unmarshal(name string, data []byte) (*Dataset, error) {
	meta, events, err := decodeFile(name, data)
	if err != nil {
		return nil, err
	}
	// The decoder rejects text that is not UTF-8 where it reads it.
	d, err := newDataset(meta, events, true)
	if err != nil && name != "" {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return d, err
}

// Decode reads a canonical JSON file from r (see Unmarshal), up to
// MaxFileBytes.
func Decode(r io.Reader) (*Dataset, error) {
	data, err := readLimited(r, "", 0)
	if err != nil {
		return nil, err
	}
	return Unmarshal(data)
}

// Load reads and validates the canonical JSON file at path; errors name the
// file.
func Load(path string) (*Dataset, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var size int64
	if info, err := f.Stat(); err == nil && info.Mode().IsRegular() {
		size = info.Size()
	}
	data, err := readLimited(f, path, size)
	if err != nil {
		return nil, err
	}
	return unmarshal(path, data)
}

// readLimited reads r, named name, to its end, which must come within
// maxFileBytes. A size from the file system, when known, refuses a file
// that is too large before reading it and sizes the buffer, so that a large
// file is read once, not copied as a growing buffer fills.
func readLimited(r io.Reader, name string, size int64) ([]byte, error) {
	tooLarge := func() error {
		return &DecodeError{File: name, Line: 1, Column: 1, Err: fmt.Errorf("%w: larger than %d bytes", ErrSyntax, maxFileBytes)}
	}
	if size > maxFileBytes {
		return nil, tooLarge()
	}
	buf := bytes.NewBuffer(make([]byte, 0, size+bytes.MinRead))
	if _, err := buf.ReadFrom(io.LimitReader(r, maxFileBytes+1)); err != nil {
		if name != "" {
			err = fmt.Errorf("%s: %w", name, err)
		}
		return nil, err
	}
	if int64(buf.Len()) > maxFileBytes {
		return nil, tooLarge()
	}
	return buf.Bytes(), nil
}

// Save writes d to path in canonical JSON, atomically: a temporary file in
// the same folder, renamed into place only when complete.
func Save(path string, d *Dataset) error {
	return atomicfile.WriteFrom(path, func(w io.Writer) error { return Encode(w, d) })
}
