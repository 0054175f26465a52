package export

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"iter"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/ipc"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/sourced-dev/sourced/seeds"
	"github.com/sourced-dev/sourced/timeline"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func init() {
	// The CSV tests may define the same flag; whichever runs first does.
	if flag.Lookup("update") == nil {
		flag.Bool("update", false, "rewrite the golden files under testdata")
	}
}

func arrowUpdate() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

// memFile is an in-memory io.WriteSeeker, for the Arrow file format.
type memFile struct {
	data []byte
	pos  int64
}

func (m *memFile) Write(p []byte) (int, error) {
	if end := m.pos + int64(len(p)); end > int64(len(m.data)) {
		m.data = append(m.data, make([]byte, end-int64(len(m.data)))...)
	}
	n := copy(m.data[m.pos:], p)
	m.pos += int64(n)
	return n, nil
}

func (m *memFile) Seek(off int64, whence int) (int64, error) {
	switch whence {
	case io.SeekStart:
		m.pos = off
	case io.SeekCurrent:
		m.pos += off
	case io.SeekEnd:
		m.pos = int64(len(m.data)) + off
	}
	return m.pos, nil
}

// failFile fails every write after n bytes.
type failFile struct {
	memFile
	n int
}

var errFailWrite = errors.New("write failed on purpose")

func (f *failFile) Write(p []byte) (int, error) {
	if len(f.data)+len(p) > f.n {
		return 0, errFailWrite
	}
	return f.memFile.Write(p)
}

func arrowDate(s string) timeline.Date { return timeline.MustParseDate(s) }

func arrowMeta() timeline.Metadata {
	return timeline.Metadata{
		Name:        "edge-cases",
		Title:       "Edge cases: 북한 무인기, «кавычки», \"quotes\"",
		Description: "Every precision and qualifier,\nintervals, empty values, many sources.",
		License:     "CC-BY-4.0",
		Version:     "1.2.3",
		Updated:     arrowDate("2026-11~"),
	}
}

