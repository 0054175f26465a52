package timeline_test

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourced-dev/sourced/seeds"
	"github.com/sourced-dev/sourced/timeline"
)

// TestMarshalGolden pins the canonical form: field order, indentation, no
// HTML escaping, omitted empty fields, events in dataset order.
func TestMarshalGolden(t *testing.T) {
	got, err := timeline.Marshal(sampleDataset(t))
	require.NoError(t, err)
	golden := filepath.Join("testdata", "canonical.json")
	if *update {
		require.NoError(t, os.WriteFile(golden, got, 0o644))
	}
	want, err := os.ReadFile(golden)
	require.NoError(t, err)
	assert.Equal(t, string(want), string(got))
}

func TestMarshalDeterministic(t *testing.T) {
	hostile, err := seeds.SyntheticDataset(300, seeds.SyntheticOptions{Seed: 3, Hostile: true})
	require.NoError(t, err)
	for name, d := range map[string]*timeline.Dataset{"sample": sampleDataset(t), "hostile": hostile} {
		t.Run(name, func(t *testing.T) {
			first, err := timeline.Marshal(d)
			require.NoError(t, err)
			second, err := timeline.Marshal(d)
			require.NoError(t, err)
			assert.Equal(t, first, second)

			back, err := timeline.Unmarshal(first)
			require.NoError(t, err)
			assert.Equal(t, d, back, "every field round-trips")
			third, err := timeline.Marshal(back)
			require.NoError(t, err)
			assert.Equal(t, string(first), string(third))

			var buf bytes.Buffer
			require.NoError(t, timeline.Encode(&buf, d))
			assert.Equal(t, first, buf.Bytes())
			decoded, err := timeline.Decode(&buf)
			require.NoError(t, err)
			assert.Equal(t, d, decoded)
		})
	}
}

func TestMarshalEmptyDataset(t *testing.T) {
	d, err := timeline.New(timeline.Metadata{Name: "empty"}, nil)
	require.NoError(t, err)
	b, err := timeline.Marshal(d)
	require.NoError(t, err)
	assert.Equal(t, "{\n  \"schema\": \"sourced/1\",\n  \"name\": \"empty\",\n  \"events\": []\n}\n", string(b))
	back, err := timeline.Unmarshal(b)
	require.NoError(t, err)
	assert.Equal(t, d, back)
}

// TestUnmarshalNonCanonical reads valid files that are not in canonical
// form and checks that they give the dataset that the canonical file does.
func TestUnmarshalNonCanonical(t *testing.T) {
	canonical, err := os.ReadFile(filepath.Join("testdata", "canonical.json"))
	require.NoError(t, err)
	want, err := timeline.Unmarshal(canonical)
	require.NoError(t, err)
	got, err := timeline.Unmarshal(unindent(canonical))
	require.NoError(t, err)
	assert.Equal(t, want, got)

	// Keys in another order, CRLF line ends, and empty lists, null and ""
	// for optional values: the same dataset as without them.
	loose := "{\r\n\"events\": [{\"sources\": [{\"kind\": \"wire\", \"publisher\": \"AP\", \"grading\": \"\", \"published\": \"\"}]," +
		"\"start\": \"2024\", \"status\": \"reported\", \"kind\": \"other\", \"title\": \"T\", \"id\": \"a\", \"tags\": [], \"actors\": null," +
		"\"end\": \"\", \"place\": {\"geo_precision\": \"\"}}],\r\n\"name\": \"loose\", \"schema\": \"sourced/1\"}\r\n"
	d, err := timeline.Unmarshal([]byte(loose))
	require.NoError(t, err)
	e := d.At(0)
	assert.Nil(t, e.Tags)
	assert.Nil(t, e.Actors)
	assert.Equal(t, timeline.Place{}, e.Place)
	out, err := timeline.Marshal(d)
	require.NoError(t, err)
	assert.Contains(t, string(out), "\"sources\": [\n        {\n          \"publisher\": \"AP\",\n          \"kind\": \"wire\"\n        }\n      ]")
}

