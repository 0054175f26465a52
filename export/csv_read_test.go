package export

import (
	"bytes"
	"errors"
	"io"
	"math/rand/v2"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourced-dev/sourced/timeline"
)

// readErrBase is the pair of events that the reader error cases edit.
func readErrBase() []timeline.Event {
	return []timeline.Event{
		{
			ID: "a", Title: "Alpha", Summary: "two\nlines", Kind: timeline.KindOther, Status: timeline.StatusReported, Start: date("2024-11-14"),
			Place:  timeline.Place{Name: "Seoul", Country: "KR", Location: &timeline.LatLon{Lat: 37.5, Lon: 127}, GeoPrecision: timeline.GeoLocality},
			Actors: []timeline.Actor{{Name: "North Korea", Role: "initiator"}}, Tags: []string{"x", "y"},
			Sources: []timeline.Source{
				{Publisher: "AP", Kind: timeline.SourceWire, Published: date("2024-11"), Grading: timeline.Grading{Reliability: 'B', Credibility: '2'}},
				{Publisher: "KCNA", Kind: timeline.SourceStateMedia},
			},
		},
		{
			ID: "b", Title: "Beta", Kind: timeline.KindStatement, Status: timeline.StatusClaimed, Start: date("2024-12"),
			Sources: []timeline.Source{{Publisher: "Reuters", Kind: timeline.SourceWire}},
		},
	}
}

