package timeline

import (
	"slices"
	"strings"
)

// Filter selects events. Filters compose: Select keeps the events that pass
// all of those it is given.
type Filter func(*Event) bool

// OfKind keeps events of any of the given kinds.
func OfKind(kinds ...Kind) Filter {
	return func(e *Event) bool { return slices.Contains(kinds, e.Kind) }
}

// WithStatus keeps events with any of the given statuses.
func WithStatus(statuses ...Status) Filter {
	return func(e *Event) bool { return slices.Contains(statuses, e.Status) }
}

// WithActor keeps events that name the actor (without regard to case).
func WithActor(name string) Filter {
	return func(e *Event) bool { return e.HasActor(name) }
}

// Tagged keeps events that carry the tag (without regard to case).
func Tagged(tag string) Filter {
	return func(e *Event) bool { return e.HasTag(tag) }
}

// InCountry keeps events whose place is in the country with the given
// ISO 3166-1 alpha-2 code (without regard to case).
func InCountry(code string) Filter {
	return func(e *Event) bool { return strings.EqualFold(e.Place.Country, code) }
}

// ReportedBy keeps events with a source from the publisher, first-hand or
// relayed (without regard to case).
func ReportedBy(publisher string) Filter {
	return func(e *Event) bool {
		for i := range e.Sources {
			if strings.EqualFold(e.Sources[i].Publisher, publisher) || strings.EqualFold(e.Sources[i].Via, publisher) {
				return true
			}
		}
		return false
	}
}

// During keeps events that share at least one day with the days from the
// first day of from to the last day of to. A zero from or to leaves that
// side open; a coarse date counts as its whole period, so an event dated
// 2024-11 is kept for any range that touches November 2024.
func During(from, to Date) Filter {
	return func(e *Event) bool { return e.Overlaps(from, to) }
}

// MinIndependentPublishers keeps events backed by at least n independent
// publishers (see Event.IndependentPublishers).
func MinIndependentPublishers(n int) Filter {
	return func(e *Event) bool { return e.IndependentPublishers() >= n }
}
