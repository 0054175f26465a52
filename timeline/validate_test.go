package timeline_test

import (
	"math"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourced-dev/sourced/timeline"
)

func TestValidateAcceptsSample(t *testing.T) {
	require.NoError(t, timeline.Validate(sampleMeta, sampleEvents()))
	require.NoError(t, timeline.Validate(timeline.Metadata{Name: "empty"}, nil))
}

// TestValidateRules has one case per rule: a valid event with one thing
// wrong must give exactly one problem, naming the event and field.
func TestValidateRules(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(e *timeline.Event)
		field  string
		err    error
		msg    string // a part of the message, when it says something worth checking
	}{
		{"missing ID", func(e *timeline.Event) { e.ID = "" }, "id", timeline.ErrMissing, ""},
		{"ID with upper case", func(e *timeline.Event) { e.ID = "Drone-Test" }, "id", timeline.ErrMalformedID, `"Drone-Test": want lowercase letters`},
		{"ID with underscore", func(e *timeline.Event) { e.ID = "drone_test" }, "id", timeline.ErrMalformedID, ""},
		{"ID with double hyphen", func(e *timeline.Event) { e.ID = "drone--test" }, "id", timeline.ErrMalformedID, ""},
		{"ID with leading hyphen", func(e *timeline.Event) { e.ID = "-drone" }, "id", timeline.ErrMalformedID, ""},
		{"ID with trailing hyphen", func(e *timeline.Event) { e.ID = "drone-" }, "id", timeline.ErrMalformedID, ""},
		{"ID with space", func(e *timeline.Event) { e.ID = "drone test" }, "id", timeline.ErrMalformedID, ""},
		{"ID not ASCII", func(e *timeline.Event) { e.ID = "무인기" }, "id", timeline.ErrMalformedID, ""},
		{"ID too long", func(e *timeline.Event) { e.ID = strings.Repeat("a", timeline.MaxIDLength+1) }, "id", timeline.ErrMalformedID, "at most 128 bytes"},
		{"no source", func(e *timeline.Event) { e.Sources = nil }, "sources", timeline.ErrNoSource, ""},
		{"empty sources", func(e *timeline.Event) { e.Sources = []timeline.Source{} }, "sources", timeline.ErrNoSource, ""},
		{"missing start", func(e *timeline.Event) { e.Start = timeline.Date{} }, "start", timeline.ErrMissing, ""},
		{"end before start", func(e *timeline.Event) { e.End = timeline.MustParseDate("2024-11-13") }, "end", timeline.ErrEndBeforeStart, "2024-11-13 ends before 2024-11-14 begins"},
		{"end month before start", func(e *timeline.Event) { e.End = timeline.MustParseDate("2024-10~") }, "end", timeline.ErrEndBeforeStart, ""},
		{"latitude above 90", func(e *timeline.Event) { e.Place.Location.Lat = 90.000001 }, "place.location", timeline.ErrCoordinates, "want latitude -90 to 90 and longitude -180 to 180"},
		{"latitude below -90", func(e *timeline.Event) { e.Place.Location.Lat = -91 }, "place.location", timeline.ErrCoordinates, ""},
		{"longitude above 180", func(e *timeline.Event) { e.Place.Location.Lon = 180.5 }, "place.location", timeline.ErrCoordinates, ""},
		{"longitude below -180", func(e *timeline.Event) { e.Place.Location.Lon = -181 }, "place.location", timeline.ErrCoordinates, ""},
		{"latitude NaN", func(e *timeline.Event) { e.Place.Location.Lat = math.NaN() }, "place.location", timeline.ErrCoordinates, "NaN"},
		{"longitude NaN", func(e *timeline.Event) { e.Place.Location.Lon = math.NaN() }, "place.location", timeline.ErrCoordinates, ""},
		{"longitude infinite", func(e *timeline.Event) { e.Place.Location.Lon = math.Inf(1) }, "place.location", timeline.ErrCoordinates, ""},
		{"geo precision without location", func(e *timeline.Event) { e.Place.Location = nil }, "place.geo_precision", timeline.ErrCoordinates, `geo precision "locality" without a location`},
		{"location without geo precision", func(e *timeline.Event) { e.Place.GeoPrecision = "" }, "place.geo_precision", timeline.ErrMissing, "a location needs a geo precision"},
		{"unknown geo precision", func(e *timeline.Event) { e.Place.GeoPrecision = "city" }, "place.geo_precision", timeline.ErrVocabulary, `unknown geo precision "city": want one of exact, locality, region, country`},
		{"unknown country", func(e *timeline.Event) { e.Place.Country = "XX" }, "place.country", timeline.ErrCountry, `"XX"`},
		{"country in lower case", func(e *timeline.Event) { e.Place.Country = "kp" }, "place.country", timeline.ErrCountry, ""},
		{"country alpha-3", func(e *timeline.Event) { e.Place.Country = "PRK" }, "place.country", timeline.ErrCountry, ""},
		{"relative URL", func(e *timeline.Event) { e.Sources[0].URL = "kcnawatch.org/article" }, "sources[0].url", timeline.ErrURL, `"kcnawatch.org/article"`},
		{"absolute path URL", func(e *timeline.Event) { e.Sources[0].URL = "/article/1" }, "sources[0].url", timeline.ErrURL, ""},
		{"ftp URL", func(e *timeline.Event) { e.Sources[0].URL = "ftp://example.org/a" }, "sources[0].url", timeline.ErrURL, ""},
		{"mailto URL", func(e *timeline.Event) { e.Sources[1].URL = "mailto:desk@example.org" }, "sources[1].url", timeline.ErrURL, ""},
		{"javascript URL", func(e *timeline.Event) { e.Sources[0].URL = "javascript:alert(1)" }, "sources[0].url", timeline.ErrURL, ""},
		{"URL without host", func(e *timeline.Event) { e.Sources[0].URL = "https:///path" }, "sources[0].url", timeline.ErrURL, ""},
		{"URL with space in host", func(e *timeline.Event) { e.Sources[0].URL = "https://exa mple.org/" }, "sources[0].url", timeline.ErrURL, ""},
		{"related ID missing", func(e *timeline.Event) { e.Related = []string{"ev", "no-such-event"} }, "related[1]", timeline.ErrRelated, `"no-such-event"`},
		{"grading reliability G", func(e *timeline.Event) { e.Sources[0].Grading = timeline.Grading{Reliability: 'G', Credibility: '1'} }, "sources[0].grading", timeline.ErrGrading, `"G1"`},
		{"grading credibility 7", func(e *timeline.Event) { e.Sources[0].Grading = timeline.Grading{Reliability: 'A', Credibility: '7'} }, "sources[0].grading", timeline.ErrGrading, ""},
		{"grading half set", func(e *timeline.Event) { e.Sources[1].Grading = timeline.Grading{Reliability: 'A'} }, "sources[1].grading", timeline.ErrGrading, ""},
		{"grading lower case", func(e *timeline.Event) { e.Sources[0].Grading = timeline.Grading{Reliability: 'b', Credibility: '2'} }, "sources[0].grading", timeline.ErrGrading, ""},
		{"language word", func(e *timeline.Event) { e.Sources[0].Language = "english" }, "sources[0].language", timeline.ErrLanguage, `"english": want a tag such as en, ko or pt-BR`},
		{"language underscore", func(e *timeline.Event) { e.Sources[0].Language = "en_US" }, "sources[0].language", timeline.ErrLanguage, ""},
		{"language one letter", func(e *timeline.Event) { e.Sources[0].Language = "e" }, "sources[0].language", timeline.ErrLanguage, ""},
		{"language trailing hyphen", func(e *timeline.Event) { e.Sources[1].Language = "en-" }, "sources[1].language", timeline.ErrLanguage, ""},
		{"unknown kind", func(e *timeline.Event) { e.Kind = "launch" }, "kind", timeline.ErrVocabulary, `unknown event kind "launch": want one of weapons_test, incursion,`},
		{"empty kind", func(e *timeline.Event) { e.Kind = "" }, "kind", timeline.ErrVocabulary, ""},
		{"kind in upper case", func(e *timeline.Event) { e.Kind = "ORDER" }, "kind", timeline.ErrVocabulary, ""},
		{"unknown status", func(e *timeline.Event) { e.Status = "rumoured" }, "status", timeline.ErrVocabulary, `unknown status "rumoured"`},
		{"empty status", func(e *timeline.Event) { e.Status = "" }, "status", timeline.ErrVocabulary, ""},
		{"unknown source kind", func(e *timeline.Event) { e.Sources[1].Kind = "blog" }, "sources[1].kind", timeline.ErrVocabulary, `unknown source kind "blog"`},
		{"empty source kind", func(e *timeline.Event) { e.Sources[0].Kind = "" }, "sources[0].kind", timeline.ErrVocabulary, ""},
		{"empty title", func(e *timeline.Event) { e.Title = "" }, "title", timeline.ErrMissing, ""},
		{"blank title", func(e *timeline.Event) { e.Title = " \t\n" }, "title", timeline.ErrMissing, ""},
		{"empty publisher", func(e *timeline.Event) { e.Sources[1].Publisher = "" }, "sources[1].publisher", timeline.ErrMissing, ""},
		{"blank publisher", func(e *timeline.Event) { e.Sources[0].Publisher = "  " }, "sources[0].publisher", timeline.ErrMissing, ""},
		{"empty actor name", func(e *timeline.Event) { e.Actors[1].Name = "" }, "actors[1].name", timeline.ErrMissing, ""},
		{"empty tag", func(e *timeline.Event) { e.Tags[1] = " " }, "tags[1]", timeline.ErrMissing, ""},
		{"title not UTF-8", func(e *timeline.Event) { e.Title = "drone \xff test" }, "title", timeline.ErrUTF8, `"drone \xff test"`},
		{"summary not UTF-8", func(e *timeline.Event) { e.Summary = "\xc3" }, "summary", timeline.ErrUTF8, ""},
		{"notes not UTF-8", func(e *timeline.Event) { e.Notes = "\xed\xa0\x80" }, "notes", timeline.ErrUTF8, ""},
		{"place name not UTF-8", func(e *timeline.Event) { e.Place.Name = "\x80" }, "place.name", timeline.ErrUTF8, ""},
		{"actor role not UTF-8", func(e *timeline.Event) { e.Actors[0].Role = "\xfe" }, "actors[0].role", timeline.ErrUTF8, ""},
		{"tag not UTF-8", func(e *timeline.Event) { e.Tags[0] = "\xfe" }, "tags[0]", timeline.ErrUTF8, ""},
		{"quote not UTF-8", func(e *timeline.Event) { e.Sources[0].Quote = "\xfe" }, "sources[0].quote", timeline.ErrUTF8, ""},
		{"via not UTF-8", func(e *timeline.Event) { e.Sources[1].Via = "KCNA\xfe" }, "sources[1].via", timeline.ErrUTF8, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := fullEvent("ev")
			tt.mutate(&e)
			err := timeline.Validate(sampleMeta, []timeline.Event{minimalEvent("first", "2020"), e})
			require.Error(t, err)
			var all timeline.ValidationErrors
			require.ErrorAs(t, err, &all)
			require.Len(t, all, 1, "%v", err)
			got := all[0]
			assert.Equal(t, e.ID, got.EventID)
			assert.Equal(t, 1, got.Index)
			assert.Equal(t, tt.field, got.Field)
			assert.ErrorIs(t, got, tt.err)
			assert.ErrorIs(t, err, tt.err, "errors.Is sees through ValidationErrors")
			assert.Contains(t, got.Error(), tt.field)
			if tt.msg != "" {
				assert.Contains(t, got.Error(), tt.msg)
			}
			_, err = timeline.New(sampleMeta, []timeline.Event{e})
			assert.ErrorIs(t, err, tt.err, "New validates")
		})
	}
}