func TestReadCSVErrors(t *testing.T) {
	baseEv, baseSrc := writeCSVBytes(t, readErrBase(), CSVOptions{})
	tests := []struct {
		name     string
		file     string // "events" or "sources": the file to edit
		old, new string // the edit: the first old becomes new
		opts     CSVReadOptions
		wantFile string
		row      int
		line     int
		column   string
		sentinel error
		message  string
	}{
		{"text after a closing quote", "events", "lines\",", "lines\"x,", CSVReadOptions{}, "events.csv", 1, 3, "summary", ErrCorrupt, "neither doubled nor followed by a comma"},
		{"quoted field never closed", "events", ",1,1,1\n", ",1,1,\"1\n", CSVReadOptions{}, "events.csv", 2, 4, "independent_publishers", ErrCorrupt, "never closed"},
		{"bare quote", "events", "Beta", "Be\"ta", CSVReadOptions{}, "events.csv", 2, 4, "title", ErrCorrupt, "a quote (\") inside a field"},
		{"wrong field count", "events", "b,Beta,,statement", "b,Beta,statement", CSVReadOptions{}, "events.csv", 2, 4, "", ErrCorrupt, "22 fields, but the header has 23"},
		{"invalid UTF-8", "events", "Beta", "Be\xffta", CSVReadOptions{}, "events.csv", 2, 4, "title", ErrCorrupt, "not valid UTF-8"},
		{"bad date", "events", ",2024-12,", ",2024-13,", CSVReadOptions{}, "events.csv", 2, 4, "start", ErrValue, "month between 01 and 12"},
		{"bad kind", "events", "statement", "speech", CSVReadOptions{}, "events.csv", 2, 4, "kind", ErrValue, `"speech": want one of weapons_test,`},
		{"lat=abc", "events", "37.5", "abc", CSVReadOptions{}, "events.csv", 1, 3, "lat", ErrValue, `"abc": want a decimal number`},
		{"lat=NaN", "events", "37.5", "NaN", CSVReadOptions{}, "events.csv", 1, 3, "lat", ErrValue, "want a decimal number"},
		{"lat=0x10", "events", "37.5", "0x10", CSVReadOptions{}, "events.csv", 1, 3, "lat", ErrValue, "want a decimal number"},
		{"lat out of range", "events", "37.5", "1e999", CSVReadOptions{}, "events.csv", 1, 3, "lat", ErrValue, "out of range"},
		{"lat without lon", "events", "37.5,127", "37.5,", CSVReadOptions{}, "events.csv", 1, 3, "lon", ErrValue, "give both or neither"},
		{"source_count=010", "events", ",,,2,2,1", ",,,010,2,1", CSVReadOptions{}, "events.csv", 1, 3, "source_count", ErrValue, `"010": want a base-10 integer without leading zeros`},
		{"source_count too low", "events", ",,,2,2,1", ",,,1,2,1", CSVReadOptions{}, "events.csv", 1, 3, "source_count", ErrValue, `1, but sources.csv has 2 row(s) for "a"`},
		{"source_count too high", "events", ",,,2,2,1", ",,,3,2,1", CSVReadOptions{}, "sources.csv", 3, 4, "event_id", ErrValue, `event_id "b" where 1 more source(s) of "a"`},
		{"publisher_count edited", "events", ",,,2,2,1", ",,,2,1,1", CSVReadOptions{}, "events.csv", 1, 3, "publisher_count", ErrValue, `"1", but the columns it derives from give "2"`},
		{"start_date edited", "events", "2024-12-01", "2024-12-02", CSVReadOptions{}, "events.csv", 2, 4, "start_date", ErrValue, `"2024-12-02", but the columns it derives from give "2024-12-01"`},
		{"end_date edited", "events", "2024-12-31", "2024-12-30", CSVReadOptions{}, "events.csv", 2, 4, "end_date", ErrValue, "derives from"},
		{"precision edited", "events", ",month,", ",day,", CSVReadOptions{}, "events.csv", 2, 4, "precision", ErrValue, "derives from"},
		{"bad escape", "events", "x|y", `x\y`, CSVReadOptions{}, "events.csv", 1, 3, "tags", ErrValue, `a \ that is not followed by | or \`},
		{"roles for no actor", "events", "initiator", "initiator|target", CSVReadOptions{}, "events.csv", 1, 3, "actor_roles", ErrValue, "2 role(s) for 1 actor(s)"},
		{"missing column", "events", "id,title,summary", "id,summary", CSVReadOptions{}, "events.csv", 0, 1, "title", ErrSchema, `missing required column(s) "title"`},
		{"duplicate column", "events", "tags,related", "tags,tags", CSVReadOptions{}, "events.csv", 0, 1, "tags", ErrSchema, `duplicate column(s) "tags"`},
		{"unknown column", "events", ",notes,", ",colour,", CSVReadOptions{}, "events.csv", 0, 1, "colour", ErrSchema, `unknown column(s) "colour"`},
		{"several header faults", "events", "id,title,summary,kind", "id,Title,summary,summary", CSVReadOptions{}, "events.csv", 0, 1, "title", ErrSchema, `missing required column(s) "title", "kind"; duplicate column(s) "summary"; unknown column(s) "Title"`},
		{"empty events file", "events", string(baseEv), "", CSVReadOptions{}, "events.csv", 0, 1, "", ErrSchema, "no header row"},
		{"empty sources file", "sources", string(baseSrc), "\n\n", CSVReadOptions{}, "sources.csv", 0, 1, "", ErrSchema, "no header row"},
		{"field beyond the limit", "events", "Beta", strings.Repeat("β", 501), CSVReadOptions{MaxFieldBytes: 1000}, "events.csv", 2, 4, "title", ErrLimit, "more than 1000 bytes"},
		{"too many columns", "events", "", "", CSVReadOptions{MaxColumns: 10}, "events.csv", 0, 1, "", ErrLimit, "more than 10 fields"},
		{"file names from options", "events", "Beta", "Be\"ta", CSVReadOptions{EventsFile: "dir/ev.csv"}, "dir/ev.csv", 2, 4, "title", ErrCorrupt, ""},
		{"sources out of order", "sources", "a,KCNA,state_media,,,,,,,,,,,\nb,Reuters,wire,,,,,,,,,,,\n", "b,Reuters,wire,,,,,,,,,,,\na,KCNA,state_media,,,,,,,,,,,\n", CSVReadOptions{}, "sources.csv", 2, 3, "event_id", ErrValue, `event_id "b" where 1 more source(s) of "a"`},
		{"unknown event_id", "sources", "b,Reuters,wire,,,,,,,,,,,\n", "b,Reuters,wire,,,,,,,,,,,\nc,X,wire,,,,,,,,,,,\n", CSVReadOptions{}, "sources.csv", 4, 5, "event_id", ErrValue, `event_id "c" matches no event`},
		{"bad grading", "sources", "B2,B,2", "Z9,B,2", CSVReadOptions{}, "sources.csv", 1, 2, "grading", ErrValue, `unknown Admiralty grading "Z9"`},
		{"reliability edited", "sources", "B2,B,2", "B2,C,2", CSVReadOptions{}, "sources.csv", 1, 2, "reliability", ErrValue, "derives from"},
		{"bad source kind", "sources", "state_media", "tv", CSVReadOptions{}, "sources.csv", 2, 3, "kind", ErrValue, `"tv": want one of state_media,`},
		{"bad published date", "sources", ",2024-11,", ",2024-11-31,", CSVReadOptions{}, "sources.csv", 1, 2, "published", ErrValue, "day between 01 and 30"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev, src := string(baseEv), string(baseSrc)
			target := &ev
			if tt.file == "sources" {
				target = &src
			}
			require.Contains(t, *target, tt.old)
			*target = strings.Replace(*target, tt.old, tt.new, 1)
			events, err := readCSVBytes([]byte(ev), []byte(src), tt.opts)
			require.Error(t, err, "read %d events", len(events))
			var re *ReadError
			require.ErrorAs(t, err, &re)
			assert.Equal(t, "csv", re.Format)
			assert.Equal(t, tt.wantFile, re.File)
			assert.Equal(t, tt.row, re.Row, "row")
			assert.Equal(t, tt.line, re.Line, "line")
			assert.Equal(t, tt.column, re.Column, "column")
			assert.Equal(t, -1, re.Batch)
			assert.ErrorIs(t, err, tt.sentinel)
			assert.Contains(t, err.Error(), tt.message)
		})
	}
}

// TestReadCSVBoundedMemory feeds a field that never ends: the reader stops
// at the limit instead of reading on.
func TestReadCSVBoundedMemory(t *testing.T) {
	ev, src := writeCSVBytes(t, readErrBase(), CSVOptions{})
	header, _, _ := bytes.Cut(ev, []byte("\n"))
	for _, quoted := range []string{"", `"`} {
		endless := io.MultiReader(strings.NewReader(string(header)+"\na,"+quoted), endlessReader{})
		_, err := readCSVBytesFrom(endless, bytes.NewReader(src), CSVReadOptions{})
		var re *ReadError
		require.ErrorAs(t, err, &re)
		assert.ErrorIs(t, err, ErrLimit)
		assert.Equal(t, 1, re.Row)
		assert.Equal(t, 2, re.Line)
		assert.Equal(t, "title", re.Column)
	}
}

// TestReadCSVHostileSizes feeds, with the default limits, a gigabyte
// field and a header of a million columns, both made as they are read: the
// reader stops at its limit with ErrLimit, having allocated a few times
// the limit, not the input.
func TestReadCSVHostileSizes(t *testing.T) {
	ev, src := writeCSVBytes(t, readErrBase(), CSVOptions{})
	header, _, _ := bytes.Cut(ev, []byte("\n"))
	for _, tc := range []struct {
		name   string
		events io.Reader
		line   int
		column string
		want   string
	}{
		{"a gigabyte field", io.MultiReader(strings.NewReader(string(header)+"\na,\""), io.LimitReader(endlessReader{}, 1<<30)), 2, "title", "more than 1048576 bytes"},
		{"a million columns", io.LimitReader(repeatReader("a,"), 2<<20), 1, "", "more than 64 fields"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			_, err := readCSVBytesFrom(tc.events, bytes.NewReader(src), CSVReadOptions{})
			runtime.ReadMemStats(&after)
			var re *ReadError
			require.ErrorAs(t, err, &re)
			assert.ErrorIs(t, err, ErrLimit)
			assert.Equal(t, tc.line, re.Line)
			assert.Equal(t, tc.column, re.Column)
			assert.ErrorContains(t, err, tc.want)
			assert.Less(t, after.TotalAlloc-before.TotalAlloc, uint64(16<<20), "bytes allocated")
		})
	}
}

