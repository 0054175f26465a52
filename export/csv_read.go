package export

import (
	"errors"
	"fmt"
	"io"
	"iter"
	"slices"
	"strconv"
	"strings"

	"github.com/sourced-dev/sourced/timeline"
)

var errNoHeader = errors.New("no header row")

// Default limits of ReadCSV; CSVReadOptions raises them.
const (
	DefaultMaxFieldBytes = 1 << 20 // the largest field, in bytes
	DefaultMaxColumns    = 64      // the most fields in a record
)

// CSVReadOptions configures ReadCSV. The zero value reads what WriteCSV
// writes by default, with the default limits.
type CSVReadOptions struct {
	// EventsFile and SourcesFile name the inputs in errors; they default
	// to "events.csv" and "sources.csv".
	EventsFile, SourcesFile string
	// MaxFieldBytes is the largest field accepted, in bytes
	// (DefaultMaxFieldBytes if 0). With MaxColumns it bounds the memory a
	// record can take, whatever the input.
	MaxFieldBytes int
	// MaxColumns is the most fields a record may have (DefaultMaxColumns
	// if 0).
	MaxColumns int
	// RawText reads files written with CSVOptions.RawText: a leading ' is
	// kept as part of the value instead of being stripped.
	RawText bool
}

// ReadCSV reads events.csv from events and sources.csv from sources, as
// WriteCSV writes them, and yields the events in file order, each with its
// sources. Both files stream: sources.csv must list each event's sources
// together and in the order of events.csv (WriteCSV's order), and is read
// in step with it. The sequence reads the readers as it goes, so it can be
// ranged over once. Past the first thousand or so rows of a file, when
// GOMAXPROCS allows more than one core, that file is read and split into
// records a few batches ahead on a goroutine of its own; the sequence
// waits for those goroutines to end, so neither reader is read once the
// range is over, however it ends.
//
// Columns may come in any order; the required columns of EventColumns and
// SourceColumns must be there, and derived columns may be left out.
//
// Every error is a *ReadError naming the file, the data row (0 for the
// header), the line on which the faulty field starts (for malformed
// quoting, the line of the fault) and the column. It wraps ErrCorrupt
// (malformed CSV, invalid UTF-8, a failed read), ErrSchema (missing,
// duplicate or unknown columns), ErrValue (a value that does not parse, a
// derived column that does not match, a source row out of order or of an
// unknown event) or ErrLimit, and is yielded with a zero Event as the last
// element of the sequence. ReadCSV checks each value, not the dataset: timeline.Validate
// (or LoadCSV) does that.
func ReadCSV(events, sources io.Reader, opts CSVReadOptions) iter.Seq2[timeline.Event, error] {
	return func(yield func(timeline.Event, error) bool) {
		r, err := newCSVReader(events, sources, opts)
		if err != nil {
			yield(timeline.Event{}, err)
			return
		}
		defer r.close()
		for {
			e, err := r.next()
			if err == io.EOF {
				return
			}
			if err != nil || !yield(e, nil) {
				if err != nil {
					yield(timeline.Event{}, err)
				}
				return
			}
		}
	}
}

// csvTable is one file being read: its scanner, its header and the
// current record.
type csvTable struct {
	file    string
	sc      *csvScanner
	cols    []CSVColumn
	fieldOf []int      // column index to field index, -1 when the file lacks it
	width   int        // fields per record
	row     int        // the current data row, from 1
	rec     *csvRecord // the current record
	ahead   *csvAhead  // set once the records are scanned on another goroutine
	raw     bool
	scratch []byte // a derived value being checked
}

