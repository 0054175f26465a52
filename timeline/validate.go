package timeline

import (
	"errors"
	"fmt"
	"math"
	"net/url"
	"strings"
	"unicode/utf8"
)

// The sentinels that a *ValidationError wraps; errors.Is finds them.
var (
	ErrMissing        = errors.New("required field is empty")
	ErrMalformedID    = errors.New("malformed ID")
	ErrDuplicateID    = errors.New("duplicate ID")
	ErrNoSource       = errors.New("event has no source")
	ErrEndBeforeStart = errors.New("end is before start")
	ErrCoordinates    = errors.New("coordinates out of range")
	ErrCountry        = errors.New("unknown ISO 3166-1 alpha-2 country code")
	ErrURL            = errors.New("not an absolute http or https URL")
	ErrRelated        = errors.New("related event does not exist")
	ErrGrading        = errors.New("invalid Admiralty grading")
	ErrLanguage       = errors.New("malformed BCP 47 language tag")
	ErrUTF8           = errors.New("text is not valid UTF-8")
)

// ValidationError is one problem with one field of one event.
type ValidationError struct {
	EventID string // the event's ID ("" for dataset metadata); for a malformed ID, the ID as given
	Index   int    // the event's position in the input, from 0; -1 for metadata
	Field   string // the field's path: "start", "sources[1].url", "place.location"
	Err     error  // what is wrong; wraps one of the sentinels above
}

func (e *ValidationError) Error() string {
	where := "dataset"
	if e.Index >= 0 {
		where = fmt.Sprintf("event %q (#%d)", e.EventID, e.Index+1)
	}
	return fmt.Sprintf("%s: %s: %v", where, e.Field, e.Err)
}

// Unwrap returns the underlying error.
func (e *ValidationError) Unwrap() error { return e.Err }

// ValidationErrors is every problem that Validate found, in input order.
type ValidationErrors []*ValidationError

func (v ValidationErrors) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "timeline: %d validation problem", len(v))
	if len(v) != 1 {
		b.WriteByte('s')
	}
	for _, e := range v {
		b.WriteString("\n\t")
		b.WriteString(e.Error())
	}
	return b.String()
}

// Unwrap returns the problems, for errors.Is and errors.As.
func (v ValidationErrors) Unwrap() []error {
	out := make([]error, len(v))
	for i, e := range v {
		out[i] = e
	}
	return out
}

// validID reports whether id is lowercase ASCII letters and digits in words
// joined by single hyphens (^[a-z0-9]+(-[a-z0-9]+)*$), at most MaxIDLength
// bytes. A loop, not a regexp: Validate runs it on every event.
func validID(id string) bool {
	if id == "" || len(id) > MaxIDLength {
		return false
	}
	hyphen := true // as if one came before, to refuse a leading hyphen
	for i := 0; i < len(id); i++ {
		switch c := id[i]; {
		case 'a' <= c && c <= 'z', '0' <= c && c <= '9':
			hyphen = false
		case c == '-' && !hyphen:
			hyphen = true
		default:
			return false
		}
	}
	return !hyphen
}

// validLanguage reports whether tag has the shape of a BCP 47 tag: a
// language of 2 or 3 letters, then subtags of 2 to 8 letters or digits
// (^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*$). It does not consult the registry.
func validLanguage(tag string) bool {
	sub, rest, more := strings.Cut(tag, "-")
	if len(sub) < 2 || len(sub) > 3 || !isAlnum(sub, false) {
		return false
	}
	for more {
		sub, rest, more = strings.Cut(rest, "-")
		if len(sub) < 2 || len(sub) > 8 || !isAlnum(sub, true) {
			return false
		}
	}
	return true
}

func isAlnum(s string, digits bool) bool {
	for i := 0; i < len(s); i++ {
		c := s[i] | 0x20 // ASCII lower case; digits keep their value
		if !('a' <= c && c <= 'z') && !(digits && '0' <= s[i] && s[i] <= '9') {
			return false
		}
	}
	return true
}

// MaxIDLength is the longest event ID that validation accepts.
const MaxIDLength = 128

// Validate checks the metadata and events and returns every problem at once
// as ValidationErrors, or nil when there is none.
func Validate(meta Metadata, events []Event) error {
	return validate(meta, events, false)
}

// validate is Validate; utf8Checked skips the UTF-8 checks, for events that
// the JSON decoder has already checked byte by byte.
func validate(meta Metadata, events []Event, utf8Checked bool) error {
	v := validator{utf8Checked: utf8Checked}
	if strings.TrimSpace(meta.Name) == "" {
		v.add("", -1, "name", ErrMissing)
	} else {
		v.text("", -1, "name", meta.Name)
	}
	v.text("", -1, "title", meta.Title)
	v.text("", -1, "description", meta.Description)
	v.text("", -1, "license", meta.License)
	v.text("", -1, "version", meta.Version)
	// First occurrences, so that related IDs resolve and each duplicate
	// names the event it repeats.
	index := make(map[string]int, len(events))
	for i := range events {
		if _, dup := index[events[i].ID]; !dup {
			index[events[i].ID] = i
		}
	}
	for i := range events {
		if first := index[events[i].ID]; first != i {
			v.add(events[i].ID, i, "id", fmt.Errorf("%w: also event #%d", ErrDuplicateID, first+1))
		}
		v.event(&events[i], i, index)
	}
	if len(v.errs) == 0 {
		return nil
	}
	return v.errs
}

type validator struct {
	errs        ValidationErrors
	utf8Checked bool // the text is known to be UTF-8
}

