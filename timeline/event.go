package timeline

import (
	"slices"
	"strings"
)

// Event is one dated happening, backed by the sources that report it.
//
// Slices are nil when empty, never empty and non-nil, so that events read
// back from any format compare equal with reflect.DeepEqual.
type Event struct {
	ID      string   `json:"id"`                // a slug unique in the dataset: lowercase letters, digits, single hyphens
	Title   string   `json:"title"`             // a one-line headline
	Summary string   `json:"summary,omitempty"` // what happened, in the curator's words
	Kind    Kind     `json:"kind"`              // what sort of event (see Kinds)
	Status  Status   `json:"status"`            // how far it is established (see Statuses)
	Start   Date     `json:"start"`             // when it happened or began
	End     Date     `json:"end,omitzero"`      // when it ended, for an event that lasted; zero otherwise
	Place   Place    `json:"place,omitzero"`    // where it happened
	Actors  []Actor  `json:"actors,omitempty"`  // who took part, and how
	Tags    []string `json:"tags,omitempty"`    // free keywords
	Related []string `json:"related,omitempty"` // IDs of related events in the same dataset
	Notes   string   `json:"notes,omitempty"`   // the curator's remarks: caveats, analysis, context
	Sources []Source `json:"sources"`           // the citations; at least one
}

// Place is where an event happened.
type Place struct {
	Name         string       `json:"name,omitempty"`          // a name a reader knows, in English
	Country      string       `json:"country,omitempty"`       // ISO 3166-1 alpha-2 code, upper case
	Location     *LatLon      `json:"location,omitempty"`      // coordinates, when known
	GeoPrecision GeoPrecision `json:"geo_precision,omitempty"` // how exact Location is; set exactly when Location is
}

// LatLon is a WGS 84 position in decimal degrees.
type LatLon struct {
	Lat float64 `json:"lat"` // -90 to 90
	Lon float64 `json:"lon"` // -180 to 180
}

// Actor is a party to an event and the part it played.
type Actor struct {
	Name string `json:"name"`           // the party: a state, force, organisation or person
	Role string `json:"role,omitempty"` // its part, in a word or two: "organiser", "target", "observer"
}

// Source is one citation backing an event.
type Source struct {
	Publisher string     `json:"publisher"`          // who published it: "KCNA", "Associated Press"
	Kind      SourceKind `json:"kind"`               // what sort of publisher (see SourceKinds)
	Via       string     `json:"via,omitempty"`      // the publisher whose report this one relays, if it does not report first-hand
	Title     string     `json:"title,omitempty"`    // the headline or document title
	URL       string     `json:"url,omitempty"`      // an absolute http or https URL, only when known to exist
	Published Date       `json:"published,omitzero"` // when it was published
	Accessed  Date       `json:"accessed,omitzero"`  // when the curator read it
	Language  string     `json:"language,omitempty"` // BCP 47 tag of the text: "en", "ko"
	Quote     string     `json:"quote,omitempty"`    // a short passage that supports the event
	Grading   Grading    `json:"grading,omitzero"`   // Admiralty grade, when the curator gives one
}

// Interval returns the event's dates as an EDTF interval.
func (e *Event) Interval() Interval {
	return Interval{Start: e.Start, End: e.End}
}

// Overlaps reports whether the event shares at least one day with the days
// from the first day of from to the last day of to; a zero bound is open.
func (e *Event) Overlaps(from, to Date) bool {
	return e.Interval().Overlaps(from, to)
}

// Originator returns the publisher that reported s first-hand: Via when s
// relays another publisher, else Publisher.
func (s *Source) Originator() string {
	if s.Via != "" {
		return s.Via
	}
	return s.Publisher
}

// Publishers returns the distinct publishers of the event's sources in the
// order they are cited, comparing names without regard to case or
// surrounding space.
func (e *Event) Publishers() []string {
	var out []string
	seen := map[string]bool{}
	for i := range e.Sources {
		p := strings.TrimSpace(e.Sources[i].Publisher)
		k := strings.ToLower(p)
		if p != "" && !seen[k] {
			seen[k] = true
			out = append(out, p)
		}
	}
	return out
}

// IndependentPublishers counts the distinct publishers (without regard to
// case or surrounding space) that report the event first-hand and are not
// state media. State media speak for a party to the event, so they count as
// a claim, not as corroboration. A source that relays another publisher
// (Via) adds nothing: AP repeating KCNA corroborates nothing, and a relayed
// publisher counts only when the event cites it first-hand, so adding a
// source never lowers the count. An event that only KCNA reports, directly
// or relayed, has zero.
func (e *Event) IndependentPublishers() int {
	var seen []string
	for i := range e.Sources {
		s := &e.Sources[i]
		if s.Kind == SourceStateMedia || strings.TrimSpace(s.Via) != "" {
			continue
		}
		k := strings.ToLower(strings.TrimSpace(s.Publisher))
		if k != "" && !slices.Contains(seen, k) {
			seen = append(seen, k)
		}
	}
	return len(seen)
}

// HasActor reports whether an actor of the event is named name (without
// regard to case).
func (e *Event) HasActor(name string) bool {
	for _, a := range e.Actors {
		if strings.EqualFold(a.Name, name) {
			return true
		}
	}
	return false
}

// HasTag reports whether the event carries tag (without regard to case).
func (e *Event) HasTag(tag string) bool {
	for _, t := range e.Tags {
		if strings.EqualFold(t, tag) {
			return true
		}
	}
	return false
}

// Clone returns a deep copy of e, which the caller may change freely.
func (e Event) Clone() Event {
	c := e
	c.Actors = slices.Clone(e.Actors)
	c.Tags = slices.Clone(e.Tags)
	c.Related = slices.Clone(e.Related)
	c.Sources = slices.Clone(e.Sources)
	if e.Place.Location != nil {
		l := *e.Place.Location
		c.Place.Location = &l
	}
	return c
}

// normalize makes empty slices nil, the one canonical form.
func (e *Event) normalize() {
	if len(e.Actors) == 0 {
		e.Actors = nil
	}
	if len(e.Tags) == 0 {
		e.Tags = nil
	}
	if len(e.Related) == 0 {
		e.Related = nil
	}
	if len(e.Sources) == 0 {
		e.Sources = nil
	}
}