func TestValidateAcceptsEdgeValues(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(e *timeline.Event)
	}{
		{"ID of the longest length", func(e *timeline.Event) { e.ID = strings.Repeat("a", timeline.MaxIDLength) }},
		{"ID of digits", func(e *timeline.Event) { e.ID = "2024-11-14" }},
		{"corners of the globe", func(e *timeline.Event) { e.Place.Location = &timeline.LatLon{Lat: -90, Lon: 180} }},
		{"other corner", func(e *timeline.Event) { e.Place.Location = &timeline.LatLon{Lat: 90, Lon: -180} }},
		{"end equal to start", func(e *timeline.Event) { e.End = e.Start }},
		{"coarse end covering the start", func(e *timeline.Event) { e.End = timeline.MustParseDate("2024-11") }},
		{"no place", func(e *timeline.Event) { e.Place = timeline.Place{} }},
		{"http URL", func(e *timeline.Event) { e.Sources[0].URL = "http://example.org/?q=a,b#c" }},
		{"language with region and script", func(e *timeline.Event) { e.Sources[0].Language = "zh-Hant-TW" }},
		{"grading F6", func(e *timeline.Event) { e.Sources[0].Grading = timeline.Grading{Reliability: 'F', Credibility: '6'} }},
		{"related to itself", func(e *timeline.Event) { e.Related = []string{"ev"} }},
		{"every kind of text", func(e *timeline.Event) { e.Title = "=SUM(A1) \"q\" 무인기, беспилотник\r\n\x00" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := fullEvent("ev")
			tt.mutate(&e)
			assert.NoError(t, timeline.Validate(sampleMeta, []timeline.Event{e}))
		})
	}
}

