package timeline

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
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
	n := e.PublisherCount()
	if n == 0 {
		return nil
	}
	out := make([]string, 0, n)
	var seen nameSet
	for i := range e.Sources {
		if p := strings.TrimSpace(e.Sources[i].Publisher); seen.add(p) {
			out = append(out, p)
		}
	}
	return out
}

// PublisherCount returns len(e.Publishers()) without building the list:
// exporters write it for every event.
func (e *Event) PublisherCount() int {
	var seen nameSet
	n := 0
	for i := range e.Sources {
		if seen.add(strings.TrimSpace(e.Sources[i].Publisher)) {
			n++
		}
	}
	return n
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
	var seen nameSet
	n := 0
	for i := range e.Sources {
		s := &e.Sources[i]
		if s.Kind == SourceStateMedia || strings.TrimSpace(s.Via) != "" {
			continue
		}
		if seen.add(strings.TrimSpace(s.Publisher)) {
			n++
		}
	}
	return n
}

// PublisherCounts returns PublisherCount and IndependentPublishers in one
// pass over the sources, for exporters, which write both for every event:
// each publisher is trimmed once and each pair compared once. Past a few
// sources it counts as the two methods do.
func (e *Event) PublisherCounts() (all, independent int) {
	src := e.Sources
	var names [len(nameSet{}.few)]string
	if len(src) > len(names) {
		return e.PublisherCount(), e.IndependentPublishers()
	}
	var firstHand [len(names)]bool // counts toward independent
	for i := range src {
		s := &src[i]
		names[i] = trimSpace(s.Publisher)
		firstHand[i] = s.Kind != SourceStateMedia && (s.Via == "" || trimSpace(s.Via) == "")
	}
	for i, p := range names[:len(src)] {
		if p == "" {
			continue
		}
		newAll, newIndep := true, firstHand[i]
		for j, q := range names[:i] {
			// Most names differ in their first byte: equalLower's first
			// step, without the call.
			if q == "" || q[0]|p[0] < utf8.RuneSelf && lowerASCII(q[0]) != lowerASCII(p[0]) {
				continue
			}
			if (newAll || newIndep && firstHand[j]) && (q == p || equalLower(q, p)) {
				newAll = false
				if firstHand[j] {
					newIndep = false
				}
			}
		}
		if newAll {
			all++
		}
		if newIndep {
			independent++
		}
	}
	return all, independent
}

// trimSpace is strings.TrimSpace, without the call for a name that starts
// and ends with an ASCII byte above the space (none of them is space), as
// most do.
func trimSpace(s string) string {
	if s != "" && s[0]-'!' < utf8.RuneSelf-'!' && s[len(s)-1]-'!' < utf8.RuneSelf-'!' {
		return s
	}
	return strings.TrimSpace(s)
}

// nameSet is a set of publisher names that are equal when strings.ToLower
// makes them equal. It holds the first few names in place and compares them
// without allocating, since an event cites a handful of publishers; past
// that it keys a map by the lower-case name, so that an event with
// thousands of sources still takes linear time.
type nameSet struct {
	few  [8]string
	n    int
	many map[string]struct{}
}

// add adds name and reports whether it was new; the empty name is never
// added.
func (s *nameSet) add(name string) bool {
	if name == "" {
		return false
	}
	if s.many != nil {
		k := strings.ToLower(name)
		if _, ok := s.many[k]; ok {
			return false
		}
		s.many[k] = struct{}{}
		return true
	}
	for _, f := range s.few[:s.n] {
		if equalLower(f, name) {
			return false
		}
	}
	if s.n < len(s.few) {
		s.few[s.n] = name
		s.n++
		return true
	}
	s.many = make(map[string]struct{}, 2*len(s.few))
	for _, f := range s.few {
		s.many[strings.ToLower(f)] = struct{}{}
	}
	s.many[strings.ToLower(name)] = struct{}{}
	return true
}

// equalLower reports whether strings.ToLower(a) == strings.ToLower(b),
// without allocating. strings.EqualFold is not the same test: it folds
// 'İ' apart from "i", which ToLower maps together. ToLower lowers each rune
// (an invalid byte becomes U+FFFD), and UTF-8 encodes a sequence of runes
// one way only, so comparing the lowered runes one by one is equivalent.
func equalLower(a, b string) bool {
	for a != "" && b != "" {
		if ca, cb := a[0], b[0]; ca|cb < utf8.RuneSelf {
			if lowerASCII(ca) != lowerASCII(cb) {
				return false
			}
			a, b = a[1:], b[1:]
			continue
		}
		ra, na := utf8.DecodeRuneInString(a)
		rb, nb := utf8.DecodeRuneInString(b)
		if unicode.ToLower(ra) != unicode.ToLower(rb) {
			return false
		}
		a, b = a[na:], b[nb:]
	}
	return a == "" && b == ""
}

func lowerASCII(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
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
