package export

// Two other ways to write the same events.csv and sources.csv, the
// baselines of BenchmarkWriteCSV and, in TestCSVWritersAgree, oracles that
// WriteCSV's bytes must equal: a hand-written encoding/csv loop, and gocsv
// used the obvious way (tagged row structs, lists through a
// TypeMarshaller), both through a csv.Writer of our own, never gocsv's
// global one.

import (
	"encoding/csv"
	"io"
	"strconv"
	"strings"

	"github.com/gocarina/gocsv"

	"github.com/sourced-dev/sourced/timeline"
)

// guardText is the formula guard as a plain string function.
func guardText(s string) string {
	if s != "" && isFormula(s) {
		return "'" + s
	}
	return s
}

// joinList joins and escapes a list cell, then guards it.
func joinList(elems []string) string {
	var b strings.Builder
	for i, s := range elems {
		if i > 0 {
			b.WriteByte('|')
		}
		for j := 0; j < len(s); j++ {
			if s[j] == '|' || s[j] == '\\' {
				b.WriteByte('\\')
			}
			b.WriteByte(s[j])
		}
	}
	return guardText(b.String())
}

func actorNames(e *timeline.Event) []string {
	var out []string
	for _, a := range e.Actors {
		out = append(out, a.Name)
	}
	return out
}

func actorRoles(e *timeline.Event) []string {
	var out []string
	for _, a := range e.Actors {
		out = append(out, a.Role)
	}
	if !hasRoles(e.Actors) {
		return nil
	}
	return out
}

func gradeParts(g timeline.Grading) (string, string) {
	if g.IsZero() {
		return "", ""
	}
	return string(rune(g.Reliability)), string(rune(g.Credibility))
}

func eventColumnNames() []string {
	var out []string
	for _, c := range EventColumns() {
		out = append(out, c.Name)
	}
	return out
}

func sourceColumnNames() []string {
	var out []string
	for _, c := range SourceColumns() {
		out = append(out, c.Name)
	}
	return out
}

// handWriteCSV writes the two files with encoding/csv, a record of
// strings per row.
func handWriteCSV(events, sources io.Writer, evs []timeline.Event) error {
	ew, sw := csv.NewWriter(events), csv.NewWriter(sources)
	if err := ew.Write(eventColumnNames()); err != nil {
		return err
	}
	if err := sw.Write(sourceColumnNames()); err != nil {
		return err
	}
	rec := make([]string, numEventCols)
	srec := make([]string, numSourceCols)
	for i := range evs {
		e := &evs[i]
		var lat, lon string
		if l := e.Place.Location; l != nil {
			lat = strconv.FormatFloat(l.Lat, 'f', -1, 64)
			lon = strconv.FormatFloat(l.Lon, 'f', -1, 64)
		}
		rec = append(rec[:0], guardText(e.ID), guardText(e.Title), guardText(e.Summary),
			guardText(string(e.Kind)), guardText(string(e.Status)),
			guardText(e.Start.String()), guardText(e.End.String()), e.Start.First().String(), endDate(e).String(),
			e.Start.Precision().String(), guardText(e.Place.Name), guardText(e.Place.Country),
			lat, lon, guardText(string(e.Place.GeoPrecision)),
			joinList(actorNames(e)), joinList(actorRoles(e)), joinList(e.Tags), joinList(e.Related),
			guardText(e.Notes), strconv.Itoa(len(e.Sources)), strconv.Itoa(len(e.Publishers())),
			strconv.Itoa(e.IndependentPublishers()))
		if err := ew.Write(rec); err != nil {
			return err
		}
		for j := range e.Sources {
			s := &e.Sources[j]
			rel, cred := gradeParts(s.Grading)
			srec = append(srec[:0], guardText(e.ID), guardText(s.Publisher), guardText(string(s.Kind)),
				guardText(s.Via), guardText(s.Title), guardText(s.URL), guardText(s.Published.String()),
				s.Published.First().String(), guardText(s.Accessed.String()), guardText(s.Language),
				guardText(s.Quote), s.Grading.String(), rel, cred)
			if err := sw.Write(srec); err != nil {
				return err
			}
		}
	}
	ew.Flush()
	sw.Flush()
	if err := ew.Error(); err != nil {
		return err
	}
	return sw.Error()
}

// text is a text cell for gocsv: its TypeMarshaller adds the formula guard.
type text string

