package export

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourced-dev/sourced/seeds"
	"github.com/sourced-dev/sourced/timeline"
)

// The -update flag rewrites golden files. Other test files of the package
// may register it too, so it is registered once, by whichever comes first.
func init() {
	if flag.Lookup("update") == nil {
		flag.Bool("update", false, "rewrite the golden files under testdata")
	}
}

func updateGolden() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

// golden compares got with testdata/csv/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", "csv", name)
	if updateGolden() {
		require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
		require.NoError(t, os.WriteFile(path, got, 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run go test -update to create it")
	assert.Equal(t, string(want), string(got), "%s differs; if the change is meant, run go test -update", path)
}

func writeCSVBytes(t testing.TB, events []timeline.Event, opts CSVOptions) ([]byte, []byte) {
	t.Helper()
	var ev, src bytes.Buffer
	require.NoError(t, WriteCSV(context.Background(), &ev, &src, slices.Values(events), opts))
	return ev.Bytes(), src.Bytes()
}

func readCSVBytes(events, sources []byte, opts CSVReadOptions) ([]timeline.Event, error) {
	var out []timeline.Event
	for e, err := range ReadCSV(bytes.NewReader(events), bytes.NewReader(sources), opts) {
		if err != nil {
			return out, err
		}
		out = append(out, e)
	}
	return out, nil
}

func date(s string) timeline.Date { return timeline.MustParseDate(s) }

// csvEdgeEvents are hand-written events that each test a corner of the
// format. Each is valid but for what CSV must carry anyway.
func csvEdgeEvents() []timeline.Event {
	src := func(p string) []timeline.Source {
		return []timeline.Source{{Publisher: p, Kind: timeline.SourceWire}}
	}
	var events []timeline.Event
	// Every precision and qualifier, as start and as end.
	n := 0
	for _, body := range []string{"2024", "2024-02", "2024-02-29"} {
		for _, q := range []string{"", "?", "~", "%"} {
			n++
			events = append(events, timeline.Event{
				ID:    "date-" + strings.ReplaceAll(body, "-", "") + map[string]string{"": "", "?": "-u", "~": "-a", "%": "-ua"}[q],
				Title: "Date " + body + q, Kind: timeline.KindOther, Status: timeline.StatusReported,
				Start: date(body + q), End: date("2025" + q), Sources: src("Reuters"),
			})
		}
	}
	events = append(events,
		timeline.Event{
			ID: "korean", Title: "북한, 자폭형 무인기 성능시험 진행", Summary: "김정은 국무위원장이 현지지도했다.",
			Kind: timeline.KindWeaponsTest, Status: timeline.StatusClaimed, Start: date("2024-11-14"),
			Place:   timeline.Place{Name: "조선민주주의인민공화국", Country: "KP", Location: &timeline.LatLon{Lat: 39.0392, Lon: 125.7625}, GeoPrecision: timeline.GeoRegion},
			Actors:  []timeline.Actor{{Name: "김정은", Role: "감독"}, {Name: "조선인민군"}},
			Tags:    []string{"무인기", "미사일"},
			Notes:   "한국어 메모",
			Sources: []timeline.Source{{Publisher: "조선중앙통신", Kind: timeline.SourceStateMedia, Language: "ko", Published: date("2024-11-15"), Quote: "자폭공격형무인기"}},
		},
		timeline.Event{
			ID: "minimal", Title: "x", Kind: timeline.KindOther, Status: timeline.StatusAlleged, Start: date("0000"),
			Sources: []timeline.Source{{Publisher: "p", Kind: timeline.SourceOther}},
		},
		timeline.Event{
			ID: "separators", Title: `a|b\c`, Summary: `\|\\|`, Kind: timeline.KindStatement, Status: timeline.StatusReported, Start: date("9999-12-31"),
			Actors:  []timeline.Actor{{Name: "a|b", Role: `r\`}, {Name: `\`, Role: "|"}, {Name: "|", Role: ""}, {Name: `\|`, Role: `\\`}},
			Tags:    []string{"|", `\`, "", `||\\`, "end|"},
			Related: []string{"minimal", "a|b", `c\d`},
			Sources: []timeline.Source{{Publisher: `P|Q\R`, Kind: timeline.SourceAnalysis, Title: "t|", Quote: `\`}},
		},
		timeline.Event{
			ID: "roles-empty-first", Title: "Roles", Kind: timeline.KindMeeting, Status: timeline.StatusConfirmed, Start: date("2020-01"),
			Actors:  []timeline.Actor{{Name: "A"}, {Name: "B", Role: "host"}, {Name: "C"}},
			Sources: src("AP"),
		},
		timeline.Event{
			ID: "roles-all-empty", Title: "Roles", Kind: timeline.KindMeeting, Status: timeline.StatusConfirmed, Start: date("2020-01"),
			Actors:  []timeline.Actor{{Name: "A"}, {Name: "B"}},
			Sources: src("AP"),
		},
		timeline.Event{
			ID: "quotes-newlines", Title: `He said "no", twice`, Summary: "line one\nline two\r\nline three\rfour\n",
			Kind: timeline.KindStatement, Status: timeline.StatusReported, Start: date("2021"),
			Place: timeline.Place{Name: "\"Quoted\" place, with comma"},
			Tags:  []string{"a\nb", `"q"`, "c,d", "\r\n"},
			Notes: "\r\n",
			Sources: []timeline.Source{
				{Publisher: "\"AP\"", Kind: timeline.SourceWire, Quote: "\"\"\"", Title: "a\r\nb"},
				{Publisher: "AP", Kind: timeline.SourceWire, Via: "KCNA"},
			},
		},
		timeline.Event{
			ID: "formulas", Title: "=SUM(A1:A2)", Summary: "+1", Notes: "-1",
			Kind: timeline.KindOther, Status: timeline.StatusDisputed, Start: date("1999-09-09"),
			Place:   timeline.Place{Name: "@cmd", Country: "KR", Location: &timeline.LatLon{Lat: -33.5, Lon: -0.000001}, GeoPrecision: timeline.GeoExact},
			Actors:  []timeline.Actor{{Name: "\t=tab", Role: "\r=cr"}, {Name: "\n=lf", Role: "  =spaced"}},
			Tags:    []string{"  =spaced", " \t+x", "=", "-", "+", "@", " ", "\t"},
			Related: []string{"-x", "minimal"},
			Sources: []timeline.Source{
				{Publisher: "=HYPERLINK(\"http://evil\")", Kind: timeline.SourceSocialMedia, Via: "@via", Title: " -title", URL: "https://example.org/=x", Quote: "+quote", Language: "en"},
			},
		},
		timeline.Event{
			ID: "apostrophes", Title: "'quoted", Summary: "''two", Notes: "'",
			Kind: timeline.KindOther, Status: timeline.StatusDisputed, Start: date("1999-09-09"),
			Place:   timeline.Place{Name: "' leading"},
			Actors:  []timeline.Actor{{Name: "'a", Role: "'r"}},
			Tags:    []string{"'", "x'"},
			Sources: []timeline.Source{{Publisher: "'P", Kind: timeline.SourceNGO, Quote: "'"}},
		},
		timeline.Event{
			ID: "spaces", Title: " leading space", Summary: "\u00a0no-break space", Notes: "\u3000ideographic",
			Kind: timeline.KindOther, Status: timeline.StatusReported, Start: date("2000"),
			Place:   timeline.Place{Name: `\.`, Location: &timeline.LatLon{Lat: 0, Lon: 180}, GeoPrecision: timeline.GeoCountry},
			Tags:    []string{" a", "b "},
			Sources: []timeline.Source{{Publisher: " P ", Kind: timeline.SourceNGO, Title: `\.`}},
		},
		timeline.Event{
			ID: "sources", Title: "Every source field", Kind: timeline.KindAccusation, Status: timeline.StatusAlleged,
			Start: date("2024-10"), End: date("2024-11-30"),
			Place: timeline.Place{Name: "Kursk", Country: "RU", Location: &timeline.LatLon{Lat: 51.730846, Lon: 36.193015}, GeoPrecision: timeline.GeoLocality},
			Sources: []timeline.Source{
				{Publisher: "KCNA", Kind: timeline.SourceStateMedia, Published: date("2024-10~"), Accessed: date("2025-01-02"), Language: "ko", Grading: timeline.Grading{Reliability: 'F', Credibility: '6'}},
				{Publisher: "Associated Press", Kind: timeline.SourceWire, Via: "KCNA", Title: "North Korea", URL: "https://apnews.com/x?a=1&b=2", Published: date("2024?"), Accessed: date("2025%"), Language: "en", Quote: "a short passage", Grading: timeline.Grading{Reliability: 'B', Credibility: '2'}},
				{Publisher: "associated press", Kind: timeline.SourceWire, Published: date("2024-11%")},
				{Publisher: "38 North", Kind: timeline.SourceAnalysis, Grading: timeline.Grading{Reliability: 'A', Credibility: '1'}},
			},
		},
	)
	return events
}

func TestCSVRoundTrip(t *testing.T) {
	synthetic := slices.Collect(seeds.Synthetic(3000, seeds.SyntheticOptions{Seed: 7, Hostile: true}))
	seed := seeds.MustLoad().Events()
	tests := []struct {
		name   string
		events []timeline.Event
	}{
		{"edge cases", csvEdgeEvents()},
		{"hostile synthetic", synthetic},
		{"seed dataset", seed},
		{"no events", nil},
	}
	for _, tt := range tests {
		for _, opts := range []CSVOptions{{}, {BOM: true}, {RawText: true}, {BOM: true, RawText: true}} {
			t.Run(tt.name, func(t *testing.T) {
				ev, src := writeCSVBytes(t, tt.events, opts)
				assert.Equal(t, opts.BOM, bytes.HasPrefix(ev, []byte(utf8BOM)))
				assert.Equal(t, opts.BOM, bytes.HasPrefix(src, []byte(utf8BOM)))
				got, err := readCSVBytes(ev, src, CSVReadOptions{RawText: opts.RawText})
				require.NoError(t, err)
				assert.Equal(t, tt.events, got)
			})
		}
	}
}

// TestCSVCRLF reads files whose records end with CR LF, as a spreadsheet
// may save them, to the same events; CR LF inside quoted values is kept.
func TestCSVCRLF(t *testing.T) {
	events := csvEdgeEvents()
	ev, src := writeCSVBytes(t, events, CSVOptions{})
	got, err := readCSVBytes(toCRLF(t, ev), toCRLF(t, src), CSVReadOptions{})
	require.NoError(t, err)
	assert.Equal(t, events, got)
}

// toCRLF turns the LF that ends each record into CR LF, leaving quoted
// values alone.
func toCRLF(t *testing.T, b []byte) []byte {
	t.Helper()
	var out []byte
	inQuotes := false
	for _, c := range b {
		if c == '"' {
			inQuotes = !inQuotes
		}
		if c == '\n' && !inQuotes {
			out = append(out, '\r')
		}
		out = append(out, c)
	}
	require.False(t, inQuotes)
	return out
}

// TestCSVWritersAgree checks WriteCSV's bytes against encoding/csv and
// gocsv writing the same cells: our writer quotes exactly as they do.
func TestCSVWritersAgree(t *testing.T) {
	events := append(csvEdgeEvents(), slices.Collect(seeds.Synthetic(2000, seeds.SyntheticOptions{Seed: 3, Hostile: true}))...)
	ev, src := writeCSVBytes(t, events, CSVOptions{})
	var hev, hsrc, gev, gsrc bytes.Buffer
	require.NoError(t, handWriteCSV(&hev, &hsrc, events))
	require.NoError(t, gocsvWriteCSV(&gev, &gsrc, events))
	assert.Equal(t, hev.String(), string(ev), "encoding/csv events.csv")
	assert.Equal(t, hsrc.String(), string(src), "encoding/csv sources.csv")
	assert.Equal(t, gev.String(), string(ev), "gocsv events.csv")
	assert.Equal(t, gsrc.String(), string(src), "gocsv sources.csv")
}

func TestCSVCells(t *testing.T) {
	tests := []struct {
		in, guarded, raw string
	}{
		{"", "", ""},
		{"plain", "plain", "plain"},
		{"=1+1", "'=1+1", "=1+1"},
		{"+1", "'+1", "+1"},
		{"-1", "'-1", "-1"},
		{"@SUM(A1)", "'@SUM(A1)", "@SUM(A1)"},
		{"\t=x", "'\t=x", "\"\t=x\""},
		{"\rx", "\"'\rx\"", "\"\rx\""},
		{"\nx", "\"'\nx\"", "\"\nx\""},
		{"  =x", "'  =x", `"  =x"`},
		{" \t@x", "' \t@x", "\" \t@x\""},
		{"  x=1", `"  x=1"`, `"  x=1"`},
		{"'", "''", "'"},
		{"'=x", "''=x", "'=x"},
		{"a'", "a'", "a'"},
		{"a=b", "a=b", "a=b"},
		{"-", "'-", "-"},
		{`"q"`, `"""q"""`, `"""q"""`},
		{"a,b", `"a,b"`, `"a,b"`},
		{"=a,b", `"'=a,b"`, `"=a,b"`},
		{`\.`, `"\."`, `"\."`},
		{"\u00a0x", "\"\u00a0x\"", "\"\u00a0x\""},
		{"무인기", "무인기", "무인기"},
		{"1995%", "'1995%", "1995%"},
		{"12.5%", "'12.5%", "12.5%"},
		{"2024-11%", "2024-11%", "2024-11%"},
		{"%", "%", "%"},
		{"up 5%", "up 5%", "up 5%"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			guarded, _ := appendCell(nil, tt.in, true)
			raw, _ := appendCell(nil, tt.in, false)
			assert.Equal(t, tt.guarded, string(guarded))
			assert.Equal(t, tt.raw, string(raw))
		})
	}
}

func TestCSVWriteRefuses(t *testing.T) {
	base := func() timeline.Event {
		return timeline.Event{ID: "e", Title: "t", Kind: timeline.KindOther, Status: timeline.StatusReported, Start: date("2024"),
			Sources: []timeline.Source{{Publisher: "p", Kind: timeline.SourceWire}}}
	}
	tests := []struct {
		name string
		edit func(*timeline.Event)
		want string
	}{
		{"lone empty tag", func(e *timeline.Event) { e.Tags = []string{""} }, `event "e": tags: a list of one empty string`},
		{"lone empty related", func(e *timeline.Event) { e.Related = []string{""} }, `event "e": related: a list of one empty string`},
		{"lone empty actor", func(e *timeline.Event) { e.Actors = []timeline.Actor{{Role: "x"}} }, `event "e": actors: a list of one empty string`},
		{"invalid UTF-8 title", func(e *timeline.Event) { e.Title = "a\xffb" }, `event "e": text is not valid UTF-8`},
		{"invalid UTF-8 quote", func(e *timeline.Event) { e.Sources[0].Quote = "\xc3" }, `event "e": sources: text is not valid UTF-8`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := base()
			tt.edit(&e)
			var ev, src bytes.Buffer
			err := WriteCSV(context.Background(), &ev, &src, slices.Values([]timeline.Event{base(), e}), CSVOptions{})
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}

// TestCSVGolden pins the headers and the seed dataset's files.
func TestCSVGolden(t *testing.T) {
	ev, src := writeCSVBytes(t, seeds.MustLoad().Events(), CSVOptions{})
	evHeader, _, _ := bytes.Cut(ev, []byte("\n"))
	srcHeader, _, _ := bytes.Cut(src, []byte("\n"))
	golden(t, "events-header.csv", append(evHeader, '\n'))
	golden(t, "sources-header.csv", append(srcHeader, '\n'))
	golden(t, "seed-events.csv", ev)
	golden(t, "seed-sources.csv", src)
	d := seeds.MustLoad()
	desc, err := dataPackage(d.Metadata(), CSVOptions{})
	require.NoError(t, err)
	golden(t, "seed-datapackage.json", desc)
}

// TestCSVStreams checks that WriteCSV writes as it goes rather than at
// the end, and stops at the first write error.
func TestCSVStreams(t *testing.T) {
	var ev, src countingWriter
	events := seeds.Synthetic(5000, seeds.SyntheticOptions{})
	require.NoError(t, WriteCSV(context.Background(), &ev, &src, events, CSVOptions{}))
	assert.Greater(t, ev.writes, 10, "events.csv written in pieces")
	assert.Greater(t, src.writes, 10, "sources.csv written in pieces")
	assert.LessOrEqual(t, ev.largest, 2*flushCSV)

	fw := &failingWriter{limit: 100_000}
	err := WriteCSV(context.Background(), fw, &src, events, CSVOptions{})
	require.ErrorIs(t, err, errDiskFull)
	assert.Contains(t, err.Error(), "write events.csv")
}

type countingWriter struct{ writes, largest int }

func (w *countingWriter) Write(p []byte) (int, error) {
	w.writes++
	w.largest = max(w.largest, len(p))
	return len(p), nil
}
