package export

import (
	"context"
	"errors"
	"fmt"
	"io"
	"iter"
	"slices"
	"strconv"
	"unicode"
	"unicode/utf8"

	"github.com/sourced-dev/sourced/timeline"
)

// The CSV form of a dataset is two files that a spreadsheet, pandas or
// DuckDB opens as they are:
//
//   - events.csv: one row per event, in the order given, with the columns of
//     EventColumns;
//   - sources.csv: one row per citation, keyed by event_id, in event order
//     and then citation order, with the columns of SourceColumns.
//
// Both are RFC 4180 CSV in UTF-8 with a header row, records ended by LF
// (not CRLF: Go's encoding/csv rewrites line breaks inside values in CRLF
// mode, and every reader we target takes LF), and an optional UTF-8 byte
// order mark for Excel (CSVOptions.BOM). A field is quoted exactly when Go's
// encoding/csv would quote it, so the bytes are what csv.Writer writes.
//
// Lists (actors, actor_roles, tags, related) are joined with "|"; a "|" or
// "\" inside an element is escaped with a backslash ("\|", "\\"). An empty
// cell is the empty list. actor_roles runs parallel to actors; when no actor
// has a role it is empty.
//
// Text cells are spreadsheet-safe: a cell whose first character is =, +,
// -, @, tab, CR or LF, whose first character after blanks (space, tab, CR,
// LF) is one of =+-@, or which starts with ' is written with one more
// leading ', which spreadsheets show as text and never run; the reader
// strips exactly one leading ', so every value round-trips. Numeric columns
// (lat, lon, the counts, credibility) are plain numbers, empty when absent,
// never prefixed.
//
// Derived columns (start_date, end_date, precision, the counts,
// published_date, reliability, credibility) are written for spreadsheet
// users; the reader checks them against the columns they derive from, so an
// edit to a derived cell is an error rather than silently lost.
const (
	EventsCSV  = "events.csv"       // the events file's name in a CSV folder
	SourcesCSV = "sources.csv"      // the sources file's name in a CSV folder
	PackageCSV = "datapackage.json" // the Frictionless Data Package descriptor's name
)

// CSVColumn describes one column of events.csv or sources.csv.
type CSVColumn struct {
	Name     string   // the header name
	Type     string   // "string", "list" (joined with |), "edtf", "date" (ISO 8601), "number" or "integer"
	Required bool     // a file without this column is an ErrSchema error
	Derived  bool     // written for convenience, checked against other columns on read
	Enum     []string // the values allowed, for a column with a closed vocabulary
	Doc      string   // what the column holds
}

// Column indices of events.csv, in file order.
const (
	evID = iota
	evTitle
	evSummary
	evKind
	evStatus
	evStart
	evEnd
	evStartDate
	evEndDate
	evPrecision
	evPlaceName
	evCountry
	evLat
	evLon
	evGeoPrecision
	evActors
	evActorRoles
	evTags
	evRelated
	evNotes
	evSourceCount
	evPublisherCount
	evIndependent
	numEventCols
)

// Column indices of sources.csv, in file order.
const (
	srcEventID = iota
	srcPublisher
	srcKind
	srcVia
	srcTitle
	srcURL
	srcPublished
	srcPublishedDate
	srcAccessed
	srcLanguage
	srcQuote
	srcGrading
	srcReliability
	srcCredibility
	numSourceCols
)

func vocab[T ~string](values []T) []string {
	out := make([]string, len(values))
	for i, v := range values {
		out[i] = string(v)
	}
	return out
}

