package timeline

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// file is the canonical file's layout for encoding/json, which the tests
// hold the hand-written encoder and decoder to.
type file struct {
	Schema string `json:"schema"`
	Metadata
	Events []Event `json:"events"`
}

// jsonEncode is what Encode wrote with encoding/json.
func jsonEncode(meta Metadata, events []Event) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if events == nil {
		events = []Event{}
	}
	err := enc.Encode(file{Schema: SchemaVersion, Metadata: meta, Events: events})
	return b.Bytes(), err
}

// jsonDecode is what Unmarshal decoded with encoding/json: keys without
// regard to case, the last of duplicate keys, invalid UTF-8 and lone
// surrogates as U+FFFD.
func jsonDecode(data []byte) (Metadata, []Event, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var f file
	if err := dec.Decode(&f); err != nil {
		return Metadata{}, nil, err
	}
	if len(bytes.TrimLeft(data[dec.InputOffset():], " \t\r\n")) > 0 {
		return Metadata{}, nil, errors.New("data after the end")
	}
	if f.Schema != SchemaVersion {
		return Metadata{}, nil, errors.New("schema")
	}
	return f.Metadata, f.Events, nil
}

// TestKeysMatchTags holds the decoder's and encoder's key tables to the
// JSON tags of the types, in order: a field added to a type and not to the
// codec fails here.
func TestKeysMatchTags(t *testing.T) {
	assert.Equal(t, jsonTags(reflect.TypeFor[file]()), fileKeys[:])
	assert.Equal(t, jsonTags(reflect.TypeFor[Event]()), eventKeys[:])
	assert.Equal(t, jsonTags(reflect.TypeFor[Place]()), placeKeys[:])
	assert.Equal(t, jsonTags(reflect.TypeFor[LatLon]()), locationKeys[:])
	assert.Equal(t, jsonTags(reflect.TypeFor[Actor]()), actorKeys[:])
	assert.Equal(t, jsonTags(reflect.TypeFor[Source]()), sourceKeys[:])
}

// jsonTags returns the JSON names of the fields of a struct type, those of
// an embedded struct in its place.
func jsonTags(typ reflect.Type) []string {
	var keys []string
	for i := range typ.NumField() {
		f := typ.Field(i)
		if f.Anonymous {
			keys = append(keys, jsonTags(f.Type)...)
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		keys = append(keys, name)
	}
	return keys
}

// TestEncodeMatchesEncodingJSON compares the encoder with encoding/json on
// events that no Dataset holds (they bypass New): text that is not UTF-8,
// every control character, floats at the edges of their formats, empty and
// nil lists.
func TestEncodeMatchesEncodingJSON(t *testing.T) {
	var all strings.Builder
	for c := range 0x80 {
		all.WriteByte(byte(c))
	}
	text := all.String() + "\u2028\u2029\ufffd é 무인기 😀 \xff\xc3( <&> \x7f"
	e := Event{
		ID: "a", Title: text, Summary: text, Kind: "kind \"x\"", Status: "", Notes: "n",
		Place:   Place{Location: &LatLon{}},
		Actors:  []Actor{{}, {Name: text, Role: "r"}},
		Tags:    []string{"", text},
		Related: []string{},
		Sources: []Source{{}, {Publisher: "p", Grading: Grading{'A', 0xff}, Published: MustParseDate("2024-11%")}},
	}
	var events []Event
	for _, f := range []float64{0, math.Copysign(0, -1), 1, -1, 0.1, 1e-6, 1e-7, 9.99e-7, 1e20, 1e21, 1.5e21, -1e-7, 123456789.123,
		math.MaxFloat64, math.SmallestNonzeroFloat64, -math.MaxFloat64, 39.0392, 1e-100, 1e100} {
		e := e
		e.Place.Location = &LatLon{Lat: f, Lon: -f}
		events = append(events, e)
	}
	events = append(events, Event{}, Event{Sources: []Source{}, Place: Place{GeoPrecision: "x"}, End: MustParseDate("2024")})
	metas := []Metadata{{}, {Name: text, Title: "t", Description: "d", License: "l", Version: "v", Updated: MustParseDate("2024-01-02?")}}
	for _, meta := range metas {
		for _, events := range [][]Event{nil, {}, events} {
			want, err := jsonEncode(meta, events)
			require.NoError(t, err)
			got, err := Marshal(&Dataset{meta: meta, events: events})
			require.NoError(t, err)
			assert.Equal(t, string(want), string(got))
		}
	}
	for _, f := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
		_, err := Marshal(&Dataset{events: []Event{{Place: Place{Location: &LatLon{Lat: f}}}}})
		assert.Error(t, err, "%v", f)
	}
}

func FuzzAppendString(f *testing.F) {
	for _, s := range []string{"", "a", "\"\\/", "\x00\x1f\x7f", "\u2028\u2029", "\xff", "é무😀", "\xed\xa0\x80", "<&>"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var want bytes.Buffer
		enc := json.NewEncoder(&want)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(s); err != nil {
			t.Fatal(err)
		}
		if got := appendString(nil, s); string(got)+"\n" != want.String() {
			t.Fatalf("appendString(%q) = %s, want %s", s, got, want.Bytes())
		}
	})
}