func newCSVTable(file string, src io.Reader, cols []CSVColumn, opts *CSVReadOptions) (*csvTable, error) {
	maxField, maxCols := opts.MaxFieldBytes, opts.MaxColumns
	if maxField <= 0 {
		maxField = DefaultMaxFieldBytes
	}
	if maxCols <= 0 {
		maxCols = DefaultMaxColumns
	}
	t := &csvTable{file: file, sc: newCSVScanner(src, maxField, maxCols), cols: cols, raw: opts.RawText}
	t.rec = &t.sc.rec
	err := t.sc.next()
	if err == io.EOF {
		names := make([]string, 0, len(cols))
		for _, c := range cols {
			names = append(names, c.Name)
		}
		return nil, t.errorAt(-1, 1, "", fmt.Errorf("%w: %w: want the columns %s", ErrSchema, errNoHeader, strings.Join(names, ",")))
	}
	if err != nil {
		return nil, t.scanErr(err, t.sc.line)
	}
	t.width = len(t.rec.spans)
	t.fieldOf = make([]int, len(cols))
	for i := range t.fieldOf {
		t.fieldOf[i] = -1
	}
	var dup, unknown, missing []string
	for j := range t.width {
		name := t.rec.field(j)
		i := columnIndex(cols, name)
		switch {
		case i < 0:
			unknown = append(unknown, strconv.Quote(name))
		case t.fieldOf[i] >= 0:
			dup = append(dup, strconv.Quote(name))
		default:
			t.fieldOf[i] = j
		}
	}
	for i, c := range cols {
		if c.Required && t.fieldOf[i] < 0 {
			missing = append(missing, strconv.Quote(c.Name))
		}
	}
	var problems []string
	first := ""
	note := func(what string, names []string) {
		if len(names) > 0 {
			problems = append(problems, what+" "+strings.Join(names, ", "))
			if first == "" {
				first, _ = strconv.Unquote(names[0])
			}
		}
	}
	note("missing required column(s)", missing)
	note("duplicate column(s)", dup)
	note("unknown column(s)", unknown)
	if len(problems) > 0 {
		return nil, t.errorAt(0, t.rec.line, first, fmt.Errorf("%w: %s", ErrSchema, strings.Join(problems, "; ")))
	}
	return t, nil
}

func columnIndex(cols []CSVColumn, name string) int {
	for i := range cols {
		if cols[i].Name == name {
			return i
		}
	}
	return -1
}

func (t *csvTable) errorAt(row, line int, column string, err error) *ReadError {
	if row < 0 {
		row = 0
	}
	return &ReadError{File: t.file, Format: "csv", Row: row, Line: line, Batch: -1, Column: column, Err: err}
}

// scanErr turns a scanner or read error into a *ReadError at the current
// row; line is where the scanner stood, for a read error.
func (t *csvTable) scanErr(err error, line int) *ReadError {
	var se *scanError
	if !errors.As(err, &se) {
		return t.errorAt(t.row, line, "", fmt.Errorf("%w: read: %w", ErrCorrupt, err))
	}
	column := ""
	if t.fieldOf != nil && se.field < t.width {
		for i, j := range t.fieldOf {
			if j == se.field {
				column = t.cols[i].Name
			}
		}
	}
	return t.errorAt(t.row, se.line, column, se.err)
}

// next reads the next data row, or returns io.EOF.
func (t *csvTable) next() error {
	if t.ahead == nil && t.row == aheadAfter && aheadWorthwhile() {
		t.startAhead()
	}
	t.row++
	var err error
	line := 0
	if t.ahead != nil {
		var rec *csvRecord
		if rec, line, err = t.ahead.next(); err == nil {
			t.rec = rec
		}
	} else if err = t.sc.next(); err != nil {
		line = t.sc.line
	}
	if err == io.EOF {
		t.row--
		return err
	}
	if err != nil {
		return t.scanErr(err, line)
	}
	if n := len(t.rec.spans); n != t.width {
		return t.errorAt(t.row, t.rec.line, "", fmt.Errorf("%w: %d fields, but the header has %d", ErrCorrupt, n, t.width))
	}
	return nil
}

func (t *csvTable) has(col int) bool { return t.fieldOf[col] >= 0 }

// cell returns the text of column col in the current row ("" when the file
// lacks the column), with one leading ' stripped from a non-numeric column.
func (t *csvTable) cell(col int) string {
	j := t.fieldOf[col]
	if j < 0 {
		return ""
	}
	s := t.rec.field(j)
	if !t.raw && len(s) > 0 && s[0] == quoteMark {
		switch t.cols[col].Type {
		case "number", "integer":
		default:
			s = s[1:]
		}
	}
	return s
}

// fail returns an ErrValue *ReadError at column col of the current row.
func (t *csvTable) fail(col int, format string, args ...any) *ReadError {
	line := t.rec.line
	if j := t.fieldOf[col]; j >= 0 {
		line = t.rec.lines[j]
	}
	return t.errorAt(t.row, line, t.cols[col].Name, fmt.Errorf("%w: "+format, append([]any{ErrValue}, args...)...))
}