var eventColumns = [numEventCols]CSVColumn{
	evID:             {Name: "id", Type: "string", Required: true, Doc: "the event's ID, a slug unique in the dataset"},
	evTitle:          {Name: "title", Type: "string", Required: true, Doc: "a one-line headline"},
	evSummary:        {Name: "summary", Type: "string", Doc: "what happened"},
	evKind:           {Name: "kind", Type: "string", Required: true, Enum: vocab(timeline.Kinds()), Doc: "what sort of event"},
	evStatus:         {Name: "status", Type: "string", Required: true, Enum: vocab(timeline.Statuses()), Doc: "how far the event is established"},
	evStart:          {Name: "start", Type: "edtf", Required: true, Doc: "when it happened or began, as an EDTF date: 2024, 2024-11, 2024-11-14, with ?, ~ or % for uncertain, approximate or both"},
	evEnd:            {Name: "end", Type: "edtf", Doc: "when it ended, as an EDTF date; empty for a single date"},
	evStartDate:      {Name: "start_date", Type: "date", Derived: true, Doc: "the first day that start covers"},
	evEndDate:        {Name: "end_date", Type: "date", Derived: true, Doc: "the last day the event covers: of end if set, else of start"},
	evPrecision:      {Name: "precision", Type: "string", Derived: true, Enum: []string{"year", "month", "day"}, Doc: "the precision of start"},
	evPlaceName:      {Name: "place_name", Type: "string", Doc: "where it happened"},
	evCountry:        {Name: "country", Type: "string", Doc: "ISO 3166-1 alpha-2 country code"},
	evLat:            {Name: "lat", Type: "number", Doc: "WGS 84 latitude in decimal degrees; empty when not known"},
	evLon:            {Name: "lon", Type: "number", Doc: "WGS 84 longitude in decimal degrees; empty when not known"},
	evGeoPrecision:   {Name: "geo_precision", Type: "string", Enum: vocab(timeline.GeoPrecisions()), Doc: "how exactly lat and lon locate the event"},
	evActors:         {Name: "actors", Type: "list", Doc: "the parties to the event, joined with |"},
	evActorRoles:     {Name: "actor_roles", Type: "list", Doc: "the part each actor played, parallel to actors; empty when none has a role"},
	evTags:           {Name: "tags", Type: "list", Doc: "free keywords, joined with |"},
	evRelated:        {Name: "related", Type: "list", Doc: "IDs of related events, joined with |"},
	evNotes:          {Name: "notes", Type: "string", Doc: "the curator's remarks"},
	evSourceCount:    {Name: "source_count", Type: "integer", Derived: true, Doc: "the number of the event's rows in sources.csv"},
	evPublisherCount: {Name: "publisher_count", Type: "integer", Derived: true, Doc: "the number of distinct publishers among the sources"},
	evIndependent:    {Name: "independent_publishers", Type: "integer", Derived: true, Doc: "distinct publishers that back the event first-hand and are not state media"},
}

var sourceColumns = [numSourceCols]CSVColumn{
	srcEventID:       {Name: "event_id", Type: "string", Required: true, Doc: "the ID of the event the source backs, as in events.csv"},
	srcPublisher:     {Name: "publisher", Type: "string", Required: true, Doc: "who published it"},
	srcKind:          {Name: "kind", Type: "string", Required: true, Enum: vocab(timeline.SourceKinds()), Doc: "what sort of publisher"},
	srcVia:           {Name: "via", Type: "string", Doc: "the publisher whose report this one relays"},
	srcTitle:         {Name: "title", Type: "string", Doc: "the headline or document title"},
	srcURL:           {Name: "url", Type: "string", Doc: "an absolute http or https URL"},
	srcPublished:     {Name: "published", Type: "edtf", Doc: "when it was published, as an EDTF date"},
	srcPublishedDate: {Name: "published_date", Type: "date", Derived: true, Doc: "the first day that published covers"},
	srcAccessed:      {Name: "accessed", Type: "edtf", Doc: "when the curator read it, as an EDTF date"},
	srcLanguage:      {Name: "language", Type: "string", Doc: "BCP 47 language tag of the text"},
	srcQuote:         {Name: "quote", Type: "string", Doc: "a short passage that supports the event"},
	srcGrading:       {Name: "grading", Type: "string", Doc: "Admiralty grade: reliability A-F and credibility 1-6, such as B2"},
	srcReliability:   {Name: "reliability", Type: "string", Derived: true, Enum: []string{"A", "B", "C", "D", "E", "F"}, Doc: "the reliability letter of grading"},
	srcCredibility:   {Name: "credibility", Type: "integer", Derived: true, Doc: "the credibility digit of grading"},
}

// EventColumns returns the columns of events.csv in the order written.
func EventColumns() []CSVColumn { return cloneColumns(eventColumns[:]) }

// SourceColumns returns the columns of sources.csv in the order written.
func SourceColumns() []CSVColumn { return cloneColumns(sourceColumns[:]) }

func cloneColumns(cols []CSVColumn) []CSVColumn {
	out := slices.Clone(cols)
	for i := range out {
		out[i].Enum = slices.Clone(out[i].Enum)
	}
	return out
}