func (t text) MarshalCSV() (string, error) { return guardText(string(t)), nil }

// edtf is an EDTF cell for gocsv: "1995%" gets the guard too.
type edtf timeline.Date

func (d edtf) MarshalCSV() (string, error) { return guardText(timeline.Date(d).String()), nil }

// list is a list cell for gocsv, which would write a slice as JSON.
type list []string

func (l list) MarshalCSV() (string, error) { return joinList(l), nil }

type gocsvEventRow struct {
	ID                    text               `csv:"id"`
	Title                 text               `csv:"title"`
	Summary               text               `csv:"summary"`
	Kind                  timeline.Kind      `csv:"kind"`
	Status                timeline.Status    `csv:"status"`
	Start                 edtf               `csv:"start"`
	End                   edtf               `csv:"end"`
	StartDate             timeline.Date      `csv:"start_date"`
	EndDate               timeline.Date      `csv:"end_date"`
	Precision             timeline.Precision `csv:"precision"`
	PlaceName             text               `csv:"place_name"`
	Country               text               `csv:"country"`
	Lat                   *float64           `csv:"lat"`
	Lon                   *float64           `csv:"lon"`
	GeoPrecision          text               `csv:"geo_precision"`
	Actors                list               `csv:"actors"`
	ActorRoles            list               `csv:"actor_roles"`
	Tags                  list               `csv:"tags"`
	Related               list               `csv:"related"`
	Notes                 text               `csv:"notes"`
	SourceCount           int                `csv:"source_count"`
	PublisherCount        int                `csv:"publisher_count"`
	IndependentPublishers int                `csv:"independent_publishers"`
}

type gocsvSourceRow struct {
	EventID       text                `csv:"event_id"`
	Publisher     text                `csv:"publisher"`
	Kind          timeline.SourceKind `csv:"kind"`
	Via           text                `csv:"via"`
	Title         text                `csv:"title"`
	URL           text                `csv:"url"`
	Published     edtf                `csv:"published"`
	PublishedDate timeline.Date       `csv:"published_date"`
	Accessed      edtf                `csv:"accessed"`
	Language      text                `csv:"language"`
	Quote         text                `csv:"quote"`
	Grading       timeline.Grading    `csv:"grading"`
	Reliability   string              `csv:"reliability"`
	Credibility   string              `csv:"credibility"`
}

// gocsvWriteCSV converts the events to row structs and marshals them.
func gocsvWriteCSV(events, sources io.Writer, evs []timeline.Event) error {
	rows := make([]gocsvEventRow, 0, len(evs))
	var srows []gocsvSourceRow
	for i := range evs {
		e := &evs[i]
		r := gocsvEventRow{
			ID: text(e.ID), Title: text(e.Title), Summary: text(e.Summary), Kind: e.Kind, Status: e.Status,
			Start: edtf(e.Start), End: edtf(e.End), StartDate: e.Start.First(), EndDate: endDate(e), Precision: e.Start.Precision(),
			PlaceName: text(e.Place.Name), Country: text(e.Place.Country), GeoPrecision: text(e.Place.GeoPrecision),
			Actors: actorNames(e), ActorRoles: actorRoles(e), Tags: e.Tags, Related: e.Related, Notes: text(e.Notes),
			SourceCount: len(e.Sources), PublisherCount: len(e.Publishers()), IndependentPublishers: e.IndependentPublishers(),
		}
		if l := e.Place.Location; l != nil {
			r.Lat, r.Lon = &l.Lat, &l.Lon
		}
		rows = append(rows, r)
		for j := range e.Sources {
			s := &e.Sources[j]
			rel, cred := gradeParts(s.Grading)
			srows = append(srows, gocsvSourceRow{
				EventID: text(e.ID), Publisher: text(s.Publisher), Kind: s.Kind, Via: text(s.Via), Title: text(s.Title),
				URL: text(s.URL), Published: edtf(s.Published), PublishedDate: s.Published.First(), Accessed: edtf(s.Accessed),
				Language: text(s.Language), Quote: text(s.Quote), Grading: s.Grading, Reliability: rel, Credibility: cred,
			})
		}
	}
	if err := gocsv.MarshalCSV(rows, gocsv.NewSafeCSVWriter(csv.NewWriter(events))); err != nil {
		return err
	}
	return gocsv.MarshalCSV(srows, gocsv.NewSafeCSVWriter(csv.NewWriter(sources)))
}