func (t *csvTable) date(col int, d *timeline.Date) error {
	v, err := timeline.ParseDate(t.cell(col))
	if err != nil {
		return t.fail(col, "%w", err)
	}
	*d = v
	return nil
}

// derived checks a derived column against the value it must hold.
func (t *csvTable) derived(col int, want string) error {
	if !t.has(col) {
		return nil
	}
	if got := t.cell(col); got != want {
		return t.fail(col, "%q, but the columns it derives from give %q: edit those, not this one", got, want)
	}
	return nil
}

// derivedDate is derived for a date, formatted without allocating.
func (t *csvTable) derivedDate(col int, want timeline.Date) error {
	if !t.has(col) {
		return nil
	}
	t.scratch = want.AppendText(t.scratch[:0])
	if string(t.scratch) == t.cell(col) {
		return nil
	}
	return t.derived(col, string(t.scratch))
}

// integer parses a non-negative base-10 integer without leading zeros;
// gocsv and strconv's base 0 would read "010" as 8.
func (t *csvTable) integer(col int) (int, error) {
	s := t.cell(col)
	ok := len(s) > 0 && len(s) <= 9 && (s[0] != '0' || len(s) == 1)
	n := 0
	for i := 0; ok && i < len(s); i++ {
		ok = '0' <= s[i] && s[i] <= '9'
		n = n*10 + int(s[i]-'0')
	}
	if !ok {
		return 0, t.fail(col, "%q: want a base-10 integer without leading zeros", s)
	}
	return n, nil
}

// number parses a decimal number: an optional minus, digits, an optional
// fraction and exponent. It refuses what ParseFloat would also take but no
// spreadsheet means: NaN, Inf, hex, underscores, a leading +.
func (t *csvTable) number(col int) (float64, error) {
	s := t.cell(col)
	if !isDecimal(s) {
		return 0, t.fail(col, "%q: want a decimal number such as 39.03 or -0.5", s)
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, t.fail(col, "%q: out of range", s)
	}
	return f, nil
}

func isDecimal(s string) bool {
	i := 0
	if i < len(s) && s[i] == '-' {
		i++
	}
	digits := func() bool {
		start := i
		for i < len(s) && '0' <= s[i] && s[i] <= '9' {
			i++
		}
		return i > start
	}
	if !digits() {
		return false
	}
	if i < len(s) && s[i] == '.' {
		i++
		if !digits() {
			return false
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if !digits() {
			return false
		}
	}
	return i == len(s)
}

// list splits a list cell on unescaped "|" and undoes the escapes; the
// empty cell is the nil list.
func (t *csvTable) list(col int) ([]string, error) {
	s := t.cell(col)
	if s == "" {
		return nil, nil
	}
	n := 1
	escaped := false
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case listSep:
			n++
		case listEsc:
			if i+1 == len(s) || (s[i+1] != listSep && s[i+1] != listEsc) {
				return nil, t.fail(col, `%q: a \ that is not followed by | or \ (write \\ for a backslash)`, s)
			}
			escaped = true
			i++
		}
	}
	out := make([]string, 0, n)
	if !escaped {
		for {
			i := strings.IndexByte(s, listSep)
			if i < 0 {
				return append(out, s), nil
			}
			out = append(out, s[:i])
			s = s[i+1:]
		}
	}
	var b []byte
	for i := 0; i <= len(s); i++ {
		if i == len(s) || s[i] == listSep {
			out = append(out, string(b))
			b = b[:0]
			continue
		}
		if s[i] == listEsc {
			i++
		}
		b = append(b, s[i])
	}
	return out, nil
}

var (
	kinds         = vocabSet(timeline.Kinds())
	statuses      = vocabSet(timeline.Statuses())
	sourceKinds   = vocabSet(timeline.SourceKinds())
	geoPrecisions = vocabSet(timeline.GeoPrecisions())
)

func vocabSet[T ~string](values []T) map[string]T {
	m := make(map[string]T, len(values))
	for _, v := range values {
		m[string(v)] = v
	}
	return m
}

