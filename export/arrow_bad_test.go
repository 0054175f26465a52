package export

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"iter"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/ipc"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/sourced-dev/sourced/timeline"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// corpusDir holds the Apache Arrow and Parquet projects' fuzz regression
// files, outside the project (see its README.md).
const corpusDir = "../../shared/corpus"

// readAllOf reads data with the reader of format to the end and returns the
// first error. A panic fails the test (and a fatal error ends it).
func readAllOf(format string, data []byte, opts ArrowReadOptions) (n int, err error) {
	var seq iter.Seq2[timeline.Event, error]
	switch format {
	case "arrow":
		_, seq, err = ReadArrow(bytes.NewReader(data), opts)
	case "arrow-stream":
		_, seq, err = ReadArrowStream(bytes.NewReader(data), opts)
	case "parquet":
		_, seq, err = ReadParquet(bytes.NewReader(data), ParquetReadOptions(opts))
	default:
		panic(format)
	}
	if err != nil {
		return 0, err
	}
	return drainEvents(seq)
}

var readerFormats = []string{"arrow", "arrow-stream", "parquet"}

// assertReadError checks that err is what every reader error must be: a
// *ReadError of format wrapping one of the sentinels.
func assertReadError(t *testing.T, err error, format string) *ReadError {
	t.Helper()
	var re *ReadError
	if !assert.ErrorAs(t, err, &re) {
		return nil
	}
	assert.Equal(t, format, re.Format)
	assert.True(t, errors.Is(err, ErrCorrupt) || errors.Is(err, ErrSchema) || errors.Is(err, ErrValue) || errors.Is(err, ErrLimit),
		"wraps no sentinel: %v", err)
	return re
}

// TestReadCorpus meets every hostile file of the Arrow and Parquet
// projects with every reader of ours: each must give an error, never a
// panic or a fatal out-of-memory abort.
func TestReadCorpus(t *testing.T) {
	if _, err := os.Stat(corpusDir); err != nil {
		t.Skipf("no corpus of hostile files at %s (it is outside the project; CI has it): %v", corpusDir, err)
	}
	for _, sub := range []string{"arrow-ipc-file", "arrow-ipc-stream", "parquet"} {
		entries, err := os.ReadDir(filepath.Join(corpusDir, sub))
		require.NoError(t, err)
		require.NotEmpty(t, entries)
		for _, e := range entries {
			path := filepath.Join(corpusDir, sub, e.Name())
			data, err := os.ReadFile(path)
			require.NoError(t, err)
			for _, format := range readerFormats {
				t.Run(sub+"/"+e.Name()+"/"+format, func(t *testing.T) {
					_, err := readAllOf(format, data, ArrowReadOptions{File: path})
					require.Error(t, err)
					re := assertReadError(t, err, format)
					if re != nil {
						assert.Equal(t, path, re.File)
					}
				})
			}
		}
	}
}

// TestReadDamaged reads truncated and bit-flipped versions of our own files.
// Arrow and Parquet have no checksums, so a flipped bit in text can read
// back as other text; what matters is an error, never a panic.
func TestReadDamaged(t *testing.T) {
	events := arrowEdgeEvents()[:12]
	for _, c := range arrowCodecs {
		for _, comp := range c.compressions {
			data := arrowEncode(t, c, comp, events, 5)
			cuts, flips := 150, 300
			if testing.Short() {
				cuts, flips = 20, 40
			}
			t.Run(c.name+"/"+comp.String(), func(t *testing.T) {
				for n := 0; n < len(data); n += max(1, len(data)/cuts) {
					_, err := readAllOf(c.name, data[:n], ArrowReadOptions{})
					if assert.Error(t, err, "truncated to %d of %d bytes", n, len(data)) {
						assertReadError(t, err, c.name)
					}
				}
				for i := 0; i < len(data); i += max(1, len(data)/flips) {
					for _, mask := range []byte{0x01, 0xff} {
						bad := slices.Clone(data)
						bad[i] ^= mask
						if _, err := readAllOf(c.name, bad, ArrowReadOptions{}); err != nil {
							assertReadError(t, err, c.name)
						}
					}
				}
			})
		}
	}
}

