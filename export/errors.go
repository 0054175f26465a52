package export

import (
	"errors"
	"fmt"
	"strings"
)

// The sentinels that a *ReadError wraps; errors.Is finds them.
var (
	// ErrCorrupt: the bytes are not a well-formed file of the format
	// (truncated, bad magic, lying lengths, malformed CSV).
	ErrCorrupt = errors.New("corrupt file")
	// ErrSchema: a well-formed file whose columns are not ours (missing,
	// duplicate, unknown or of the wrong type).
	ErrSchema = errors.New("unexpected schema")
	// ErrValue: a value that does not parse or is out of range for its field.
	ErrValue = errors.New("invalid value")
	// ErrLimit: the input exceeds a documented resource limit that the
	// caller may raise.
	ErrLimit = errors.New("resource limit exceeded")
)

// ReadError says where reading a file failed and why.
type ReadError struct {
	File   string // the file's path or name; "" for an unnamed reader
	Format string // "csv", "arrow", "arrow-stream", "parquet"
	Row    int    // 1-based data row (event or source), 0 when not known
	Line   int    // 1-based line in a text file, 0 when not applicable
	Batch  int    // 0-based record batch or row group, -1 when not applicable
	Column string // the column, "" when not applicable
	Err    error  // what is wrong; wraps one of the sentinels above
}

func (e *ReadError) Error() string {
	var b strings.Builder
	b.WriteString(e.Format)
	if e.File != "" {
		b.WriteString(" ")
		b.WriteString(e.File)
	}
	if e.Line > 0 {
		fmt.Fprintf(&b, ", line %d", e.Line)
	}
	if e.Batch >= 0 {
		fmt.Fprintf(&b, ", batch %d", e.Batch)
	}
	if e.Row > 0 {
		fmt.Fprintf(&b, ", row %d", e.Row)
	}
	if e.Column != "" {
		fmt.Fprintf(&b, ", column %q", e.Column)
	}
	b.WriteString(": ")
	b.WriteString(e.Err.Error())
	return b.String()
}

// Unwrap returns the underlying error.
func (e *ReadError) Unwrap() error { return e.Err }