// unindent strips the indentation that Marshal adds, line by line; not
// json.Compact, so that the test shares no code with the decoder.
func unindent(src []byte) []byte {
	var b bytes.Buffer
	for line := range strings.Lines(string(src)) {
		b.WriteString(strings.TrimLeft(strings.TrimSuffix(line, "\n"), " "))
	}
	return b.Bytes()
}

// TestDecodeErrors reads one broken file per kind of mistake and checks
// that the error says exactly where: line, column (in bytes, 1-based, of the
// first byte of the offending key or value) and JSON path.
func TestDecodeErrors(t *testing.T) {
	tests := []struct {
		file   string
		line   int
		column int
		field  string
		err    error  // the sentinel the error wraps
		msg    string // a part of the message
	}{
		{"unknown-field-top.json", 6, 3, "licence", timeline.ErrSyntax, "unknown field \"licence\""},
		{"unknown-field-event.json", 56, 7, "events[1].date", timeline.ErrSyntax, "unknown field \"date\""},
		{"unknown-field-source.json", 66, 11, "events[1].sources[0].author", timeline.ErrSyntax, "unknown field \"author\""},
		{"unknown-field-known-elsewhere.json", 71, 11, "events[1].sources[1].start", timeline.ErrSyntax, "unknown field \"start\""},
		{"unknown-field-empty-key.json", 55, 7, `events[1][""]`, timeline.ErrSyntax, `unknown field ""`},
		// Keys match exactly: "SOURCES" is not "sources".
		{"unknown-field-key-case.json", 61, 7, "events[1].SOURCES", timeline.ErrSyntax, `unknown field "SOURCES"`},
		{"unknown-field-place.json", 18, 9, "events[0].place.region", timeline.ErrSyntax, "unknown field \"region\""},
		{"unknown-field-location.json", 21, 11, "events[0].place.location.alt", timeline.ErrSyntax, "unknown field \"alt\""},
		{"unknown-field-actor.json", 28, 11, "events[0].actors[0].age", timeline.ErrSyntax, "unknown field \"age\""},
		{"wrong-type-array.json", 56, 15, "events[1].tags", timeline.ErrSyntax, "got JSON string, want an array"},
		{"wrong-type-number.json", 19, 18, "events[0].place.location.lat", timeline.ErrSyntax, "got JSON string, want a number"},
		{"wrong-type-date.json", 65, 24, "events[1].sources[0].published", timeline.ErrSyntax, "got JSON number, want a string holding an EDTF date"},
		{"wrong-type-object.json", 15, 16, "events[0].place", timeline.ErrSyntax, "got JSON array, want an object"},
		{"wrong-type-kind.json", 12, 15, "events[0].kind", timeline.ErrSyntax, "got JSON object, want a string"},
		{"wrong-type-event.json", 9, 5, "events[0]", timeline.ErrSyntax, "got JSON string, want an object"},
		{"wrong-type-tag.json", 32, 9, "events[0].tags[1]", timeline.ErrSyntax, "got JSON object, want a string"},
		{"wrong-type-top.json", 1, 1, "", timeline.ErrSyntax, "got JSON array, want an object"},
		{"number-too-large.json", 20, 18, "events[0].place.location.lon", timeline.ErrSyntax, "got JSON number 1e400, want a number that fits a 64-bit float"},
		{"bad-date.json", 65, 24, "events[1].sources[0].published", timeline.ErrDate, "invalid date \"2024-11-31\": day between 01 and 30 for 2024-11"},
		{"bad-date-start.json", 14, 16, "events[0].start", timeline.ErrDate, "invalid date \"14/11/2024\""},
		{"bad-date-updated.json", 7, 14, "updated", timeline.ErrDate, "invalid date \"2026-13-01\": month between 01 and 12"},
		// The unknown field comes before the bad date: the first mistake in
		// the file is the one reported.
		{"bad-date-after-same-text.json", 14, 7, "events[0].extra", timeline.ErrSyntax, "unknown field \"extra\""},
		{"unknown-kind.json", 54, 15, "events[1].kind", timeline.ErrVocabulary, "unknown event kind \"drone_test\": want one of weapons_test,"},
		{"unknown-status.json", 54, 17, "events[1].status", timeline.ErrVocabulary, "unknown status \"rumoured\""},
		{"unknown-source-kind.json", 70, 19, "events[1].sources[1].kind", timeline.ErrVocabulary, "unknown source kind \"blog\""},
		{"unknown-geo-precision.json", 22, 26, "events[0].place.geo_precision", timeline.ErrVocabulary, "unknown geo precision \"city\""},
		{"bad-grading.json", 40, 22, "events[0].sources[0].grading", timeline.ErrVocabulary, "unknown Admiralty grading \"G7\""},
		{"trailing-data.json", 78, 1, "", timeline.ErrSyntax, "data after the end of the dataset"},
		{"trailing-comma.json", 77, 2, "", timeline.ErrSyntax, "data after the end of the dataset"},
		{"truncated.json", 64, 11, "events[1].sources[0]", timeline.ErrSyntax, "the file ends in the middle of a value"},
		{"truncated-in-string.json", 51, 29, "events[1].title", timeline.ErrSyntax, "the file ends in the middle of a value"},
		{"missing-comma.json", 12, 7, "events[0]", timeline.ErrSyntax, "invalid character '\"' after object key:value pair"},
		{"bad-escape.json", 11, 49, "events[0].title", timeline.ErrSyntax, "invalid character 'x' in string escape code"},
		{"control-character.json", 11, 36, "events[0].title", timeline.ErrSyntax, "invalid character '\\t' in string literal"},
		{"duplicate-key.json", 56, 7, "events[1].status", timeline.ErrSyntax, `duplicate key "status"`},
		{"invalid-utf8.json", 52, 71, "events[1].summary", timeline.ErrSyntax, `invalid UTF-8: byte '\xff' in a string`},
		{"lone-surrogate.json", 11, 53, "events[0].title", timeline.ErrSyntax, `\ud83d is half of a UTF-16 surrogate pair, without the other half`},
		{"wrong-schema.json", 2, 13, "schema", timeline.ErrSyntax, "schema \"sourced/2\": want \"sourced/1\""},
		{"null-schema.json", 3, 13, "schema", timeline.ErrSyntax, "schema \"\": want \"sourced/1\""},
		{"missing-schema.json", 1, 1, "schema", timeline.ErrSyntax, "schema \"\": want \"sourced/1\""},
		{"empty.json", 1, 1, "", timeline.ErrSyntax, "the file is empty"},
		{"blank.json", 3, 1, "", timeline.ErrSyntax, "the file is empty"},
	}
	// Each broken file is base.json with one mistake; base.json itself is
	// valid and canonical.
	base, err := os.ReadFile(filepath.Join("testdata", "decode", "base.json"))
	require.NoError(t, err)
	d, err := timeline.Unmarshal(base)
	require.NoError(t, err)
	canonical, err := timeline.Marshal(d)
	require.NoError(t, err)
	require.Equal(t, string(base), string(canonical))
	covered := map[string]bool{"base.json": true, "duplicate-id.json": true, "missing-source.json": true}
	for _, tt := range tests {
		covered[tt.file] = true
	}
	files, err := filepath.Glob(filepath.Join("testdata", "decode", "*.json"))
	require.NoError(t, err)
	for _, f := range files {
		assert.True(t, covered[filepath.Base(f)], "no test case reads %s", f)
	}

	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("testdata", "decode", tt.file))
			require.NoError(t, err)
			d, err := timeline.Unmarshal(data)
			require.Error(t, err)
			assert.Nil(t, d)
			var de *timeline.DecodeError
			require.ErrorAs(t, err, &de, "%v", err)
			assert.Equal(t, tt.line, de.Line, "line")
			assert.Equal(t, tt.column, de.Column, "column")
			assert.Equal(t, tt.field, de.Field, "field")
			assert.ErrorIs(t, err, tt.err)
			assert.Contains(t, err.Error(), tt.msg)
			assert.Equal(t, "", de.File)
			where := "dataset:" + strconv.Itoa(tt.line) + ":" + strconv.Itoa(tt.column) + ": "
			if tt.field != "" {
				where += tt.field + ": "
			}
			assert.True(t, strings.HasPrefix(err.Error(), where), err.Error())
		})
	}
}