// repeatReader yields its text over and over.
type repeatReader string

func (r repeatReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = r[i%len(r)]
	}
	return len(p) - len(p)%len(r), nil
}

type endlessReader struct{}

func (endlessReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 'x'
	}
	return len(p), nil
}

func readCSVBytesFrom(events, sources io.Reader, opts CSVReadOptions) ([]timeline.Event, error) {
	var out []timeline.Event
	for e, err := range ReadCSV(events, sources, opts) {
		if err != nil {
			return out, err
		}
		out = append(out, e)
	}
	return out, nil
}

func TestReadCSVReadError(t *testing.T) {
	ev, src := writeCSVBytes(t, readErrBase(), CSVOptions{})
	broken := errors.New("connection reset")
	r := io.MultiReader(bytes.NewReader(ev[:len(ev)-10]), &errReader{broken})
	_, err := readCSVBytesFrom(r, bytes.NewReader(src), CSVReadOptions{})
	var re *ReadError
	require.ErrorAs(t, err, &re)
	assert.ErrorIs(t, err, broken)
	assert.ErrorIs(t, err, ErrCorrupt)
	assert.Equal(t, 2, re.Row)
}

type errReader struct{ err error }

func (r *errReader) Read([]byte) (int, error) { return 0, r.err }

// TestReadCSVLenient reads what other tools may write: CR LF and a BOM,
// blank lines, columns in another order, derived and optional columns
// left out, numbers in other decimal forms, and a ' before a formula.
func TestReadCSVLenient(t *testing.T) {
	want := []timeline.Event{{
		ID: "a", Title: "=Alpha", Kind: timeline.KindOther, Status: timeline.StatusReported, Start: date("2024-11-14"),
		Place:   timeline.Place{Location: &timeline.LatLon{Lat: -0.5, Lon: 1250}, GeoPrecision: timeline.GeoExact},
		Sources: []timeline.Source{{Publisher: "AP", Kind: timeline.SourceWire}, {Publisher: "KCNA", Kind: timeline.SourceStateMedia}},
	}, {
		ID: "b", Title: "Beta", Kind: timeline.KindOther, Status: timeline.StatusReported, Start: date("2024"),
	}, {
		ID: "c", Title: "Gamma", Kind: timeline.KindOther, Status: timeline.StatusReported, Start: date("2024"),
		Sources: []timeline.Source{{Publisher: "Reuters", Kind: timeline.SourceWire}},
	}}
	ev := "\ufeffstatus,kind,title,id,start,lon,lat,geo_precision\r\n\r\n" +
		"reported,other,'=Alpha,a,2024-11-14,1.25e3,-0.50,exact\r\n" +
		"reported,other,Beta,b,2024,,,\r\n" +
		"reported,other,Gamma,c,2024,,,"
	src := "kind,event_id,publisher\n" +
		"wire,a,AP\nstate_media,a,KCNA\n\n" +
		"wire,c,Reuters\n"
	got, err := readCSVBytes([]byte(ev), []byte(src), CSVReadOptions{})
	require.NoError(t, err)
	assert.Equal(t, want, got)
}