// writeForeignArrow writes a valid Arrow file of another schema.
func writeForeignArrow(t *testing.T, fields ...arrow.Field) []byte {
	t.Helper()
	schema := arrow.NewSchema(fields, nil)
	b := array.NewRecordBuilder(memory.DefaultAllocator, schema)
	defer b.Release()
	for i, f := range schema.Fields() {
		switch fb := b.Field(i).(type) {
		case *array.StringBuilder:
			fb.Append("x")
		case *array.Int64Builder:
			fb.Append(1)
		default:
			t.Fatalf("no value for %s", f.Type)
		}
	}
	rec := b.NewRecord()
	defer rec.Release()
	var f memFile
	w, err := ipc.NewFileWriter(&f, ipc.WithSchema(schema))
	require.NoError(t, err)
	require.NoError(t, w.Write(rec))
	require.NoError(t, w.Close())
	return f.data
}

func TestReadForeignSchema(t *testing.T) {
	data := writeForeignArrow(t, arrow.Field{Name: "id", Type: arrow.BinaryTypes.String}, arrow.Field{Name: "n", Type: arrow.PrimitiveTypes.Int64})
	_, _, err := ReadArrow(bytes.NewReader(data), ArrowReadOptions{File: "other.arrow"})
	re := assertReadError(t, err, "arrow")
	require.ErrorIs(t, err, ErrSchema)
	assert.Equal(t, "other.arrow", re.File)
	assert.Equal(t, "title", re.Column)
	assert.Contains(t, err.Error(), "missing columns title, summary, kind, status, start, end, place_name, country, lat, lon, geo_precision, actors, tags, related, notes, sources")

	// One column of the wrong type.
	fields := slices.Clone(eventFields)
	for i := range fields {
		if fields[i].Name == colLat {
			fields[i].Type = arrow.BinaryTypes.String
		}
	}
	_, err = newEventDecoder(arrowInput{format: "arrow"}, arrow.NewSchema(fields, nil))
	re = assertReadError(t, err, "arrow")
	require.ErrorIs(t, err, ErrSchema)
	assert.Equal(t, colLat, re.Column)
	assert.Contains(t, err.Error(), `column "lat" is utf8, want float64`)

	// A column twice.
	fields = append(slices.Clone(eventFields), eventFields[0])
	_, err = newEventDecoder(arrowInput{format: "arrow"}, arrow.NewSchema(fields, nil))
	require.ErrorIs(t, err, ErrSchema)
	assert.Contains(t, err.Error(), `duplicate column "id"`)

	// Another schema version.
	md := arrow.NewMetadata([]string{MetaSchema}, []string{"sourced/99"})
	_, err = metadataFromSchema(md)
	require.ErrorIs(t, err, ErrSchema)
}

// TestReadBadValues writes files whose values are wrong for their fields
// and checks that the errors name the batch, row and column.
func TestReadBadValues(t *testing.T) {
	events := arrowEdgeEvents()[:10]
	for _, tc := range []struct {
		name   string
		column string
		edit   func(e *timeline.Event)
	}{
		{"start", colStart, func(e *timeline.Event) { e.Start = timeline.Date{} }},
		{"grading", colSources + "." + srcColGrading, func(e *timeline.Event) { e.Sources[0].Grading = timeline.Grading{Reliability: 'Z', Credibility: '9'} }},
		{"source kind", colSources + "." + srcColKind, func(e *timeline.Event) { e.Sources[0].Kind = "rumour" }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			bad := slices.Clone(events)
			bad[7] = bad[7].Clone()
			bad[7].Sources = slices.Clone(bad[7].Sources)
			tc.edit(&bad[7])
			for _, c := range arrowCodecs {
				data := arrowEncode(t, c, CompressionNone, bad, 3)
				if tc.name == "start" {
					// A missing start reads back; validation refuses it.
					_, seq, err := c.read(data, nil)
					require.NoError(t, err)
					got := collectEvents(t, seq)
					assert.Equal(t, bad, got)
					continue
				}
				n, err := readAllOf(c.name, data, ArrowReadOptions{File: "f"})
				re := assertReadError(t, err, c.name)
				require.ErrorIs(t, err, ErrValue)
				assert.Equal(t, 6, n, c.name)
				assert.Equal(t, 8, re.Row, c.name)
				assert.Equal(t, tc.column, re.Column, c.name)
				if c.name != "parquet" {
					assert.Equal(t, 2, re.Batch, c.name)
				}
			}
		})
	}
}