// TestDecodeValidationErrors reads well-formed files whose content is
// invalid: they give ValidationErrors, not a DecodeError.
func TestDecodeValidationErrors(t *testing.T) {
	tests := []struct {
		file  string
		id    string
		field string
		err   error
	}{
		{"duplicate-id.json", "icbm-test", "id", timeline.ErrDuplicateID},
		{"missing-source.json", "icbm-test", "sources", timeline.ErrNoSource},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			path := filepath.Join("testdata", "decode", tt.file)
			data, err := os.ReadFile(path)
			require.NoError(t, err)
			_, err = timeline.Unmarshal(data)
			var all timeline.ValidationErrors
			require.ErrorAs(t, err, &all)
			require.Len(t, all, 1)
			assert.Equal(t, tt.id, all[0].EventID)
			assert.Equal(t, tt.field, all[0].Field)
			assert.ErrorIs(t, err, tt.err)
			var de *timeline.DecodeError
			assert.False(t, errors.As(err, &de))

			_, err = timeline.Load(path)
			require.ErrorAs(t, err, &all)
			assert.ErrorIs(t, err, tt.err)
			assert.True(t, strings.HasPrefix(err.Error(), path+": timeline: 1 validation problem"), err.Error())
		})
	}
}

func TestLoadNamesTheFile(t *testing.T) {
	path := filepath.Join("testdata", "decode", "bad-date.json")
	_, err := timeline.Load(path)
	var de *timeline.DecodeError
	require.ErrorAs(t, err, &de)
	assert.Equal(t, path, de.File)
	assert.True(t, strings.HasPrefix(err.Error(), path+":65:24: events[1].sources[0].published: "), err.Error())

	_, err = timeline.Load(filepath.Join(t.TempDir(), "missing.json"))
	assert.ErrorIs(t, err, fs.ErrNotExist)
}