// term looks a cell up in a vocabulary; "" is allowed when emptyOK.
func term[T ~string](t *csvTable, col int, set map[string]T, emptyOK bool) (T, error) {
	s := t.cell(col)
	if v, ok := set[s]; ok || (s == "" && emptyOK) {
		return v, nil
	}
	return "", t.fail(col, "%q: want one of %s", s, strings.Join(t.cols[col].Enum, ", "))
}

// csvReader joins events.csv and sources.csv in one pass.
type csvReader struct {
	ev, src    *csvTable
	pending    pendingSource // the source row read past the last event's sources
	hasPending bool
	srcDone    bool
	sources    []timeline.Source // the current event's sources, reused
}

type pendingSource struct {
	eventID string
	source  timeline.Source
	row     int
	line    int // the line of its event_id field
}

func newCSVReader(events, sources io.Reader, opts CSVReadOptions) (*csvReader, error) {
	if opts.EventsFile == "" {
		opts.EventsFile = EventsCSV
	}
	if opts.SourcesFile == "" {
		opts.SourcesFile = SourcesCSV
	}
	ev, err := newCSVTable(opts.EventsFile, events, eventColumns[:], &opts)
	if err != nil {
		return nil, err
	}
	src, err := newCSVTable(opts.SourcesFile, sources, sourceColumns[:], &opts)
	if err != nil {
		return nil, err
	}
	return &csvReader{ev: ev, src: src}, nil
}

// close stops the goroutines that scan ahead, if any.
func (r *csvReader) close() {
	for _, t := range []*csvTable{r.ev, r.src} {
		if t.ahead != nil {
			t.ahead.close()
		}
	}
}

// next returns the next event with its sources, or io.EOF after the last
// one once sources.csv is used up too.
func (r *csvReader) next() (timeline.Event, error) {
	t := r.ev
	if err := t.next(); err == io.EOF {
		if err := r.fill(); err != nil {
			return timeline.Event{}, err
		}
		if p := &r.pending; r.hasPending {
			return timeline.Event{}, r.src.errorAt(p.row, p.line, "event_id", fmt.Errorf("%w: event_id %q matches no event of %s at this point: an unknown event, or a row out of the order of %s", ErrValue, p.eventID, t.file, t.file))
		}
		return timeline.Event{}, io.EOF
	} else if err != nil {
		return timeline.Event{}, err
	}
	e, err := r.event()
	if err != nil {
		return timeline.Event{}, err
	}
	// The sources gather in a reused slice, then move to one of the
	// right size.
	r.sources = r.sources[:0]
	for {
		if err := r.fill(); err != nil {
			return timeline.Event{}, err
		}
		if !r.hasPending || r.pending.eventID != e.ID {
			break
		}
		r.sources = append(r.sources, r.pending.source)
		r.hasPending = false
	}
	if len(r.sources) > 0 {
		e.Sources = slices.Clone(r.sources)
		clear(r.sources)
	}
	if t.has(evSourceCount) {
		n, _ := t.integer(evSourceCount) // checked in event
		if p := &r.pending; n > len(e.Sources) && r.hasPending {
			return timeline.Event{}, r.src.errorAt(p.row, p.line, "event_id", fmt.Errorf("%w: event_id %q where %d more source(s) of %q (%s row %d, source_count %d) should be: an unknown event, or a row out of the order of %s",
				ErrValue, p.eventID, n-len(e.Sources), e.ID, t.file, t.row, n, t.file))
		}
		if n != len(e.Sources) {
			return timeline.Event{}, t.fail(evSourceCount, "%d, but %s has %d row(s) for %q here", n, r.src.file, len(e.Sources), e.ID)
		}
	}
	if err := t.derived(evPublisherCount, strconv.Itoa(e.PublisherCount())); err != nil {
		return timeline.Event{}, err
	}
	if err := t.derived(evIndependent, strconv.Itoa(e.IndependentPublishers())); err != nil {
		return timeline.Event{}, err
	}
	return e, nil
}

// fill reads the next source row into pending, if it is empty and rows
// remain.
func (r *csvReader) fill() error {
	if r.hasPending || r.srcDone {
		return nil
	}
	t := r.src
	if err := t.next(); err == io.EOF {
		r.srcDone = true
		return nil
	} else if err != nil {
		return err
	}
	p := &r.pending
	*p = pendingSource{eventID: t.cell(srcEventID), row: t.row, line: t.rec.line}
	if j := t.fieldOf[srcEventID]; j >= 0 {
		p.line = t.rec.lines[j]
	}
	if err := r.source(&p.source); err != nil {
		return err
	}
	r.hasPending = true
	return nil
}