// CSVOptions configures WriteCSV and SaveCSV. The zero value writes
// spreadsheet-safe CSV without a byte order mark.
type CSVOptions struct {
	// BOM starts each file with a UTF-8 byte order mark, which Excel needs
	// to read UTF-8 (Korean text, for one) as UTF-8. Other readers skip it.
	BOM bool
	// RawText writes text cells as they are, without the leading ' that
	// keeps spreadsheets from running them as formulas: for pipelines that
	// never meet a spreadsheet. Such files must be read with
	// CSVReadOptions.RawText; SaveCSV records it for LoadCSV.
	RawText bool
}

const (
	listSep   = '|'
	listEsc   = '\\'
	quoteMark = '\''
	utf8BOM   = "\ufeff"
	flushCSV  = 64 << 10 // bytes buffered per file before a write
)

// WriteCSV writes events.csv to events and sources.csv to sources, taking
// the events from seq in one pass. It buffers about 64 KiB per file (more
// only for an event whose rows are larger), so any number of events streams
// through in bounded memory. It fails, writing no further, on the first write error, and for
// an event that CSV cannot hold: text that is not valid UTF-8, or a list
// (actors, tags, related) of exactly one empty string, which reads back as
// no list; timeline.Validate rejects both.
//
// When ctx is cancelled, WriteCSV stops within a few hundred events and
// returns the context's cause (see UntilError) without writing what it
// holds, so the output lacks its tail: discard it (SaveCSV does).
func WriteCSV(ctx context.Context, events, sources io.Writer, seq iter.Seq[timeline.Event], opts CSVOptions) error {
	w := csvWriter{guard: !opts.RawText}
	if opts.BOM {
		w.ev = append(w.ev, utf8BOM...)
		w.src = append(w.src, utf8BOM...)
	}
	w.ev = appendHeader(w.ev, eventColumns[:])
	w.src = appendHeader(w.src, sourceColumns[:])
	for e := range cancellable(ctx, seq) {
		if err := w.event(&e); err != nil {
			return err
		}
		if len(w.ev) >= flushCSV || len(w.src) >= flushCSV {
			if err := w.flush(events, sources); err != nil {
				return err
			}
		}
	}
	if err := cancelled(ctx); err != nil {
		return fmt.Errorf("export: write csv: %w", err)
	}
	return w.flush(events, sources)
}

// csvWriter appends rows to one reused buffer per file, so that writing a
// row allocates nothing.
type csvWriter struct {
	ev, src []byte // pending bytes of events.csv and sources.csv
	scratch []byte // a list cell before quoting
	guard   bool   // neutralise formula cells
	invalid bool   // a cell was not valid UTF-8
}

func (w *csvWriter) flush(events, sources io.Writer) error {
	if _, err := events.Write(w.ev); err != nil {
		return fmt.Errorf("export: write %s: %w", EventsCSV, err)
	}
	w.ev = w.ev[:0]
	if _, err := sources.Write(w.src); err != nil {
		return fmt.Errorf("export: write %s: %w", SourcesCSV, err)
	}
	w.src = w.src[:0]
	return nil
}

func appendHeader(b []byte, cols []CSVColumn) []byte {
	for i := range cols {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, cols[i].Name...)
	}
	return append(b, '\n')
}

func (w *csvWriter) event(e *timeline.Event) error {
	b := w.ev
	b = w.text(b, e.ID)
	b = w.text(append(b, ','), e.Title)
	b = w.text(append(b, ','), e.Summary)
	b = w.text(append(b, ','), string(e.Kind))
	b = w.text(append(b, ','), string(e.Status))
	b = w.edtf(append(b, ','), e.Start)
	b = w.edtf(append(b, ','), e.End)
	b = e.Start.First().AppendText(append(b, ','))
	b = endDate(e).AppendText(append(b, ','))
	b = append(append(b, ','), e.Start.Precision().String()...)
	b = w.text(append(b, ','), e.Place.Name)
	b = w.text(append(b, ','), e.Place.Country)
	b = append(b, ',')
	if l := e.Place.Location; l != nil {
		b = strconv.AppendFloat(b, l.Lat, 'f', -1, 64)
		b = strconv.AppendFloat(append(b, ','), l.Lon, 'f', -1, 64)
	} else {
		b = append(b, ',')
	}
	b = w.text(append(b, ','), string(e.Place.GeoPrecision))
	var err error
	b = append(b, ',')
	if b, err = w.list(b, len(e.Actors), func(i int) string { return e.Actors[i].Name }); err != nil {
		return eventError(e, "actors", err)
	}
	b = append(b, ',')
	if hasRoles(e.Actors) {
		b, _ = w.list(b, len(e.Actors), func(i int) string { return e.Actors[i].Role })
	}
	b = append(b, ',')
	if b, err = w.list(b, len(e.Tags), func(i int) string { return e.Tags[i] }); err != nil {
		return eventError(e, "tags", err)
	}
	b = append(b, ',')
	if b, err = w.list(b, len(e.Related), func(i int) string { return e.Related[i] }); err != nil {
		return eventError(e, "related", err)
	}
	b = w.text(append(b, ','), e.Notes)
	b = strconv.AppendInt(append(b, ','), int64(len(e.Sources)), 10)
	b = strconv.AppendInt(append(b, ','), int64(e.PublisherCount()), 10)
	b = strconv.AppendInt(append(b, ','), int64(e.IndependentPublishers()), 10)
	w.ev = append(b, '\n')
	if w.invalid {
		return eventError(e, "", errInvalidUTF8)
	}
	for i := range e.Sources {
		w.source(e.ID, &e.Sources[i])
	}
	if w.invalid {
		return eventError(e, "sources", errInvalidUTF8)
	}
	return nil
}

