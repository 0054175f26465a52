package export

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/sourced-dev/sourced/timeline"
)

// FuzzReadCSV feeds ReadCSV arbitrary pairs of files. It must never panic;
// every error must be a *ReadError wrapping one of the sentinels; and
// whatever reads must write and read back to equal events. The seed corpus
// is the golden seed files, the hand-written edge cases and the files in
// testdata/fuzz/FuzzReadCSV.
func FuzzReadCSV(f *testing.F) {
	evGolden, err := os.ReadFile(filepath.Join("testdata", "csv", "seed-events.csv"))
	if err != nil {
		f.Fatal(err)
	}
	srcGolden, err := os.ReadFile(filepath.Join("testdata", "csv", "seed-sources.csv"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(evGolden, srcGolden, false)
	for _, opts := range []CSVOptions{{}, {BOM: true, RawText: true}} {
		var ev, src bytes.Buffer
		if err := WriteCSV(context.Background(), &ev, &src, slices.Values(csvEdgeEvents()), opts); err != nil {
			f.Fatal(err)
		}
		f.Add(ev.Bytes(), src.Bytes(), opts.RawText)
		ev.Reset()
		src.Reset()
		if err := WriteCSV(context.Background(), &ev, &src, slices.Values(readErrBase()), opts); err != nil {
			f.Fatal(err)
		}
		f.Add(ev.Bytes(), src.Bytes(), opts.RawText)
	}
	f.Add([]byte("id,title,kind,status,start\n"), []byte("event_id,publisher,kind\n"), false)
	f.Add([]byte{}, []byte{}, false)

	f.Fuzz(func(t *testing.T, events, sources []byte, raw bool) {
		opts := CSVReadOptions{RawText: raw}
		got, err := readCSVBytes(events, sources, opts)
		if err != nil {
			var re *ReadError
			if !errors.As(err, &re) {
				t.Fatalf("not a *ReadError: %v", err)
			}
			if !errors.Is(err, ErrCorrupt) && !errors.Is(err, ErrSchema) && !errors.Is(err, ErrValue) && !errors.Is(err, ErrLimit) {
				t.Fatalf("wraps no sentinel: %v", err)
			}
			return
		}
		var ev, src bytes.Buffer
		if err := WriteCSV(context.Background(), &ev, &src, slices.Values(got), CSVOptions{RawText: raw}); err != nil {
			t.Fatalf("events that read do not write: %v", err)
		}
		again, err := readCSVBytes(ev.Bytes(), src.Bytes(), opts)
		if err != nil {
			t.Fatalf("written events do not read back: %v\nevents.csv:\n%s\nsources.csv:\n%s", err, ev.Bytes(), src.Bytes())
		}
		if !equalEvents(got, again) {
			t.Fatalf("read back differently:\n%#v\n%#v", got, again)
		}
	})
}

// equalEvents is reflect.DeepEqual for events, without the testify
// machinery that would slow fuzzing down.
func equalEvents(a, b []timeline.Event) bool {
	return slices.EqualFunc(a, b, func(x, y timeline.Event) bool {
		lx, ly := x.Place.Location, y.Place.Location
		if (lx == nil) != (ly == nil) || (lx != nil && *lx != *ly) {
			return false
		}
		x.Place.Location, y.Place.Location = nil, nil
		return x.ID == y.ID && x.Title == y.Title && x.Summary == y.Summary && x.Kind == y.Kind &&
			x.Status == y.Status && x.Start == y.Start && x.End == y.End && x.Place == y.Place &&
			slices.Equal(x.Actors, y.Actors) && slices.Equal(x.Tags, y.Tags) && slices.Equal(x.Related, y.Related) &&
			x.Notes == y.Notes && slices.Equal(x.Sources, y.Sources) &&
			(x.Actors == nil) == (y.Actors == nil) && (x.Tags == nil) == (y.Tags == nil) &&
			(x.Related == nil) == (y.Related == nil) && (x.Sources == nil) == (y.Sources == nil)
	})
}