func TestValidateDuplicateIDs(t *testing.T) {
	events := []timeline.Event{minimalEvent("a", "2024"), minimalEvent("b", "2024"), minimalEvent("a", "2025"), minimalEvent("a", "2026")}
	err := timeline.Validate(sampleMeta, events)
	var all timeline.ValidationErrors
	require.ErrorAs(t, err, &all)
	require.Len(t, all, 2)
	for i, want := range []int{2, 3} {
		assert.Equal(t, "a", all[i].EventID)
		assert.Equal(t, want, all[i].Index)
		assert.Equal(t, "id", all[i].Field)
		assert.ErrorIs(t, all[i], timeline.ErrDuplicateID)
		assert.Equal(t, `event "a" (#`+string(rune('1'+want))+`): id: duplicate ID: also event #1`, all[i].Error())
	}
}

func TestValidateMetadata(t *testing.T) {
	err := timeline.Validate(timeline.Metadata{Name: " ", Description: "bad \xff"}, nil)
	var all timeline.ValidationErrors
	require.ErrorAs(t, err, &all)
	require.Len(t, all, 2)
	assert.Equal(t, &timeline.ValidationError{EventID: "", Index: -1, Field: "name", Err: timeline.ErrMissing}, all[0])
	assert.Equal(t, "dataset: name: required field is empty", all[0].Error())
	assert.Equal(t, "description", all[1].Field)
	assert.ErrorIs(t, all[1], timeline.ErrUTF8)
}

