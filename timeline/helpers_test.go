package timeline_test

import (
	"flag"

	"github.com/sourced-dev/sourced/timeline"
)

// update rewrites golden files from the code: go test ./timeline -update.
var update = flag.Bool("update", false, "rewrite golden files in testdata")

var sampleMeta = timeline.Metadata{
	Name:        "sample",
	Title:       "A sample of every field",
	Description: "Test data: every field, date precision and qualifier.",
	License:     "CC0-1.0",
	Version:     "0.1.0",
	Updated:     timeline.MustParseDate("2026-11-25"),
}

// fullEvent returns a valid event with every field set.
func fullEvent(id string) timeline.Event {
	return timeline.Event{
		ID:      id,
		Title:   "Kim Jong Un watches a drone test",
		Summary: "Drones flew preset routes and struck targets on land and at sea.",
		Kind:    timeline.KindWeaponsTest,
		Status:  timeline.StatusClaimed,
		Start:   timeline.MustParseDate("2024-11-14"),
		End:     timeline.MustParseDate("2024-11-15?"),
		Place: timeline.Place{
			Name:         "Pyongyang",
			Country:      "KP",
			Location:     &timeline.LatLon{Lat: 39.0392, Lon: 125.7625},
			GeoPrecision: timeline.GeoLocality,
		},
		Actors:  []timeline.Actor{{Name: "Kim Jong Un", Role: "overseer"}, {Name: "North Korea"}},
		Tags:    []string{"drones", "무인기"},
		Related: nil,
		Notes:   "Quotes: \"accurately\"; commas, line\nbreaks and tabs\t.",
		Sources: []timeline.Source{
			{
				Publisher: "KCNA",
				Kind:      timeline.SourceStateMedia,
				Title:     "조선중앙통신",
				URL:       "https://kcnawatch.org/",
				Published: timeline.MustParseDate("2024-11-15"),
				Accessed:  timeline.MustParseDate("2026-11-25"),
				Language:  "ko",
				Quote:     "mass production as soon as possible",
				Grading:   timeline.Grading{Reliability: 'C', Credibility: '3'},
			},
			{Publisher: "Associated Press", Kind: timeline.SourceWire, Via: "KCNA", Published: timeline.MustParseDate("2024-11"), Language: "en"},
		},
	}
}

// minimalEvent returns a valid event with only the required fields.
func minimalEvent(id, start string) timeline.Event {
	return timeline.Event{
		ID:      id,
		Title:   "Event " + id,
		Kind:    timeline.KindOther,
		Status:  timeline.StatusReported,
		Start:   timeline.MustParseDate(start),
		Sources: []timeline.Source{{Publisher: "Reuters", Kind: timeline.SourceWire}},
	}
}

// sampleEvents covers every date precision and qualifier, intervals, places
// with and without coordinates, and the vocabularies.
func sampleEvents() []timeline.Event {
	a := fullEvent("drone-test")
	a.Related = []string{"mass-production-order"}
	b := minimalEvent("mass-production-order", "2024-11-14")
	b.Kind, b.Status = timeline.KindOrder, timeline.StatusClaimed
	b.Actors = []timeline.Actor{{Name: "Kim Jong Un", Role: "speaker"}}
	b.Related = []string{"drone-test"}
	b.Sources = []timeline.Source{{Publisher: "KCNA", Kind: timeline.SourceStateMedia}}
	c := minimalEvent("russia-accusations", "2024-11")
	c.Kind, c.Status = timeline.KindAccusation, timeline.StatusAlleged
	c.Place = timeline.Place{Country: "RU"}
	c.Tags = []string{"Russia", "ukraine-war"}
	d := minimalEvent("icbm-test", "2024-10-31")
	d.Kind, d.Status = timeline.KindWeaponsTest, timeline.StatusConfirmed
	d.Place = timeline.Place{Name: "Pyongyang area", Country: "KP", Location: &timeline.LatLon{Lat: 39, Lon: -0.5}, GeoPrecision: timeline.GeoRegion}
	d.Sources = append(d.Sources, timeline.Source{Publisher: "Joint Chiefs of Staff", Kind: timeline.SourceGovernment, Grading: timeline.Grading{Reliability: 'B', Credibility: '2'}})
	e := minimalEvent("drone-incursion", "2022-12-26")
	e.Kind = timeline.KindIncursion
	e.Place = timeline.Place{Country: "KR"}
	e.Actors = []timeline.Actor{{Name: "North Korea", Role: "initiator"}, {Name: "South Korea", Role: "responder"}}
	f := minimalEvent("year-only", "2024~")
	g := minimalEvent("month-approx", "2023-06%")
	g.End = timeline.MustParseDate("2023-08")
	h := minimalEvent("day-uncertain", "2024-01-01?")
	h.Place = timeline.Place{Name: "Sinpo", Country: "KP", Location: &timeline.LatLon{Lat: 40.0286, Lon: 128.1853}, GeoPrecision: timeline.GeoExact}
	i := minimalEvent("exact-last", "2025")
	i.Place = timeline.Place{Location: &timeline.LatLon{Lat: -90, Lon: 180}, GeoPrecision: timeline.GeoCountry}
	return []timeline.Event{a, b, c, d, e, f, g, h, i}
}