func TestReadCSVStopsEarly(t *testing.T) {
	ev, src := writeCSVBytes(t, readErrBase(), CSVOptions{})
	n := 0
	for range ReadCSV(bytes.NewReader(ev), bytes.NewReader(src), CSVReadOptions{}) {
		n++
		break
	}
	assert.Equal(t, 1, n)
}

func TestIndexStop(t *testing.T) {
	for _, s := range []string{"", "a", ",", "abcdefgh", "abcdefg,", "abcdefgh,", "무인기무인기,x", "\xff\xfe\x80,", "a\nb,c", `abcdefghijklmno"`, "\x2c\x2d\x2e", "\xac,"} {
		want := strings.IndexAny(s, ",\n\"")
		if want < 0 {
			want = len(s)
		}
		assert.Equal(t, want, indexStop([]byte(s)), "%q", s)
	}
	r := rand.New(rand.NewPCG(1, 2))
	alphabet := []byte{',', '\n', '"', 'a', 0x80, 0xac, 0x8a, 0xa2, 0x2b, 0x0b, 0x0a ^ 0x80, 0}
	for range 10000 {
		b := make([]byte, r.IntN(40))
		for i := range b {
			b[i] = alphabet[r.IntN(len(alphabet))]
		}
		want := bytes.IndexAny(b, ",\n\"")
		if want < 0 {
			want = len(b)
		}
		require.Equal(t, want, indexStop(b), "%q", b)
	}
}
