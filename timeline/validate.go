package timeline

import (
	"errors"
	"fmt"
	"math"
	"net/url"
	"regexp"
	"strings"
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

var (
	idPattern       = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
	languagePattern = regexp.MustCompile(`^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*$`)
)

// MaxIDLength is the longest event ID that validation accepts.
const MaxIDLength = 128

// Validate checks the metadata and events and returns every problem at once
// as ValidationErrors, or nil when there is none.
func Validate(meta Metadata, events []Event) error {
	var v validator
	if strings.TrimSpace(meta.Name) == "" {
		v.add("", -1, "name", ErrMissing)
	}
	index := make(map[string]int, len(events))
	for i := range events {
		if prev, dup := index[events[i].ID]; dup {
			v.add(events[i].ID, i, "id", fmt.Errorf("%w: also event #%d", ErrDuplicateID, prev+1))
			continue
		}
		index[events[i].ID] = i
	}
	for i := range events {
		v.event(&events[i], i, index)
	}
	if len(v) == 0 {
		return nil
	}
	return ValidationErrors(v)
}

type validator ValidationErrors

func (v *validator) add(id string, i int, field string, err error) {
	*v = append(*v, &ValidationError{EventID: id, Index: i, Field: field, Err: err})
}

func (v *validator) event(e *Event, i int, index map[string]int) {
	add := func(field string, err error) { v.add(e.ID, i, field, err) }
	switch {
	case e.ID == "":
		add("id", ErrMissing)
	case len(e.ID) > MaxIDLength || !idPattern.MatchString(e.ID):
		add("id", fmt.Errorf("%w %q: want lowercase letters and digits in words joined by single hyphens, at most %d bytes", ErrMalformedID, e.ID, MaxIDLength))
	}
	if strings.TrimSpace(e.Title) == "" {
		add("title", ErrMissing)
	}
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
	}
	for j, t := range e.Tags {
		if strings.TrimSpace(t) == "" {
			add(fmt.Sprintf("tags[%d]", j), ErrMissing)
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
	if _, err := ParseSourceKind(string(s.Kind)); err != nil {
		add("kind", err)
	}
	if s.URL != "" {
		if u, err := url.Parse(s.URL); err != nil || !u.IsAbs() || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			add("url", fmt.Errorf("%w: %q", ErrURL, s.URL))
		}
	}
	if s.Language != "" && !languagePattern.MatchString(s.Language) {
		add("language", fmt.Errorf("%w: %q: want a tag such as en, ko or pt-BR", ErrLanguage, s.Language))
	}
	if !s.Grading.Valid() {
		add("grading", fmt.Errorf("%w: %q: want a reliability A-F and a credibility 1-6, such as B2", ErrGrading, s.Grading))
	}
}