// FuzzDecodeMatchesEncodingJSON compares the decoder with encoding/json:
// what it decodes, encoding/json decodes to the same; what only
// encoding/json decodes has one of the mistakes that it lets through.
func FuzzDecodeMatchesEncodingJSON(f *testing.F) {
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
	f.Add([]byte(`{"schema":"sourced/1","NAME":"x","name":"y","events":[{"id":"a","id":"b","title":"\ud800\u00e9"}]}`))
	f.Add([]byte(`{"schema":"sourced/1","events":[{"kind":null,"status":null,"start":null,"place":{"geo_precision":null},"sources":[{"kind":null,"grading":null}]}]}`))
	f.Add([]byte(`{"schema":"sourced/1","events":[{"kind":"","status":"","start":"","place":{"geo_precision":""},"sources":[{"kind":"","grading":""}]}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		meta, events, err := decodeFile("", data)
		jmeta, jevents, jerr := jsonDecode(data)
		if err == nil {
			if jerr != nil {
				t.Fatalf("encoding/json fails where the decoder does not: %v", jerr)
			}
			for i := range events {
				events[i].normalize()
				jevents[i].normalize()
			}
			if len(events) == 0 {
				events, jevents = nil, nil
			}
			if !reflect.DeepEqual(meta, jmeta) || !reflect.DeepEqual(events, jevents) {
				t.Fatalf("decoded differently:\n%#v\n%#v\n%#v\n%#v", meta, jmeta, events, jevents)
			}
			return
		}
		var de *DecodeError
		if !errors.As(err, &de) {
			t.Fatalf("error %T %v is not a *DecodeError", err, err)
		}
		if jerr == nil {
			msg := de.Err.Error()
			stricter := strings.Contains(msg, "duplicate key") || strings.Contains(msg, "unknown field") ||
				strings.Contains(msg, "invalid UTF-8") || strings.Contains(msg, "surrogate")
			if !stricter || !errors.Is(err, ErrSyntax) {
				t.Fatalf("only encoding/json decodes this: %v", err)
			}
		}
	})
}

// TestReadLimit holds Decode and Load to MaxFileBytes, lowered here so that
// the test need not write a gigabyte: a file one byte too large is refused,
// read no further than that byte.
func TestReadLimit(t *testing.T) {
	defer func(n int64) { maxFileBytes = n }(maxFileBytes)
	valid := []byte(`{"schema":"sourced/1","name":"x"}`)
	maxFileBytes = int64(len(valid))

	_, err := Decode(bytes.NewReader(valid))
	require.NoError(t, err, "a file of exactly the limit")

	endless := &countingReader{}
	_, err = Decode(endless)
	var de *DecodeError
	require.ErrorAs(t, err, &de)
	assert.ErrorIs(t, err, ErrSyntax)
	assert.Equal(t, DecodeError{Line: 1, Column: 1, Err: de.Err}, *de)
	assert.Contains(t, err.Error(), "larger than 33 bytes")
	assert.Equal(t, maxFileBytes+1, endless.n, "bytes read")

	dir := t.TempDir()
	path := filepath.Join(dir, "exact.json")
	require.NoError(t, os.WriteFile(path, valid, 0o644))
	_, err = Load(path)
	require.NoError(t, err)
	path = filepath.Join(dir, "large.json")
	require.NoError(t, os.WriteFile(path, append(valid, ' '), 0o644))
	_, err = Load(path)
	require.ErrorAs(t, err, &de)
	assert.Equal(t, path, de.File)
	assert.True(t, strings.HasPrefix(err.Error(), path+":1:1: "), err.Error())
	assert.Contains(t, err.Error(), "larger than 33 bytes")
}

// TestLoadRefusesLargeFileUnread gives Load a sparse file one byte larger
// than the real MaxFileBytes: it takes no disk space, and Load refuses it
// from its size, before reading any of it.
func TestLoadRefusesLargeFileUnread(t *testing.T) {
	path := filepath.Join(t.TempDir(), "huge.json")
	f, err := os.Create(path)
	require.NoError(t, err)
	require.NoError(t, f.Truncate(MaxFileBytes+1))
	require.NoError(t, f.Close())
	_, err = Load(path)
	var de *DecodeError
	require.ErrorAs(t, err, &de)
	assert.Equal(t, path, de.File)
	assert.ErrorIs(t, err, ErrSyntax)
	assert.Contains(t, err.Error(), "larger than 1073741824 bytes")
}

// countingReader yields spaces without end, counting them.
type countingReader struct{ n int64 }

func (r *countingReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = ' '
	}
	r.n += int64(len(p))
	return len(p), nil
}

var _ io.Reader = (*countingReader)(nil)

// TestRuneLen holds runeLen to utf8.DecodeRune on every sequence of up to
// three bytes, and on four-byte sequences around the edges of the ranges.
func TestRuneLen(t *testing.T) {
	want := func(b []byte) int {
		if r, size := utf8.DecodeRune(b); r != utf8.RuneError || size > 1 {
			return size
		}
		return 0
	}
	check := func(b []byte) {
		if got, w := runeLen(b, 0), want(b); got != w {
			t.Fatalf("runeLen(% x) = %d, want %d", b, got, w)
		}
	}
	for c0 := 0x80; c0 < 0x100; c0++ {
		check([]byte{byte(c0)})
		for c1 := range 0x100 {
			check([]byte{byte(c0), byte(c1)})
			for _, c2 := range []byte{0x00, 0x41, 0x7f, 0x80, 0x9f, 0xa0, 0xbf, 0xc0, 0xff} {
				check([]byte{byte(c0), byte(c1), c2})
				check([]byte{byte(c0), byte(c1), c2, 0x80})
				check([]byte{byte(c0), byte(c1), c2, 0xc0})
			}
		}
	}
}