func eventError(e *timeline.Event, field string, err error) error {
	if field != "" {
		return fmt.Errorf("export: CSV cannot hold event %q: %s: %w", e.ID, field, err)
	}
	return fmt.Errorf("export: CSV cannot hold event %q: %w", e.ID, err)
}

func (w *csvWriter) source(id string, s *timeline.Source) {
	b := w.text(w.src, id)
	b = w.text(append(b, ','), s.Publisher)
	b = w.text(append(b, ','), string(s.Kind))
	b = w.text(append(b, ','), s.Via)
	b = w.text(append(b, ','), s.Title)
	b = w.text(append(b, ','), s.URL)
	b = w.edtf(append(b, ','), s.Published)
	b = s.Published.First().AppendText(append(b, ','))
	b = w.edtf(append(b, ','), s.Accessed)
	b = w.text(append(b, ','), s.Language)
	b = w.text(append(b, ','), s.Quote)
	b = append(b, ',')
	if g := [2]byte{s.Grading.Reliability, s.Grading.Credibility}; !s.Grading.IsZero() {
		b = w.bytes(b, g[:])
		b = w.bytes(append(b, ','), g[:1])
		b = w.bytes(append(b, ','), g[1:])
	} else {
		b = append(b, ',', ',')
	}
	w.src = append(b, '\n')
}

// endDate is the last day an event covers, from End if set, else from Start.
func endDate(e *timeline.Event) timeline.Date {
	if !e.End.IsZero() {
		return e.End.Last()
	}
	return e.Start.Last()
}

func hasRoles(actors []timeline.Actor) bool {
	for _, a := range actors {
		if a.Role != "" {
			return true
		}
	}
	return false
}

// text appends a text cell, noting text that is not valid UTF-8.
func (w *csvWriter) text(b []byte, s string) []byte {
	b, ascii := appendCell(b, s, w.guard)
	if !ascii && !utf8.ValidString(s) {
		w.invalid = true
	}
	return b
}

// edtf appends an EDTF date, guarding a year that is uncertain and
// approximate ("1995%"), which spreadsheets read as a percentage.
func (w *csvWriter) edtf(b []byte, d timeline.Date) []byte {
	if w.guard && d.Precision() == timeline.PrecisionYear && d.Qualifier() == timeline.Uncertain|timeline.Approximate {
		b = append(b, quoteMark)
	}
	return d.AppendText(b)
}

// bytes is text for a cell built in a byte slice.
func (w *csvWriter) bytes(b []byte, s []byte) []byte {
	b, ascii := appendCell(b, s, w.guard)
	if !ascii && !utf8.Valid(s) {
		w.invalid = true
	}
	return b
}

var errInvalidUTF8 = errors.New("text is not valid UTF-8")

var errLoneEmpty = errors.New("a list of one empty string reads back as no list")

// list appends the n elements that elem gives as one cell, joined with "|"
// and escaped.
func (w *csvWriter) list(b []byte, n int, elem func(int) string) ([]byte, error) {
	if n == 1 && elem(0) == "" {
		return b, errLoneEmpty
	}
	c := w.scratch[:0]
	for i := range n {
		if i > 0 {
			c = append(c, listSep)
		}
		s := elem(i)
		for j := 0; j < len(s); j++ {
			if s[j] == listSep || s[j] == listEsc {
				c = append(c, listEsc)
			}
			c = append(c, s[j])
		}
	}
	w.scratch = c
	return w.bytes(b, c), nil
}