// arrowEdgeEvents returns valid events that exercise every field: every
// precision and qualifier, intervals, Korean text, empty values, many
// sources, no coordinates against coordinates of zero.
func arrowEdgeEvents() []timeline.Event {
	src := func(pub string) []timeline.Source {
		return []timeline.Source{{Publisher: pub, Kind: timeline.SourceWire}}
	}
	var events []timeline.Event
	add := func(e timeline.Event) {
		if e.Kind == "" {
			e.Kind = timeline.KindOther
		}
		if e.Status == "" {
			e.Status = timeline.StatusReported
		}
		if e.Title == "" {
			e.Title = "Event " + e.ID
		}
		if e.Sources == nil {
			e.Sources = src("Associated Press")
		}
		events = append(events, e)
	}
	for i, d := range []string{"2024", "2024?", "2024~", "2024%", "2024-11", "2024-11?", "2024-11~", "2024-11%",
		"2024-11-14", "2024-11-14?", "2024-11-14~", "2024-11-14%", "0000", "0000-01-01", "9999-12-31", "9999",
		"1969-12-31", "1970-01-01", "2024-02-29"} {
		add(timeline.Event{ID: fmt.Sprintf("date-%d", i), Start: arrowDate(d)})
	}
	for i, iv := range [][2]string{{"2024-10", "2024-11-14?"}, {"2022-12-26", "2022-12-26"}, {"1990", "2030~"},
		{"2024-11-14%", "2024-12"}, {"2023~", "2024"}} {
		add(timeline.Event{ID: fmt.Sprintf("interval-%d", i), Start: arrowDate(iv[0]), End: arrowDate(iv[1])})
	}
	add(timeline.Event{
		ID: "korean", Kind: timeline.KindWeaponsTest, Status: timeline.StatusClaimed, Start: arrowDate("2024-11-14"),
		Title:   "북한, 자폭형 공격무인기 성능시험 진행",
		Summary: "김정은 총비서가 \"자폭형 공격무인기\" 시험을 참관했다고\n조선중앙통신이 보도했다.",
		Place:   timeline.Place{Name: "평양", Country: "KP"},
		Actors:  []timeline.Actor{{Name: "김정은", Role: "지도자"}, {Name: "조선인민군"}},
		Tags:    []string{"무인기", "drone"},
		Notes:   "한국어 메모",
		Sources: []timeline.Source{{Publisher: "조선중앙통신", Kind: timeline.SourceStateMedia, Language: "ko",
			Title: "경애하는 김정은동지께서 무인기들의 성능시험을 현지에서 지도하시였다", Quote: "대량생산", Published: arrowDate("2024-11-15")}},
	})
	add(timeline.Event{ID: "empty", Start: arrowDate("2001"), Title: "x"})
	many := timeline.Event{ID: "many-sources", Start: arrowDate("2024-11-14"), Related: []string{"korean", "empty"}}
	for i := range 60 {
		s := timeline.Source{
			Publisher: fmt.Sprintf("Publisher %d", i%7), Kind: timeline.SourceKinds()[i%len(timeline.SourceKinds())],
			Title: strings.Repeat("t", i), Language: []string{"", "en", "ko", "ru-RU"}[i%4],
		}
		if i%3 == 0 {
			s.URL = fmt.Sprintf("https://example.org/%d?q=a,b&c=\"d\"", i)
			s.Via = "KCNA"
		}
		if i%5 != 0 {
			s.Published = arrowDate([]string{"2024", "2024-11", "2024-11-15", "2024-11-15?", "2024~"}[i%5])
		}
		if i%4 == 1 {
			s.Accessed = arrowDate("2026-11-25")
		}
		if i%2 == 0 {
			s.Grading = timeline.Grading{Reliability: byte('A' + i%6), Credibility: byte('1' + i%6)}
		}
		if i%9 == 0 {
			s.Quote = "a quote\twith\ttabs and \"quotes\", commas; and a line\nbreak"
		}
		many.Sources = append(many.Sources, s)
	}
	add(many)
	for i, loc := range []*timeline.LatLon{nil, {Lat: 0, Lon: 0}, {Lat: -90, Lon: 180}, {Lat: 90, Lon: -180}, {Lat: 1e-300, Lon: -1e-300},
		{Lat: 39.0392, Lon: 125.7625}} {
		p := timeline.Place{Name: "Somewhere", Country: "KR", Location: loc}
		if loc != nil {
			p.GeoPrecision = timeline.GeoPrecisions()[i%4]
		}
		add(timeline.Event{ID: fmt.Sprintf("place-%d", i), Start: arrowDate("2022-12-26"), Place: p})
	}
	add(timeline.Event{ID: "no-place", Start: arrowDate("2022-12"), Place: timeline.Place{Country: "UA"}})
	add(timeline.Event{
		ID: "hostile", Start: arrowDate("2020-01-01"),
		Title:   "=SUM(A1:A2) +1 -1 @cmd",
		Summary: "\t=tab\r\n=crlf \"quoted\" 'single' a|b a\\|b \x00 nul 🛰️ عربي e\u0301 " + strings.Repeat("long ", 20000),
		Actors:  []timeline.Actor{{Name: "=A1", Role: ""}, {Name: "North Korea", Role: "initiator"}},
		Tags:    []string{"a|b", "a|b", "=x", "🛰️"},
		Notes:   "line\nbreak",
	})
	for i, k := range timeline.Kinds() {
		add(timeline.Event{ID: fmt.Sprintf("kind-%d", i), Start: arrowDate("2019"), Kind: k,
			Status: timeline.Statuses()[i%len(timeline.Statuses())]})
	}
	return events
}

// arrowSynthetic returns n hostile synthetic events and their metadata.
func arrowSynthetic(n int) (timeline.Metadata, []timeline.Event) {
	opts := seeds.SyntheticOptions{Hostile: true}
	return seeds.SyntheticMetadata(n, opts), slices.Collect(seeds.Synthetic(n, opts))
}

func collectEvents(t testing.TB, seq iter.Seq2[timeline.Event, error]) []timeline.Event {
	t.Helper()
	var out []timeline.Event
	for e, err := range seq {
		require.NoError(t, err)
		out = append(out, e)
	}
	return out
}

