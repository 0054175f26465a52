package timeline

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// ErrVocabulary is wrapped by every error about a value outside a controlled
// vocabulary (kind, status, source kind, geo precision, grading).
var ErrVocabulary = errors.New("unknown value")

// VocabularyError reports a value that a controlled vocabulary does not hold.
type VocabularyError struct {
	Vocabulary string   // "event kind", "status", ...
	Value      string   // the value as given
	Allowed    []string // every value the vocabulary holds
}

func (e *VocabularyError) Error() string {
	return fmt.Sprintf("timeline: unknown %s %q: want one of %s", e.Vocabulary, e.Value, strings.Join(e.Allowed, ", "))
}

// Unwrap returns ErrVocabulary.
func (e *VocabularyError) Unwrap() error { return ErrVocabulary }

// parseVocab checks s against the allowed values; "" is allowed when
// emptyOK, so that optional fields keep their zero value.
func parseVocab[T ~string](name, s string, allowed []T, emptyOK bool) (T, error) {
	if (s == "" && emptyOK) || slices.Contains(allowed, T(s)) {
		return T(s), nil
	}
	names := make([]string, len(allowed))
	for i, a := range allowed {
		names[i] = string(a)
	}
	return "", &VocabularyError{Vocabulary: name, Value: s, Allowed: names}
}

// Kind is what sort of event happened. The vocabulary is closed: Kinds lists it.
type Kind string

// The event kinds.
const (
	KindWeaponsTest  Kind = "weapons_test"  // a missile, drone or other weapon test
	KindIncursion    Kind = "incursion"     // a crossing into another state's territory, air or waters
	KindAttack       Kind = "attack"        // a strike or armed clash
	KindDeployment   Kind = "deployment"    // forces sent or stationed somewhere
	KindArmsTransfer Kind = "arms_transfer" // weapons or munitions supplied to another party
	KindStatement    Kind = "statement"     // a declaration or speech
	KindOrder        Kind = "order"         // a directive, such as a call for production
	KindAccusation   Kind = "accusation"    // one party accusing another
	KindAgreement    Kind = "agreement"     // a treaty, pact or deal
	KindMeeting      Kind = "meeting"       // a summit, visit or talks
	KindSanction     Kind = "sanction"      // sanctions imposed or lifted
	KindOther        Kind = "other"         // none of the above
)

// Kinds returns every event kind, in a fixed order.
func Kinds() []Kind {
	return []Kind{KindWeaponsTest, KindIncursion, KindAttack, KindDeployment, KindArmsTransfer,
		KindStatement, KindOrder, KindAccusation, KindAgreement, KindMeeting, KindSanction, KindOther}
}

// ParseKind returns the Kind named s, or a *VocabularyError.
func ParseKind(s string) (Kind, error) { return parseVocab("event kind", s, Kinds(), false) }

// UnmarshalText accepts only the names in Kinds.
func (k *Kind) UnmarshalText(b []byte) (err error) { *k, err = ParseKind(string(b)); return }

// Status is how far an event is established.
type Status string

// The statuses, from least to most established, then disputed.
const (
	StatusAlleged   Status = "alleged"   // said by a party with an interest, not shown
	StatusClaimed   Status = "claimed"   // asserted by the actor itself (for example its state media)
	StatusReported  Status = "reported"  // reported by the press, not confirmed independently
	StatusConfirmed Status = "confirmed" // corroborated by independent sources
	StatusDisputed  Status = "disputed"  // contradicted by credible sources
)

// Statuses returns every status, in a fixed order.
func Statuses() []Status {
	return []Status{StatusAlleged, StatusClaimed, StatusReported, StatusConfirmed, StatusDisputed}
}

// ParseStatus returns the Status named s, or a *VocabularyError.
func ParseStatus(s string) (Status, error) { return parseVocab("status", s, Statuses(), false) }

// UnmarshalText accepts only the names in Statuses.
func (s *Status) UnmarshalText(b []byte) (err error) { *s, err = ParseStatus(string(b)); return }

// SourceKind is what sort of publisher a source is.
type SourceKind string