// appendCell appends s as one CSV field, with a leading ' when guard is set
// and a spreadsheet would take s for a formula, and in quotes when
// encoding/csv would quote it: when it holds a comma, quote, CR or LF,
// starts with a Unicode space, or is `\.`. It reports whether s is all
// ASCII, which it learns on the same pass, so that callers check only other
// text for valid UTF-8.
func appendCell[T string | []byte](b []byte, s T, guard bool) ([]byte, bool) {
	if len(s) == 0 {
		return b, true
	}
	g := guard && isFormula(s)
	special, ascii := scanCell(s)
	quote := special || (!g && (startsWithSpace(s) || (len(s) == 2 && s[0] == '\\' && s[1] == '.')))
	if quote {
		b = append(b, '"')
	}
	if g {
		b = append(b, quoteMark)
	}
	if !quote {
		return append(b, s...), ascii
	}
	start := 0
	for i := 0; i < len(s); i++ {
		if s[i] == '"' {
			b = append(b, s[start:i+1]...)
			b = append(b, '"')
			start = i + 1
		}
	}
	b = append(b, s[start:]...)
	return append(b, '"'), ascii
}

// scanCell reports whether s holds a byte that forces quotes (comma,
// quote, CR, LF), and whether it is all ASCII. It reads eight bytes at a
// time, which doubles WriteCSV's speed over a loop of table look-ups.
func scanCell[T string | []byte](s T) (special, ascii bool) {
	const (
		ones  = 0x0101010101010101
		highs = 0x8080808080808080
	)
	var high uint64
	i := 0
	for ; i+8 <= len(s); i += 8 {
		x := uint64(s[i]) | uint64(s[i+1])<<8 | uint64(s[i+2])<<16 | uint64(s[i+3])<<24 |
			uint64(s[i+4])<<32 | uint64(s[i+5])<<40 | uint64(s[i+6])<<48 | uint64(s[i+7])<<56
		high |= x
		// A byte of x equals c exactly when that byte of x^(c*ones) is
		// zero; (v-ones)&^v&highs finds zero bytes (Hacker's Delight 6-1).
		// Bytes of 0x80 and above may give false hits, which the byte loop
		// below settles.
		hit := uint64(0)
		for _, c := range [...]uint64{',', '"', '\r', '\n'} {
			v := x ^ (c * ones)
			hit |= (v - ones) &^ v
		}
		if hit&highs&^x != 0 {
			for j := i; j < i+8; j++ {
				if needsQuote[s[j]] {
					return true, false
				}
			}
		}
	}
	for ; i < len(s); i++ {
		high |= uint64(s[i])
		if needsQuote[s[i]] {
			return true, false
		}
	}
	return false, high&highs == 0
}

// needsQuote marks the bytes that force a field into quotes.
var needsQuote = [256]bool{',': true, '"': true, '\r': true, '\n': true}

// isFormula reports whether a spreadsheet might run s as a formula, or
// turn it into a percentage (LibreOffice reads the EDTF year "1995%" as
// 19.95), or s starts with the ' that neutralises one (so that stripping
// one ' on read is exact).
func isFormula[T string | []byte](s T) bool {
	if n := len(s); n > 1 && s[n-1] == '%' && isPercentNumber(s[:n-1]) {
		return true
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r', '\n', quoteMark:
		return true
	}
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case ' ', '\t', '\r', '\n':
			continue
		case '=', '+', '-', '@':
			return true
		}
		return false
	}
	return false
}

// isPercentNumber reports whether s is digits with at most one '.', as in 1995
// or 12.5.
func isPercentNumber[T string | []byte](s T) bool {
	digits, dots := 0, 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			digits++
		case c == '.':
			dots++
		default:
			return false
		}
	}
	return digits > 0 && dots <= 1
}

func startsWithSpace[T string | []byte](s T) bool {
	if s[0] < utf8.RuneSelf {
		switch s[0] {
		case ' ', '\t', '\n', '\v', '\f', '\r':
			return true
		}
		return false
	}
	var head [utf8.UTFMax]byte
	n := copy(head[:], s)
	r, _ := utf8.DecodeRune(head[:n])
	return unicode.IsSpace(r)
}