func TestLoadInvalid(t *testing.T) {
	events := arrowEdgeEvents()
	events[3].Start = timeline.Date{}
	path := filepath.Join(t.TempDir(), "invalid.arrow")
	require.NoError(t, SaveArrow(context.Background(), path, arrowMeta(), slices.Values(events), ArrowOptions{}))
	_, err := LoadArrow(path)
	re := assertReadError(t, err, "arrow")
	require.ErrorIs(t, err, ErrValue)
	require.ErrorIs(t, err, timeline.ErrMissing)
	assert.Equal(t, path, re.File)
}

func TestWriteRefusesVocabulary(t *testing.T) {
	events := arrowEdgeEvents()[:3]
	events[1].Kind = "parade"
	events[2].Place.Country = "XX"
	for _, c := range arrowCodecs {
		err := c.write(io.Discard, arrowMeta(), events, CompressionDefault, nil, 0)
		require.ErrorIs(t, err, timeline.ErrVocabulary, c.name)
		assert.Contains(t, err.Error(), `event "date-1" (#2)`, c.name)
		err = c.write(io.Discard, arrowMeta(), events[2:], CompressionDefault, nil, 0)
		require.ErrorIs(t, err, timeline.ErrCountry, c.name)
	}
	err := WriteArrow(context.Background(), &memFile{}, arrowMeta(), nil, ArrowOptions{Compression: CompressionSnappy})
	assert.ErrorContains(t, err, "compression snappy")
	err = WriteParquet(context.Background(), io.Discard, arrowMeta(), nil, ParquetOptions{Compression: CompressionLZ4})
	assert.ErrorContains(t, err, "compression lz4")
}

// TestWriteFailing makes the writer fail after n bytes, for many n: the
// writers must return the error, never panic.
func TestWriteFailing(t *testing.T) {
	_, events := arrowSynthetic(300)
	for _, c := range arrowCodecs {
		var full bytes.Buffer
		require.NoError(t, c.write(&full, arrowMeta(), events, CompressionZstd, nil, 100))
		for n := 0; n < full.Len(); n += max(1, full.Len()/50) {
			var err error
			if c.name == "arrow" {
				err = WriteArrow(context.Background(), &failFile{n: n}, arrowMeta(), slices.Values(events), ArrowOptions{BatchSize: 100, Compression: CompressionZstd})
			} else {
				err = c.write(&failFile{n: n}, arrowMeta(), events, CompressionZstd, nil, 100)
			}
			assert.ErrorIs(t, err, errFailWrite, "%s failing after %d bytes", c.name, n)
		}
	}
}