// The source kinds.
const (
	SourceStateMedia  SourceKind = "state_media" // media controlled by a state (KCNA, RIA)
	SourceWire        SourceKind = "wire"        // a news agency (AP, Reuters, Yonhap)
	SourceNewspaper   SourceKind = "newspaper"   // a newspaper or news site
	SourceBroadcaster SourceKind = "broadcaster" // radio or television
	SourceGovernment  SourceKind = "government"  // an official body speaking for itself
	SourceAnalysis    SourceKind = "analysis"    // a think tank, researcher or analyst
	SourceNGO         SourceKind = "ngo"         // a non-governmental organisation
	SourceSocialMedia SourceKind = "social_media"
	SourceOther       SourceKind = "other"
)

// SourceKinds returns every source kind, in a fixed order.
func SourceKinds() []SourceKind {
	return []SourceKind{SourceStateMedia, SourceWire, SourceNewspaper, SourceBroadcaster,
		SourceGovernment, SourceAnalysis, SourceNGO, SourceSocialMedia, SourceOther}
}

// ParseSourceKind returns the SourceKind named s, or a *VocabularyError.
func ParseSourceKind(s string) (SourceKind, error) {
	return parseVocab("source kind", s, SourceKinds(), false)
}

// UnmarshalText accepts only the names in SourceKinds.
func (k *SourceKind) UnmarshalText(b []byte) (err error) {
	*k, err = ParseSourceKind(string(b))
	return
}

// GeoPrecision says how exactly a place's coordinates locate the event, as
// ACLED's geo_precision and UCDP's where_prec do. It is empty when a place
// has no coordinates.
type GeoPrecision string

// The geo precisions, finest first.
const (
	GeoExact    GeoPrecision = "exact"    // the spot itself
	GeoLocality GeoPrecision = "locality" // the town, district or facility
	GeoRegion   GeoPrecision = "region"   // a province or wider area
	GeoCountry  GeoPrecision = "country"  // only the country is known
)

// GeoPrecisions returns every geo precision, finest first.
func GeoPrecisions() []GeoPrecision {
	return []GeoPrecision{GeoExact, GeoLocality, GeoRegion, GeoCountry}
}

// ParseGeoPrecision returns the GeoPrecision named s ("" is allowed), or a
// *VocabularyError.
func ParseGeoPrecision(s string) (GeoPrecision, error) {
	return parseVocab("geo precision", s, GeoPrecisions(), true)
}

// UnmarshalText accepts "" and the names in GeoPrecisions.
func (g *GeoPrecision) UnmarshalText(b []byte) (err error) {
	*g, err = ParseGeoPrecision(string(b))
	return
}

// Grading is a source's grade on the Admiralty (NATO) scale: the reliability
// of the source, A (completely reliable) to F (cannot be judged), and the
// credibility of the information, 1 (confirmed) to 6 (cannot be judged),
// written together as "B2". The zero Grading means ungraded and prints "".
type Grading struct {
	Reliability byte // 'A' to 'F', or 0 when ungraded
	Credibility byte // '1' to '6', or 0 when ungraded
}

// ParseGrading parses "A1" to "F6"; "" gives the zero Grading.
func ParseGrading(s string) (Grading, error) {
	if s == "" {
		return Grading{}, nil
	}
	g := Grading{}
	if len(s) == 2 {
		g = Grading{s[0], s[1]}
	}
	if !g.Valid() {
		return Grading{}, &VocabularyError{Vocabulary: "Admiralty grading", Value: s,
			Allowed: []string{"a reliability A-F followed by a credibility 1-6, such as B2"}}
	}
	return g, nil
}

// Valid reports whether g is ungraded or a grade from A1 to F6.
func (g Grading) Valid() bool {
	return g == Grading{} || ('A' <= g.Reliability && g.Reliability <= 'F' && '1' <= g.Credibility && g.Credibility <= '6')
}

// IsZero reports whether g is ungraded.
func (g Grading) IsZero() bool { return g == Grading{} }

// String returns "B2" for a grade and "" when ungraded. An invalid grading
// prints as its two raw bytes so that validation messages show it.
func (g Grading) String() string {
	if g.IsZero() {
		return ""
	}
	return string([]byte{g.Reliability, g.Credibility})
}

// MarshalText returns the String form of g.
func (g Grading) MarshalText() ([]byte, error) { return []byte(g.String()), nil }

// UnmarshalText parses "A1" to "F6", or "".
func (g *Grading) UnmarshalText(b []byte) (err error) { *g, err = ParseGrading(string(b)); return }