// drainEvents reads seq to its end and returns its error, if any.
func drainEvents(seq iter.Seq2[timeline.Event, error]) (n int, err error) {
	for _, err := range seq {
		if err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// arrowCodec is one way to write and read a format, for table tests.
type arrowCodec struct {
	name         string
	compressions []Compression
	write        func(w io.Writer, meta timeline.Metadata, events []timeline.Event, c Compression, mem memory.Allocator, batch int) error
	read         func(data []byte, mem memory.Allocator) (timeline.Metadata, iter.Seq2[timeline.Event, error], error)
}

var arrowCodecs = []arrowCodec{
	{
		name:         "arrow",
		compressions: []Compression{CompressionNone, CompressionZstd, CompressionLZ4},
		write: func(w io.Writer, meta timeline.Metadata, events []timeline.Event, c Compression, mem memory.Allocator, batch int) error {
			var f memFile
			if err := WriteArrow(context.Background(), &f, meta, slices.Values(events), ArrowOptions{BatchSize: batch, Compression: c, Allocator: mem}); err != nil {
				return err
			}
			_, err := w.Write(f.data)
			return err
		},
		read: func(data []byte, mem memory.Allocator) (timeline.Metadata, iter.Seq2[timeline.Event, error], error) {
			return ReadArrow(bytes.NewReader(data), ArrowReadOptions{Allocator: mem})
		},
	},
	{
		name:         "arrow-stream",
		compressions: []Compression{CompressionNone, CompressionZstd, CompressionLZ4},
		write: func(w io.Writer, meta timeline.Metadata, events []timeline.Event, c Compression, mem memory.Allocator, batch int) error {
			return WriteArrowStream(context.Background(), w, meta, slices.Values(events), ArrowOptions{BatchSize: batch, Compression: c, Allocator: mem})
		},
		read: func(data []byte, mem memory.Allocator) (timeline.Metadata, iter.Seq2[timeline.Event, error], error) {
			return ReadArrowStream(bytes.NewReader(data), ArrowReadOptions{Allocator: mem})
		},
	},
	{
		name:         "parquet",
		compressions: []Compression{CompressionZstd, CompressionSnappy, CompressionNone},
		write: func(w io.Writer, meta timeline.Metadata, events []timeline.Event, c Compression, mem memory.Allocator, batch int) error {
			return WriteParquet(context.Background(), w, meta, slices.Values(events), ParquetOptions{RowGroupSize: batch, Compression: c, Allocator: mem})
		},
		read: func(data []byte, mem memory.Allocator) (timeline.Metadata, iter.Seq2[timeline.Event, error], error) {
			return ReadParquet(bytes.NewReader(data), ParquetReadOptions{Allocator: mem})
		},
	},
}

// arrowEncode writes events in every codec and compression, small, for
// the error tests and the fuzz seeds.
func arrowEncode(t testing.TB, c arrowCodec, comp Compression, events []timeline.Event, batch int) []byte {
	t.Helper()
	var b bytes.Buffer
	require.NoError(t, c.write(&b, arrowMeta(), events, comp, nil, batch))
	return b.Bytes()
}

func TestArrowRoundTrip(t *testing.T) {
	synthMeta, synth := arrowSynthetic(2500)
	datasets := []struct {
		name   string
		meta   timeline.Metadata
		events []timeline.Event
		batch  int
	}{
		{"synthetic", synthMeta, synth, 1000}, // three batches, the last partial
		{"edge", arrowMeta(), arrowEdgeEvents(), 7},
		{"one", arrowMeta(), arrowEdgeEvents()[:1], 0},
		{"none", timeline.Metadata{}, nil, 0},
	}
	for _, c := range arrowCodecs {
		for _, comp := range c.compressions {
			for _, ds := range datasets {
				t.Run(c.name+"/"+comp.String()+"/"+ds.name, func(t *testing.T) {
					wmem := memory.NewCheckedAllocator(memory.NewGoAllocator())
					var b bytes.Buffer
					require.NoError(t, c.write(&b, ds.meta, ds.events, comp, wmem, ds.batch))
					wmem.AssertSize(t, 0)

					rmem := memory.NewCheckedAllocator(memory.NewGoAllocator())
					meta, seq, err := c.read(b.Bytes(), rmem)
					require.NoError(t, err)
					assert.Equal(t, ds.meta, meta)
					got := collectEvents(t, seq)
					assert.Equal(t, ds.events, got)
					rmem.AssertSize(t, 0)
				})
			}
		}
	}
}

// TestArrowEventsOwnTheirMemory checks that events read back do not share
// arrow's buffers, which are released (and, with a reusing allocator,
// overwritten) after each batch.
func TestArrowEventsOwnTheirMemory(t *testing.T) {
	events := arrowEdgeEvents()
	for _, c := range arrowCodecs {
		t.Run(c.name, func(t *testing.T) {
			data := arrowEncode(t, c, CompressionNone, events, 4)
			mem := &scribbleAllocator{}
			_, seq, err := c.read(data, mem)
			require.NoError(t, err)
			got := collectEvents(t, seq)
			mem.scribble()
			assert.Equal(t, events, got)
		})
	}
}

// scribbleAllocator overwrites every buffer it freed when asked, to catch
// strings that still point into them.
type scribbleAllocator struct {
	freed [][]byte
}

func (a *scribbleAllocator) Allocate(n int) []byte { return make([]byte, n) }
func (a *scribbleAllocator) Reallocate(n int, b []byte) []byte {
	nb := make([]byte, n)
	copy(nb, b)
	a.freed = append(a.freed, b)
	return nb
}
func (a *scribbleAllocator) Free(b []byte) { a.freed = append(a.freed, b) }
func (a *scribbleAllocator) scribble() {
	for _, b := range a.freed {
		for i := range b {
			b[i] = 'X'
		}
	}
}

func TestArrowSchemaGolden(t *testing.T) {
	got := []byte(arrowSchema(arrowMeta()).String() + "\n")
	path := filepath.Join("testdata", "arrow", "schema.golden")
	if arrowUpdate() {
		require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
		require.NoError(t, os.WriteFile(path, got, 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run go test -run TestArrowSchemaGolden -update to create it")
	assert.Equal(t, string(want), string(got))
}

func TestSaveLoadArrow(t *testing.T) {
	d, err := seeds.SyntheticDataset(300, seeds.SyntheticOptions{Hostile: true, Seed: 7})
	require.NoError(t, err)
	dir := t.TempDir()
	for _, tc := range []struct {
		name string
		save func(path string) error
		load func(path string) (*timeline.Dataset, error)
	}{
		{"file", func(p string) error {
			return SaveArrow(context.Background(), p, d.Metadata(), d.All(), ArrowOptions{BatchSize: 64, Compression: CompressionZstd})
		}, LoadArrow},
		{"stream", func(p string) error {
			return SaveArrowStream(context.Background(), p, d.Metadata(), d.All(), ArrowOptions{BatchSize: 64, Compression: CompressionLZ4})
		}, LoadArrowStream},
		{"parquet", func(p string) error {
			return SaveParquet(context.Background(), p, d.Metadata(), d.All(), ParquetOptions{RowGroupSize: 100})
		}, LoadParquet},
		{"dataset", func(p string) error {
			return SaveParquetDataset(context.Background(), p, d.Metadata(), d.All(), ParquetOptions{RowGroupSize: 50})
		}, LoadParquetDataset},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(dir, tc.name)
			require.NoError(t, tc.save(path))
			got, err := tc.load(path)
			require.NoError(t, err)
			assert.Equal(t, d.Metadata(), got.Metadata())
			assert.Equal(t, d.Events(), got.Events())
			// Saving again replaces the file (or dataset) in place.
			require.NoError(t, tc.save(path))
			got, err = tc.load(path)
			require.NoError(t, err)
			assert.Equal(t, d.Len(), got.Len())
		})
	}
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	assert.Equal(t, []string{"dataset", "file", "parquet", "stream"}, names, "no temporary files left")
}

func TestArrowCivilDates(t *testing.T) {
	// A civil date stays on its day whatever the local time zone: the
	// date32 columns come from year, month and day, never from an instant.
	old := time.Local
	t.Cleanup(func() { time.Local = old })
	for _, zone := range []string{"Asia/Pyongyang", "America/Los_Angeles", "Pacific/Kiritimati"} {
		loc, err := time.LoadLocation(zone)
		if err != nil {
			t.Skipf("no time zone data: %v", err)
		}
		time.Local = loc
		events := arrowEdgeEvents()
		for _, c := range arrowCodecs {
			data := arrowEncode(t, c, CompressionNone, events, 0)
			_, seq, err := c.read(data, nil)
			require.NoError(t, err)
			assert.Equal(t, events, collectEvents(t, seq), "%s in %s", c.name, zone)
		}
	}
}

// TestArrowEndDate checks that end_date is the last day an event covers,
// as in events.csv: of end when there is one, else of start.
func TestArrowEndDate(t *testing.T) {
	src := []timeline.Source{{Publisher: "AP", Kind: timeline.SourceWire}}
	events := []timeline.Event{
		{ID: "a", Title: "a", Kind: timeline.KindOther, Status: timeline.StatusReported, Start: arrowDate("2024-11"), Sources: src},
		{ID: "b", Title: "b", Kind: timeline.KindOther, Status: timeline.StatusReported, Start: arrowDate("2024-11-14"), End: arrowDate("2025~"), Sources: src},
		{ID: "c", Title: "c", Kind: timeline.KindOther, Status: timeline.StatusReported, Start: arrowDate("2023-02-03?"), Sources: src},
	}
	var f memFile
	require.NoError(t, WriteArrow(context.Background(), &f, arrowMeta(), slices.Values(events), ArrowOptions{}))
	r, err := ipc.NewFileReader(bytes.NewReader(f.data))
	require.NoError(t, err)
	defer r.Close()
	rec, err := r.Record(0)
	require.NoError(t, err)
	col := rec.Column(rec.Schema().FieldIndices("end_date")[0]).(*array.Date32)
	var got []string
	for i := range col.Len() {
		got = append(got, col.Value(i).ToTime().Format(time.DateOnly))
	}
	assert.Equal(t, []string{"2024-11-30", "2025-12-31", "2023-02-03"}, got)
	assert.Equal(t, 0, col.NullN())

	_, seq, err := ReadArrow(bytes.NewReader(f.data), ArrowReadOptions{})
	require.NoError(t, err)
	back, err := collect(seq)
	require.NoError(t, err)
	assert.Equal(t, events, back)
}
