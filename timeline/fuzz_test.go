package timeline_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/sourced-dev/sourced/timeline"
)

// The seed corpora are in testdata/fuzz/<target>; these add the inputs the
// other tests use. Run one target with:
//
//	go test -run '^$' -fuzz FuzzUnmarshal -fuzztime 3m ./timeline

func FuzzParseDate(f *testing.F) {
	for _, s := range []string{"", "2024", "2024-11", "2024-11-14", "2024?", "2024-11~", "2024-11-14%",
		"0000-01-01", "9999-12-31", "2024-02-29", "1900-02-29", "2024-13", "?", "+2024", "2024-1-1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := timeline.ParseDate(s)
		if err != nil {
			checkDateError(t, s, err)
			if !d.IsZero() {
				t.Fatalf("ParseDate(%q) failed but returned %v", s, d)
			}
			return
		}
		if got := d.String(); got != s {
			t.Fatalf("ParseDate(%q).String() = %q: every accepted text is canonical", s, got)
		}
		again, err := timeline.ParseDate(d.String())
		if err != nil || again != d {
			t.Fatalf("ParseDate(%q) = %v, %v; want %#v", d.String(), again, err, d)
		}
		var u timeline.Date
		if err := u.UnmarshalText([]byte(s)); err != nil || u != d {
			t.Fatalf("UnmarshalText(%q) = %#v, %v", s, u, err)
		}
		if d.IsZero() {
			return
		}
		first, last := d.First(), d.Last()
		if first.Compare(last) > 0 || !d.Overlaps(first, last) || !d.Overlaps(last, first) {
			t.Fatalf("%v: first %v, last %v", d, first, last)
		}
		if back, err := timeline.DateFromDays(d.DaysSinceEpoch()); err != nil || back != first {
			t.Fatalf("%v: DateFromDays(DaysSinceEpoch()) = %v, %v; want %v", d, back, err, first)
		}
		if d.Truncate(timeline.PrecisionYear).Compare(d) > 0 {
			t.Fatalf("%v: truncated date sorts after it", d)
		}
	})
}

func FuzzParseInterval(f *testing.F) {
	for _, s := range []string{"2024-10/2024-11", "2024-10/..", "../2024", "2024/", "/2024", "2024",
		"2024-11-14?/2024-12~", "/", "../..", "2024-11/2024-10", "", "..", "2024/2025/2026"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		iv, err := timeline.ParseInterval(s)
		if err != nil {
			checkDateError(t, s, err)
			if iv != (timeline.Interval{}) {
				t.Fatalf("ParseInterval(%q) failed but returned %+v", s, iv)
			}
			return
		}
		if got := iv.String(); got != s {
			t.Fatalf("ParseInterval(%q).String() = %q: every accepted text is canonical", s, got)
		}
		again, err := timeline.ParseInterval(iv.String())
		if err != nil || again != iv {
			t.Fatalf("ParseInterval(%q) = %+v, %v; want %+v", iv.String(), again, err, iv)
		}
		for _, d := range []timeline.Date{iv.Start, iv.End} {
			if !d.IsZero() && !iv.Overlaps(d, d) {
				t.Fatalf("%v does not overlap its own end %v", iv, d)
			}
		}
	})
}

func checkDateError(t *testing.T, s string, err error) {
	t.Helper()
	var de *timeline.DateError
	if !errors.Is(err, timeline.ErrDate) || !errors.As(err, &de) {
		t.Fatalf("%q: error %v is not a *DateError wrapping ErrDate", s, err)
	}
	if de.Text != s || de.Reason == "" {
		t.Fatalf("%q: DateError %+v does not quote the text and say what was expected", s, de)
	}
}

func FuzzUnmarshal(f *testing.F) {
	for _, pattern := range []string{"testdata/*.json", "testdata/decode/*.json"} {
		files, err := filepath.Glob(pattern)
		if err != nil {
			f.Fatal(err)
		}
		for _, file := range files {
			data, err := os.ReadFile(file)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(data)
		}
	}
	f.Add([]byte(`{"schema":"sourced/1","name":"x","events":[{"id":"a","title":"t","kind":"other","status":"claimed","start":"2024","sources":[{"publisher":"p","kind":"wire"}]}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := timeline.Unmarshal(data)
		if err != nil {
			checkUnmarshalError(t, data, err)
			return
		}
		first, err := timeline.Marshal(d)
		if err != nil {
			t.Fatalf("Marshal of a decoded dataset: %v", err)
		}
		back, err := timeline.Unmarshal(first)
		if err != nil {
			t.Fatalf("Unmarshal of Marshal's output: %v\n%s", err, first)
		}
		if !reflect.DeepEqual(d, back) {
			t.Fatalf("round trip changed the dataset:\n%#v\n%#v", d.Events(), back.Events())
		}
		second, err := timeline.Marshal(back)
		if err != nil || !bytes.Equal(first, second) {
			t.Fatalf("Marshal is not stable (%v):\n%s\n%s", err, first, second)
		}
	})
}

// checkUnmarshalError holds Unmarshal to its documented errors: a
// *DecodeError at a place inside the data, or ValidationErrors.
func checkUnmarshalError(t *testing.T, data []byte, err error) {
	t.Helper()
	var de *timeline.DecodeError
	var ve timeline.ValidationErrors
	switch {
	case errors.As(err, &de):
		lines := bytes.Count(data, []byte{'\n'}) + 1
		if de.Line < 1 || de.Line > lines || de.Column < 1 || de.Column > len(data)+1 {
			t.Fatalf("%v: line %d, column %d outside the data (%d lines, %d bytes)", err, de.Line, de.Column, lines, len(data))
		}
		if de.Err == nil || de.Error() == "" {
			t.Fatalf("DecodeError without a cause: %#v", de)
		}
		// These are about a key or a value: the error names it.
		if (errors.Is(err, timeline.ErrDate) || errors.Is(err, timeline.ErrVocabulary) ||
			strings.Contains(err.Error(), "unknown field")) && de.Field == "" {
			t.Fatalf("%v: no field", err)
		}
	case errors.As(err, &ve):
		if len(ve) == 0 {
			t.Fatalf("empty ValidationErrors")
		}
	default:
		t.Fatalf("Unmarshal error %T %v is neither a *DecodeError nor ValidationErrors", err, err)
	}
}