// TestSaveFailing checks that a failed save leaves no file, or for a
// dataset no folder, and an earlier one intact.
func TestSaveFailing(t *testing.T) {
	events := arrowEdgeEvents()
	// An event that the writers refuse, after enough events for the first
	// batches to be written.
	bad := append(slices.Clone(events), events...)
	bad = append(bad, timeline.Event{ID: "bad", Kind: "parade", Start: arrowDate("2024")})
	saves := []struct {
		name string
		save func(path string, events []timeline.Event) error
	}{
		{"arrow", func(p string, ev []timeline.Event) error {
			return SaveArrow(context.Background(), p, arrowMeta(), slices.Values(ev), ArrowOptions{BatchSize: 4})
		}},
		{"arrow-stream", func(p string, ev []timeline.Event) error {
			return SaveArrowStream(context.Background(), p, arrowMeta(), slices.Values(ev), ArrowOptions{BatchSize: 4})
		}},
		{"parquet", func(p string, ev []timeline.Event) error {
			return SaveParquet(context.Background(), p, arrowMeta(), slices.Values(ev), ParquetOptions{RowGroupSize: 4})
		}},
		{"dataset", func(p string, ev []timeline.Event) error {
			return SaveParquetDataset(context.Background(), p, arrowMeta(), slices.Values(ev), ParquetOptions{RowGroupSize: 4})
		}},
	}
	for _, s := range saves {
		t.Run(s.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "out")
			require.Error(t, s.save(path, bad))
			assert.NoFileExists(t, path)
			assert.NoDirExists(t, path)
			assertOnly(t, dir)

			require.NoError(t, s.save(path, events[:5]))
			before := snapshot(t, path)
			require.Error(t, s.save(path, bad))
			assert.Equal(t, before, snapshot(t, path), "the earlier file is intact")
			assertOnly(t, dir, "out")
		})
	}
	t.Run("dataset/not-a-dataset", func(t *testing.T) {
		dir := t.TempDir()
		require.NoError(t, os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("mine"), 0o644))
		err := SaveParquetDataset(context.Background(), dir, arrowMeta(), slices.Values(events), ParquetOptions{})
		require.ErrorContains(t, err, "will not replace")
		assert.FileExists(t, filepath.Join(dir, "notes.txt"))
	})
	t.Run("dataset/no-start", func(t *testing.T) {
		ev := slices.Clone(events)
		ev[4].Start = timeline.Date{}
		err := SaveParquetDataset(context.Background(), filepath.Join(t.TempDir(), "d"), arrowMeta(), slices.Values(ev), ParquetOptions{})
		require.ErrorContains(t, err, "no start date")
	})
}

// assertOnly checks that dir holds the named entries and nothing else (no
// temporary file or folder left behind).
func assertOnly(t *testing.T, dir string, names ...string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	var got []string
	for _, e := range entries {
		got = append(got, e.Name())
	}
	assert.Equal(t, names, got)
}

// snapshot returns the contents of the file, or of every file under the
// folder, at path.
func snapshot(t *testing.T, path string) map[string]string {
	t.Helper()
	out := map[string]string{}
	require.NoError(t, filepath.WalkDir(path, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		out[p] = string(b)
		return err
	}))
	return out
}

// TestReadMemoryLimit checks that an honest file over the limit gives
// ErrLimit with a way out, and reads with the limit raised.
func TestReadMemoryLimit(t *testing.T) {
	_, events := arrowSynthetic(2000)
	for _, c := range arrowCodecs {
		data := arrowEncode(t, c, CompressionZstd, events, 2000)
		_, err := readAllOf(c.name, data, ArrowReadOptions{MaxMemory: 1 << 20})
		require.ErrorIs(t, err, ErrLimit, c.name)
		assert.ErrorContains(t, err, "MaxMemory", c.name)
		n, err := readAllOf(c.name, data, ArrowReadOptions{MaxMemory: 256 << 20})
		require.NoError(t, err, c.name)
		assert.Equal(t, len(events), n)
	}
	assert.Equal(t, int64(64<<20), memoryLimit(1000, 0))
	assert.Equal(t, int64(160<<20), memoryLimit(10<<20, 0))
	assert.Equal(t, int64(DefaultMaxMemory), memoryLimit(1<<40, 0))
	assert.Equal(t, int64(DefaultMaxMemory), memoryLimit(-1, 0))
	assert.Equal(t, int64(1<<20), memoryLimit(1000, 1<<20))
}