func TestSaveAndLoad(t *testing.T) {
	d := sampleDataset(t)
	want, err := timeline.Marshal(d)
	require.NoError(t, err)
	dir := t.TempDir()
	path := filepath.Join(dir, "sample.json")

	require.NoError(t, timeline.Save(path, d))
	got, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, want, got)
	loaded, err := timeline.Load(path)
	require.NoError(t, err)
	assert.Equal(t, d, loaded)

	// Saving over a longer file replaces it whole.
	require.NoError(t, os.WriteFile(path, bytes.Repeat([]byte("old content\n"), 10000), 0o644))
	require.NoError(t, timeline.Save(path, d))
	got, err = os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, want, got)
	info, err := os.Stat(path)
	require.NoError(t, err)
	assert.Equal(t, fs.FileMode(0o644), info.Mode().Perm())
	assertOnlyFiles(t, dir, "sample.json")
}

func TestSaveIntoMissingDirectory(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "no-such-dir", "sample.json")
	err := timeline.Save(path, sampleDataset(t))
	require.Error(t, err)
	assert.ErrorIs(t, err, fs.ErrNotExist)
	assert.Contains(t, err.Error(), "sample.json")
	assertOnlyFiles(t, dir) // nothing left behind, not even a temporary file
	_, err = os.Stat(path)
	assert.ErrorIs(t, err, fs.ErrNotExist)
}

func assertOnlyFiles(t *testing.T, dir string, names ...string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	var got []string
	for _, e := range entries {
		got = append(got, e.Name())
	}
	assert.Equal(t, names, got)
}