// event parses the current row of events.csv, without its sources.
func (r *csvReader) event() (timeline.Event, error) {
	t := r.ev
	e := timeline.Event{
		ID:      t.cell(evID),
		Title:   t.cell(evTitle),
		Summary: t.cell(evSummary),
		Notes:   t.cell(evNotes),
		Place:   timeline.Place{Name: t.cell(evPlaceName), Country: t.cell(evCountry)},
	}
	var err error
	if e.Kind, err = term(t, evKind, kinds, false); err != nil {
		return e, err
	}
	if e.Status, err = term(t, evStatus, statuses, false); err != nil {
		return e, err
	}
	if err := t.date(evStart, &e.Start); err != nil {
		return e, err
	}
	if err := t.date(evEnd, &e.End); err != nil {
		return e, err
	}
	if err := t.derivedDate(evStartDate, e.Start.First()); err != nil {
		return e, err
	}
	if err := t.derivedDate(evEndDate, endDate(&e)); err != nil {
		return e, err
	}
	if err := t.derived(evPrecision, e.Start.Precision().String()); err != nil {
		return e, err
	}
	if lat, lon := t.cell(evLat), t.cell(evLon); lat != "" || lon != "" {
		if lat == "" {
			return e, t.fail(evLat, "empty, but lon is %q: give both or neither", lon)
		}
		if lon == "" {
			return e, t.fail(evLon, "empty, but lat is %q: give both or neither", lat)
		}
		var l timeline.LatLon
		if l.Lat, err = t.number(evLat); err != nil {
			return e, err
		}
		if l.Lon, err = t.number(evLon); err != nil {
			return e, err
		}
		e.Place.Location = &l
	}
	if e.Place.GeoPrecision, err = term(t, evGeoPrecision, geoPrecisions, true); err != nil {
		return e, err
	}
	names, err := t.list(evActors)
	if err != nil {
		return e, err
	}
	roles, err := t.list(evActorRoles)
	if err != nil {
		return e, err
	}
	if roles != nil && len(roles) != len(names) {
		return e, t.fail(evActorRoles, "%d role(s) for %d actor(s): give one per actor, or none", len(roles), len(names))
	}
	if names != nil {
		e.Actors = make([]timeline.Actor, len(names))
		for i, n := range names {
			e.Actors[i].Name = n
			if roles != nil {
				e.Actors[i].Role = roles[i]
			}
		}
	}
	if e.Tags, err = t.list(evTags); err != nil {
		return e, err
	}
	if e.Related, err = t.list(evRelated); err != nil {
		return e, err
	}
	for _, col := range []int{evSourceCount, evPublisherCount, evIndependent} {
		if t.has(col) {
			if _, err := t.integer(col); err != nil {
				return e, err
			}
		}
	}
	return e, nil
}

// source parses the current row of sources.csv.
func (r *csvReader) source(s *timeline.Source) error {
	t := r.src
	*s = timeline.Source{
		Publisher: t.cell(srcPublisher),
		Via:       t.cell(srcVia),
		Title:     t.cell(srcTitle),
		URL:       t.cell(srcURL),
		Language:  t.cell(srcLanguage),
		Quote:     t.cell(srcQuote),
	}
	var err error
	if s.Kind, err = term(t, srcKind, sourceKinds, false); err != nil {
		return err
	}
	if err := t.date(srcPublished, &s.Published); err != nil {
		return err
	}
	if err := t.derivedDate(srcPublishedDate, s.Published.First()); err != nil {
		return err
	}
	if err := t.date(srcAccessed, &s.Accessed); err != nil {
		return err
	}
	if s.Grading, err = timeline.ParseGrading(t.cell(srcGrading)); err != nil {
		return t.fail(srcGrading, "%w", err)
	}
	var rel, cred string
	if !s.Grading.IsZero() {
		rel, cred = string(rune(s.Grading.Reliability)), string(rune(s.Grading.Credibility))
	}
	if err := t.derived(srcReliability, rel); err != nil {
		return err
	}
	return t.derived(srcCredibility, cred)
}
