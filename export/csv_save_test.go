package export

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourced-dev/sourced/seeds"
	"github.com/sourced-dev/sourced/timeline"
)

var errDiskFull = errors.New("disk full")

// failingWriter fails once limit bytes have passed through it.
type failingWriter struct {
	w     io.Writer
	limit int
}

func (f *failingWriter) Write(p []byte) (int, error) {
	if len(p) > f.limit {
		n := f.limit
		if f.w != nil {
			n, _ = f.w.Write(p[:n])
		}
		f.limit = 0
		return n, errDiskFull
	}
	f.limit -= len(p)
	if f.w == nil {
		return len(p), nil
	}
	return f.w.Write(p)
}

func TestSaveLoadCSV(t *testing.T) {
	synthetic, err := seeds.SyntheticDataset(2000, seeds.SyntheticOptions{Seed: 11, Hostile: true})
	require.NoError(t, err)
	for _, d := range []*timeline.Dataset{seeds.MustLoad(), synthetic} {
		for _, opts := range []CSVOptions{{}, {BOM: true, RawText: true}} {
			t.Run(d.Metadata().Name, func(t *testing.T) {
				dir := t.TempDir()
				files, err := SaveCSV(context.Background(), dir, d, opts)
				require.NoError(t, err)
				assert.Equal(t, CSVFiles{
					Events:  filepath.Join(dir, "events.csv"),
					Sources: filepath.Join(dir, "sources.csv"),
					Package: filepath.Join(dir, "datapackage.json"),
				}, files)
				got, err := LoadCSV(dir)
				require.NoError(t, err)
				assert.Equal(t, d.Metadata(), got.Metadata())
				assert.Equal(t, d.Events(), got.Events())
				entries, err := os.ReadDir(dir)
				require.NoError(t, err)
				assert.Len(t, entries, 3, "no temporary files left")
			})
		}
	}
}

// TestSaveCSVFailure writes through a writer that fails after n bytes: no
// file appears where there was none, and an earlier file stays as it was.
func TestSaveCSVFailure(t *testing.T) {
	d, err := seeds.SyntheticDataset(3000, seeds.SyntheticOptions{Seed: 5, Hostile: true})
	require.NoError(t, err)
	for _, n := range []int{0, 10, 70_000, 1_000_000} {
		t.Run("fresh", func(t *testing.T) {
			dir := t.TempDir()
			_, err := saveCSV(context.Background(), dir, d.Metadata(), d.All(), CSVOptions{}, func(w io.Writer) io.Writer { return &failingWriter{w: w, limit: n} })
			require.ErrorIs(t, err, errDiskFull)
			entries, err := os.ReadDir(dir)
			require.NoError(t, err)
			assert.Empty(t, entries, "after failing at byte %d", n)
		})
		t.Run("earlier files", func(t *testing.T) {
			dir := t.TempDir()
			_, err := SaveCSV(context.Background(), dir, seeds.MustLoad(), CSVOptions{})
			require.NoError(t, err)
			before := readDir(t, dir)
			_, err = saveCSV(context.Background(), dir, d.Metadata(), d.All(), CSVOptions{}, func(w io.Writer) io.Writer { return &failingWriter{w: w, limit: n} })
			require.ErrorIs(t, err, errDiskFull)
			assert.Equal(t, before, readDir(t, dir))
		})
	}
	t.Run("descriptor", func(t *testing.T) {
		// The CSV files are written whole; datapackage.json, written last,
		// fails: none of the three is replaced, in a fresh folder or over
		// an earlier save.
		failDescriptor := func(dir string) error {
			calls := 0
			_, err := saveCSV(context.Background(), dir, d.Metadata(), d.All(), CSVOptions{}, func(w io.Writer) io.Writer {
				calls++
				if calls == 3 {
					return &failingWriter{w: w, limit: 5}
				}
				return w
			})
			return err
		}
		dir := t.TempDir()
		require.ErrorIs(t, failDescriptor(dir), errDiskFull)
		entries, err := os.ReadDir(dir)
		require.NoError(t, err)
		assert.Empty(t, entries)

		_, err = SaveCSV(context.Background(), dir, seeds.MustLoad(), CSVOptions{})
		require.NoError(t, err)
		before := readDir(t, dir)
		require.ErrorIs(t, failDescriptor(dir), errDiskFull)
		assert.Equal(t, before, readDir(t, dir))
	})
	t.Run("missing folder", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "a", "b")
		files, err := SaveCSV(context.Background(), dir, seeds.MustLoad(), CSVOptions{})
		require.NoError(t, err)
		assert.FileExists(t, files.Package)
	})
}

func readDir(t *testing.T, dir string) map[string]string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	out := map[string]string{}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		require.NoError(t, err)
		out[e.Name()] = string(b)
	}
	return out
}

func TestLoadCSVErrors(t *testing.T) {
	save := func(t *testing.T) string {
		dir := t.TempDir()
		_, err := SaveCSV(context.Background(), dir, seeds.MustLoad(), CSVOptions{})
		require.NoError(t, err)
		return dir
	}
	t.Run("edited cell names the file path", func(t *testing.T) {
		dir := save(t)
		path := filepath.Join(dir, "events.csv")
		b, err := os.ReadFile(path)
		require.NoError(t, err)
		b[len(b)-2] = '9' // independent_publishers of the last event
		require.NoError(t, os.WriteFile(path, b, 0o644))
		_, err = LoadCSV(dir)
		var re *ReadError
		require.ErrorAs(t, err, &re)
		assert.Equal(t, path, re.File)
		assert.Equal(t, "independent_publishers", re.Column)
		assert.ErrorIs(t, err, ErrValue)
	})
	t.Run("invalid dataset", func(t *testing.T) {
		dir := save(t)
		require.NoError(t, os.WriteFile(filepath.Join(dir, "events.csv"), []byte("id,title,kind,status,start\nx,T,other,reported,2024\n"), 0o644))
		require.NoError(t, os.WriteFile(filepath.Join(dir, "sources.csv"), []byte("event_id,publisher,kind\n"), 0o644))
		_, err := LoadCSV(dir)
		assert.ErrorIs(t, err, timeline.ErrNoSource)
	})
	t.Run("missing descriptor", func(t *testing.T) {
		dir := save(t)
		require.NoError(t, os.Remove(filepath.Join(dir, "datapackage.json")))
		_, err := LoadCSV(dir)
		assert.ErrorIs(t, err, os.ErrNotExist)
	})
	t.Run("foreign descriptor", func(t *testing.T) {
		dir := save(t)
		require.NoError(t, os.WriteFile(filepath.Join(dir, "datapackage.json"), []byte(`{"name":"x","resources":[]}`), 0o644))
		_, err := LoadCSV(dir)
		require.Error(t, err)
		assert.Contains(t, err.Error(), `sourced.schema "": want "sourced/1"`)
	})
}