// TestDecodeStrict checks what decoding refuses beyond encoding/json's own
// rules (keys in another case, keys given twice, text that is not UTF-8, a
// lone UTF-16 surrogate) and what it still takes (escaped keys, surrogate
// pairs, null for any value), each at the line, column and path of the
// first offending byte.
func TestDecodeStrict(t *testing.T) {
	const head = `{"schema":"sourced/1","name":"x","events":[{"id":"a","title":`
	const tail = `,"kind":"other","status":"claimed","start":"2024","sources":[{"publisher":"p","kind":"wire"}]}]}`
	tests := []struct {
		name   string
		data   string
		column int    // on line 1; 0 when the data decodes
		field  string // the path in the error; the title when it decodes
		msg    string
	}{
		{"key case at the top", `{"Schema":"sourced/1"}`, 2, "Schema", `unknown field "Schema"`},
		{"key case in an event", head + `"t","ID":"b"` + tail, len(head) + 5, "events[0].ID", `unknown field "ID"`},
		{"key folding to ASCII", `{"schema":"sourced/1","nameſ":"x"}`, 23, `["nameſ"]`, `unknown field "nameſ"`},
		{"duplicate at the top", `{"schema":"sourced/1","name":"a","name":"b"}`, 34, "name", `duplicate key "name"`},
		{"duplicate schema", `{"schema":"sourced/1","schema":"sourced/1"}`, 23, "schema", `duplicate key "schema"`},
		{"duplicate in an event", head + `"t","title":"u"` + tail, len(head) + 5, "events[0].title", `duplicate key "title"`},
		{"duplicate escaped", head + `"t","tit\u006ce":"u"` + tail, len(head) + 5, "events[0].title", `duplicate key "title"`},
		{"duplicate in a location", head + `"t","place":{"location":{"lat":1,"lon":2,"lat":3}}` + tail, len(head) + 42, "events[0].place.location.lat", `duplicate key "lat"`},
		{"duplicate in an actor", head + `"t","actors":[{"name":"a"},{"name":"b","name":"c"}]` + tail, len(head) + 40, "events[0].actors[1].name", `duplicate key "name"`},
		{"duplicate in a source", `{"schema":"sourced/1","events":[{"sources":[{"kind":"wire","kind":"ngo"}]}]}`, 60, "events[0].sources[0].kind", `duplicate key "kind"`},
		{"invalid UTF-8 in a value", head + "\"a\xc3(\"" + tail, len(head) + 3, "events[0].title", `invalid UTF-8: byte '\xc3' in a string`},
		{"invalid UTF-8 in a key", "{\"schema\":\"sourced/1\",\"na\xffme\":\"x\"}", 26, "", `invalid UTF-8: byte '\xff' in a string`},
		{"overlong UTF-8", head + "\"\xc0\xaf\"" + tail, len(head) + 2, "events[0].title", `invalid UTF-8: byte '\xc0' in a string`},
		{"UTF-16 surrogate in UTF-8", head + "\"\xed\xa0\x80\"" + tail, len(head) + 2, "events[0].title", `invalid UTF-8: byte '\xed' in a string`},
		{"low surrogate alone", head + `"\udc00"` + tail, len(head) + 2, "events[0].title", `\udc00 is half of a UTF-16 surrogate pair`},
		{"high surrogate, then not a low one", head + `"\ud83d\u0041"` + tail, len(head) + 2, "events[0].title", `\ud83d is half of a UTF-16 surrogate pair`},
		{"high surrogate at the end", head + `"\ud83d"` + tail, len(head) + 2, "events[0].title", `\ud83d is half of a UTF-16 surrogate pair`},
		{"byte order mark", "\ufeff" + `{"schema":"sourced/1"}`, 1, "", `invalid character '\xef' looking for beginning of value`},
		{"number with a leading zero", head + `"t","place":{"location":{"lat":01}}` + tail, len(head) + 33, "events[0].place.location", `invalid character '1' after object key:value pair`},
		{"number without digits", head + `"t","place":{"location":{"lat":-x}}` + tail, len(head) + 33, "events[0].place.location.lat", `invalid character 'x' in numeric literal`},
		{"bool for a number", head + `"t","place":{"location":{"lat":true}}` + tail, len(head) + 32, "events[0].place.location.lat", `got JSON bool, want a number`},
		{"broken literal", head + `"t","place":{"location":{"lat":tru}}` + tail, len(head) + 35, "events[0].place.location.lat", `invalid character '}' in literal true (expecting 'e')`},
		{"trailing comma in an object", head + `"t",}`, len(head) + 5, "events[0]", `invalid character '}' looking for beginning of object key string`},
		{"trailing comma in an array", head + `"t","tags":["a",]` + tail, len(head) + 17, "events[0].tags[1]", `invalid character ']' looking for beginning of value`},
		{"second value", `{"schema":"sourced/1"} {}`, 24, "", "data after the end of the dataset"},

		{"surrogate pair", head + `"\ud83d\ude00 \u00e9\/"` + tail, 0, "😀 é/", ""},
		{"escaped keys", `{"\u0073chema":"sourced/1","name":"x","events":[{"id":"a","title":"t","k\u0069nd":"other","status":"claimed","start":"2024","sources":[{"publisher":"p","kind":"wire"}]}]}`, 0, "t", ""},
		{"null for every optional value", head + `"t","summary":null,"end":null,"place":null,"actors":null,"tags":null,"related":null,"notes":null` + tail, 0, "t", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := timeline.Unmarshal([]byte(tt.data))
			if tt.column == 0 {
				require.NoError(t, err)
				assert.Equal(t, tt.field, d.At(0).Title)
				return
			}
			var de *timeline.DecodeError
			require.ErrorAs(t, err, &de, "%v", err)
			assert.Equal(t, 1, de.Line, "line")
			assert.Equal(t, tt.column, de.Column, "column")
			assert.Equal(t, tt.field, de.Field, "field")
			assert.ErrorIs(t, err, timeline.ErrSyntax)
			assert.Contains(t, err.Error(), tt.msg)
		})
	}
}