// validUTF8 is utf8.ValidString, or true when the decoder checked the text.
func (v *validator) validUTF8(s string) bool { return v.utf8Checked || utf8.ValidString(s) }

func (v *validator) add(id string, i int, field string, err error) {
	v.errs = append(v.errs, &ValidationError{EventID: id, Index: i, Field: field, Err: err})
}

// text reports text that is not valid UTF-8: JSON and Arrow would replace
// its bad bytes, so it could not round-trip.
func (v *validator) text(id string, i int, field, s string) {
	if !v.validUTF8(s) {
		v.add(id, i, field, fmt.Errorf("%w: %q", ErrUTF8, s))
	}
}

func (v *validator) event(e *Event, i int, index map[string]int) {
	add := func(field string, err error) { v.add(e.ID, i, field, err) }
	switch {
	case e.ID == "":
		add("id", ErrMissing)
	case !validID(e.ID):
		add("id", fmt.Errorf("%w %q: want lowercase letters and digits in words joined by single hyphens, at most %d bytes", ErrMalformedID, e.ID, MaxIDLength))
	}
	if strings.TrimSpace(e.Title) == "" {
		add("title", ErrMissing)
	}
	v.text(e.ID, i, "title", e.Title)
	v.text(e.ID, i, "summary", e.Summary)
	v.text(e.ID, i, "notes", e.Notes)
	if _, err := ParseKind(string(e.Kind)); err != nil {
		add("kind", err)
	}
	if _, err := ParseStatus(string(e.Status)); err != nil {
		add("status", err)
	}
	if e.Start.IsZero() {
		add("start", ErrMissing)
	}
	if !e.End.IsZero() && !e.Start.IsZero() && e.End.Last().Before(e.Start.First()) {
		add("end", fmt.Errorf("%w: %s ends before %s begins", ErrEndBeforeStart, e.End, e.Start))
	}
	v.place(e, i)
	for j, a := range e.Actors {
		if strings.TrimSpace(a.Name) == "" {
			add(fmt.Sprintf("actors[%d].name", j), ErrMissing)
		}
		if !v.validUTF8(a.Name) {
			v.text(e.ID, i, fmt.Sprintf("actors[%d].name", j), a.Name)
		}
		if !v.validUTF8(a.Role) {
			v.text(e.ID, i, fmt.Sprintf("actors[%d].role", j), a.Role)
		}
	}
	for j, t := range e.Tags {
		if strings.TrimSpace(t) == "" {
			add(fmt.Sprintf("tags[%d]", j), ErrMissing)
		}
		if !v.validUTF8(t) {
			v.text(e.ID, i, fmt.Sprintf("tags[%d]", j), t)
		}
	}
	for j, r := range e.Related {
		if _, ok := index[r]; !ok {
			add(fmt.Sprintf("related[%d]", j), fmt.Errorf("%w: %q", ErrRelated, r))
		}
	}
	if len(e.Sources) == 0 {
		add("sources", ErrNoSource)
	}
	for j := range e.Sources {
		v.source(e, i, j)
	}
}

func (v *validator) place(e *Event, i int) {
	p := e.Place
	add := func(field string, err error) { v.add(e.ID, i, field, err) }
	v.text(e.ID, i, "place.name", p.Name)
	if p.Country != "" && !IsCountryCode(p.Country) {
		add("place.country", fmt.Errorf("%w: %q", ErrCountry, p.Country))
	}
	if _, err := ParseGeoPrecision(string(p.GeoPrecision)); err != nil {
		add("place.geo_precision", err)
	}
	if p.Location == nil {
		if p.GeoPrecision != "" {
			add("place.geo_precision", fmt.Errorf("%w: geo precision %q without a location", ErrCoordinates, p.GeoPrecision))
		}
		return
	}
	if l := p.Location; !(l.Lat >= -90 && l.Lat <= 90) || !(l.Lon >= -180 && l.Lon <= 180) || math.IsNaN(l.Lat) || math.IsNaN(l.Lon) {
		add("place.location", fmt.Errorf("%w: %v, %v: want latitude -90 to 90 and longitude -180 to 180", ErrCoordinates, l.Lat, l.Lon))
	}
	if p.GeoPrecision == "" {
		add("place.geo_precision", fmt.Errorf("%w: a location needs a geo precision", ErrMissing))
	}
}

func (v *validator) source(e *Event, i, j int) {
	s := &e.Sources[j]
	add := func(field string, err error) { v.add(e.ID, i, fmt.Sprintf("sources[%d].%s", j, field), err) }
	if strings.TrimSpace(s.Publisher) == "" {
		add("publisher", ErrMissing)
	}
	for _, t := range [...]struct{ field, text string }{
		{"publisher", s.Publisher}, {"via", s.Via}, {"title", s.Title}, {"url", s.URL}, {"quote", s.Quote},
	} {
		if !v.validUTF8(t.text) {
			add(t.field, fmt.Errorf("%w: %q", ErrUTF8, t.text))
		}
	}
	if _, err := ParseSourceKind(string(s.Kind)); err != nil {
		add("kind", err)
	}
	if s.URL != "" {
		if u, err := url.Parse(s.URL); err != nil || !u.IsAbs() || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			add("url", fmt.Errorf("%w: %q", ErrURL, s.URL))
		}
	}
	if s.Language != "" && !validLanguage(s.Language) {
		add("language", fmt.Errorf("%w: %q: want a tag such as en, ko or pt-BR", ErrLanguage, s.Language))
	}
	if !s.Grading.Valid() {
		add("grading", fmt.Errorf("%w: %q: want a reliability A-F and a credibility 1-6, such as B2", ErrGrading, s.Grading))
	}
}
