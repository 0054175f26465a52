package timeline

import (
	"bytes"
	"encoding/json"
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
// data or an unknown field: what no valid file can hold.
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
	field := ""
	if e.Field != "" {
		field = " " + e.Field
	}
	return fmt.Sprintf("%s:%d:%d:%s: %v", file, e.Line, e.Column, field, e.Err)
}

// Unwrap returns the underlying error.
func (e *DecodeError) Unwrap() error { return e.Err }

// file is the canonical file's layout.
type file struct {
	Schema string `json:"schema"`
	Metadata
	Events []Event `json:"events"`
}

// Marshal returns the canonical JSON form of d: indented, with fields in a
// fixed order and events in the dataset's order, so that the same dataset
// always gives the same bytes and a change shows as a small diff.
func Marshal(d *Dataset) ([]byte, error) {
	var b bytes.Buffer
	if err := Encode(&b, d); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// Encode writes the canonical JSON form of d to w (see Marshal).
func Encode(w io.Writer, d *Dataset) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	events := d.events
	if events == nil {
		events = []Event{}
	}
	return enc.Encode(file{Schema: SchemaVersion, Metadata: d.meta, Events: events})
}

// Unmarshal parses a canonical JSON file and validates it (see New). The
// decoding is strict: an unknown field, a value of the wrong type, a value
// outside a vocabulary, a malformed date or data after the dataset is a
// *DecodeError giving the line, column and field; a valid file with invalid
// content gives ValidationErrors.
func Unmarshal(data []byte) (*Dataset, error) {
	return unmarshal("", data)
}

func unmarshal(name string, data []byte) (*Dataset, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var f file
	if err := dec.Decode(&f); err != nil {
		return nil, locate(name, data, err)
	}
	if rest := int64(len(bytes.TrimLeft(data[dec.InputOffset():], " \t\r\n"))); rest > 0 {
		off := int64(len(data)) - rest
		return nil, at(name, data, off, "", fmt.Errorf("%w: data after the end of the dataset", ErrSyntax))
	}
	if f.Schema != SchemaVersion {
		off, path := find(data, func(c *cursor) bool { return c.isValue() && c.field() == "file.schema" })
		if path == "" {
			off, path = 0, "schema"
		}
		return nil, at(name, data, off, path, fmt.Errorf("%w: schema %q: want %q", ErrSyntax, f.Schema, SchemaVersion))
	}
	d, err := New(f.Metadata, f.Events)
	if err != nil && name != "" {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return d, err
}

// Decode reads a canonical JSON file from r (see Unmarshal), up to
// MaxFileBytes.
func Decode(r io.Reader) (*Dataset, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxFileBytes+1))
	if err != nil {
		return nil, err
	}
	if len(data) > MaxFileBytes {
		return nil, &DecodeError{Line: 1, Column: 1, Err: fmt.Errorf("%w: larger than %d bytes", ErrSyntax, MaxFileBytes)}
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
	data, err := io.ReadAll(io.LimitReader(f, MaxFileBytes+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(data) > MaxFileBytes {
		return nil, &DecodeError{File: path, Line: 1, Column: 1, Err: fmt.Errorf("%w: larger than %d bytes", ErrSyntax, MaxFileBytes)}
	}
	return unmarshal(path, data)
}

// Save writes d to path in canonical JSON, atomically: a temporary file in
// the same folder, renamed into place only when complete.
func Save(path string, d *Dataset) error {
	return atomicfile.WriteFrom(path, func(w io.Writer) error { return Encode(w, d) })
}