// TestDecodeHostile reads input built to exhaust a decoder: a million
// levels of nesting, where the schema allows none, and values of a megabyte.
// Each gives a *DecodeError at its first byte out of place, without deep
// recursion and in little memory: the decoder reads only the nesting that
// the schema has, and reports the first value of the wrong shape as it
// starts.
func TestDecodeHostile(t *testing.T) {
	const n = 1_000_000
	const head = `{"schema":"sourced/1","name":"x","events":[{"id":"a","title":"t",`
	tests := []struct {
		name   string
		data   string
		column int
		field  string
		msg    string
		copies int // of the input that decoding may allocate
	}{
		{"arrays at the top", strings.Repeat("[", n), 1, "", "got JSON array, want an object", 0},
		{"objects at the top", strings.Repeat(`{"a":`, n), 2, "a", `unknown field "a"`, 0},
		{"arrays for the events", `{"events":` + strings.Repeat("[", n), 12, "events[0]", "got JSON array, want an object", 0},
		{"arrays for a tag", head + `"tags":` + strings.Repeat("[", n), len(head) + 9, "events[0].tags[0]", "got JSON array, want a string", 0},
		{"objects for a latitude", head + `"place":{"location":{"lat":` + strings.Repeat(`{"a":`, n), len(head) + 28, "events[0].place.location.lat", "got JSON object, want a number", 0},
		{"arrays in an unknown field", `{"schema":"sourced/1","x":` + strings.Repeat("[", n), 23, "x", `unknown field "x"`, 0},
		{"a string without its end", head + `"notes":"` + strings.Repeat("a", n), len(head) + 9 + n + 1, "events[0].notes", "the file ends in the middle of a value", 0},
		{"a key without its end", head + `"` + strings.Repeat("a", n), len(head) + 1 + n + 1, "events[0]", "the file ends in the middle of a value", 0},
		{"a number a megabyte long", head + `"place":{"location":{"lat":1` + strings.Repeat("0", n) + "}}", len(head) + 28, "events[0].place.location.lat", "want a number that fits a 64-bit float", 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := []byte(tt.data)
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			_, err := timeline.Unmarshal(data)
			runtime.ReadMemStats(&after)
			var de *timeline.DecodeError
			require.ErrorAs(t, err, &de, "%v", err)
			assert.Equal(t, 1, de.Line, "line")
			assert.Equal(t, tt.column, de.Column, "column")
			assert.Equal(t, tt.field, de.Field, "field")
			assert.ErrorIs(t, err, timeline.ErrSyntax)
			assert.Contains(t, err.Error(), tt.msg)
			// strconv.ParseFloat takes a copy of the number and, for its
			// error, another; nothing else is copied.
			assert.Less(t, after.TotalAlloc-before.TotalAlloc, uint64(64<<10+tt.copies*len(tt.data)), "bytes allocated")
			assert.Less(t, len(err.Error()), 200, "the message quotes a long value in part")
		})
	}
}