// TestArrowFileReaderLeak pins the leak that limitAllocator works around:
// arrow v17's ipc.FileReader reads the dictionaries when it opens (their
// messages and arrays) and never releases them (FileReader.readSchema
// never releases the dictionary messages, and FileReader.Close leaves its
// dictionary memo, which the stream Reader's Release clears). Given a
// checked allocator directly, it still holds after Close exactly what it
// allocated while opening: every byte for the batches comes back. If this
// fails with zero bytes held, an upgraded arrow has fixed it, and
// limitAllocator's gc mode can go.
func TestArrowFileReaderLeak(t *testing.T) {
	data := arrowEncode(t, arrowCodecs[0], CompressionNone, arrowEdgeEvents(), 5)
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	fr, err := ipc.NewFileReader(bytes.NewReader(data), ipc.WithAllocator(mem))
	require.NoError(t, err)
	atOpen := mem.CurrentAlloc()
	assert.Positive(t, atOpen)
	assert.Equal(t, 6, fr.NumDictionaries(), "kind, status, start_precision, end_precision, country, geo_precision")
	require.Greater(t, fr.NumRecords(), 1)
	for i := range fr.NumRecords() {
		rec, err := fr.RecordAt(i)
		require.NoError(t, err)
		rec.Release()
	}
	require.NoError(t, fr.Close())
	assert.Equal(t, atOpen, mem.CurrentAlloc(), "arrow v17 holds what it allocated for the dictionaries after FileReader.Close")
}

func TestCompressionString(t *testing.T) {
	for c, want := range map[Compression]string{CompressionDefault: "default", CompressionNone: "none", CompressionZstd: "zstd",
		CompressionLZ4: "lz4", CompressionSnappy: "snappy", 42: "Compression(42)"} {
		assert.Equal(t, want, c.String())
	}
	assert.Equal(t, fmt.Sprint(CompressionZstd), "zstd")
}

// TestReadHugeSchemaLists makes the list of fields in a schema claim two
// billion entries: arrow v17 would make a slice that long (a fatal
// out-of-memory error); the readers check it first.
func TestReadHugeSchemaLists(t *testing.T) {
	// patch sets the length of the fields list of the schema table at s
	// in the flatbuffer b.
	patch := func(t *testing.T, b flatBuf, s uint32) {
		f, err := b.field(s, slotSchemaFields)
		require.NoError(t, err)
		require.NotZero(t, f)
		v, err := b.indirect(f)
		require.NoError(t, err)
		binary.LittleEndian.PutUint32(b[v:], 0x7fffffff)
	}
	events := arrowEdgeEvents()[:2]

	t.Run("arrow-stream", func(t *testing.T) {
		data := arrowEncode(t, arrowCodecs[1], CompressionNone, events, 0)
		require.Equal(t, uint32(ipcContinuation), binary.LittleEndian.Uint32(data))
		n := binary.LittleEndian.Uint32(data[4:])
		meta := flatBuf(data[8 : 8+n])
		root, err := meta.root()
		require.NoError(t, err)
		s, err := meta.table(root, slotMessageHeader)
		require.NoError(t, err)
		patch(t, meta, s)
		_, err = readAllOf("arrow-stream", data, ArrowReadOptions{})
		require.ErrorIs(t, err, ErrCorrupt)
		assert.ErrorContains(t, err, "claims 2147483647 entries")
	})
	t.Run("arrow", func(t *testing.T) {
		data := arrowEncode(t, arrowCodecs[0], CompressionNone, events, 0)
		size := len(data)
		n := int(binary.LittleEndian.Uint32(data[size-10:]))
		footer := flatBuf(data[size-10-n : size-10])
		root, err := footer.root()
		require.NoError(t, err)
		s, err := footer.table(root, slotFooterSchema)
		require.NoError(t, err)
		patch(t, footer, s)
		_, err = readAllOf("arrow", data, ArrowReadOptions{})
		require.ErrorIs(t, err, ErrCorrupt)
		assert.ErrorContains(t, err, "claims 2147483647 entries")
	})
}