// TestValidateReportsEverything gives one dataset many problems and expects
// all of them at once, in input order.
func TestValidateReportsEverything(t *testing.T) {
	ok := minimalEvent("ok", "2024")
	dup := minimalEvent("ok", "2024")
	dup.Sources = nil
	bad := fullEvent("Bad ID")
	bad.End = timeline.MustParseDate("2023")
	bad.Place.Location.Lat = 100
	bad.Place.Country = "ZZ"
	bad.Sources[0].URL = "www.example.org"
	bad.Sources[0].Grading = timeline.Grading{Reliability: 'Z', Credibility: '9'}
	bad.Sources[1].Language = "english"
	bad.Sources[1].Kind = "blog"
	bad.Related = []string{"missing"}
	bad.Kind = "launch"
	bad.Status = "rumoured"
	bad.Title = ""
	bad.Actors[0].Name = ""
	bad.Tags[0] = ""
	bad.Sources[1].Publisher = ""
	nogeo := minimalEvent("no-geo", "2024")
	nogeo.Place.GeoPrecision = timeline.GeoExact
	noprec := minimalEvent("no-precision", "2024")
	noprec.Place.Location = &timeline.LatLon{Lat: math.NaN(), Lon: 0}
	events := []timeline.Event{ok, dup, bad, nogeo, noprec}

	err := timeline.Validate(timeline.Metadata{}, events)
	require.Error(t, err)
	var all timeline.ValidationErrors
	require.ErrorAs(t, err, &all)

	type problem struct {
		id    string
		index int
		field string
		err   error
	}
	want := []problem{
		{"", -1, "name", timeline.ErrMissing},
		{"ok", 1, "id", timeline.ErrDuplicateID},
		{"ok", 1, "sources", timeline.ErrNoSource},
		{"Bad ID", 2, "id", timeline.ErrMalformedID},
		{"Bad ID", 2, "title", timeline.ErrMissing},
		{"Bad ID", 2, "kind", timeline.ErrVocabulary},
		{"Bad ID", 2, "status", timeline.ErrVocabulary},
		{"Bad ID", 2, "end", timeline.ErrEndBeforeStart},
		{"Bad ID", 2, "place.country", timeline.ErrCountry},
		{"Bad ID", 2, "place.location", timeline.ErrCoordinates},
		{"Bad ID", 2, "actors[0].name", timeline.ErrMissing},
		{"Bad ID", 2, "tags[0]", timeline.ErrMissing},
		{"Bad ID", 2, "related[0]", timeline.ErrRelated},
		{"Bad ID", 2, "sources[0].url", timeline.ErrURL},
		{"Bad ID", 2, "sources[0].grading", timeline.ErrGrading},
		{"Bad ID", 2, "sources[1].publisher", timeline.ErrMissing},
		{"Bad ID", 2, "sources[1].kind", timeline.ErrVocabulary},
		{"Bad ID", 2, "sources[1].language", timeline.ErrLanguage},
		{"no-geo", 3, "place.geo_precision", timeline.ErrCoordinates},
		{"no-precision", 4, "place.location", timeline.ErrCoordinates},
		{"no-precision", 4, "place.geo_precision", timeline.ErrMissing},
	}
	require.Len(t, all, len(want), "%v", err)
	for i, w := range want {
		assert.Equal(t, w.id, all[i].EventID, "problem %d", i)
		assert.Equal(t, w.index, all[i].Index, "problem %d", i)
		assert.Equal(t, w.field, all[i].Field, "problem %d", i)
		assert.ErrorIs(t, all[i], w.err, "problem %d", i)
	}

	for _, sentinel := range []error{timeline.ErrMissing, timeline.ErrMalformedID, timeline.ErrDuplicateID,
		timeline.ErrNoSource, timeline.ErrEndBeforeStart, timeline.ErrCoordinates, timeline.ErrCountry,
		timeline.ErrURL, timeline.ErrRelated, timeline.ErrGrading, timeline.ErrLanguage, timeline.ErrVocabulary} {
		assert.ErrorIs(t, err, sentinel)
	}
	var one *timeline.ValidationError
	require.ErrorAs(t, err, &one)
	assert.Equal(t, "", one.EventID, "errors.As finds the first problem")
	assert.Equal(t, "name", one.Field)
	var voc *timeline.VocabularyError
	require.ErrorAs(t, err, &voc)
	assert.Equal(t, "event kind", voc.Vocabulary)
	assert.Equal(t, "launch", voc.Value)

	msg := err.Error()
	assert.True(t, strings.HasPrefix(msg, "timeline: 21 validation problems\n\tdataset: name: required field is empty\n"), msg)
	assert.Contains(t, msg, "\n\tevent \"Bad ID\" (#3): sources[0].url: not an absolute http or https URL: \"www.example.org\"\n")
	assert.Equal(t, len(want)+1, strings.Count(msg, "\n")+1)
}

func TestValidationErrorsSingular(t *testing.T) {
	err := timeline.Validate(timeline.Metadata{}, nil)
	assert.EqualError(t, err, "timeline: 1 validation problem\n\tdataset: name: required field is empty")
}
