package atomicfile

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var errBoom = errors.New("boom")

func names(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	var out []string
	for _, e := range entries {
		out = append(out, e.Name())
	}
	return out
}

func TestWrite(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "a.txt")
	require.NoError(t, WriteFrom(path, func(w io.Writer) error { _, err := io.WriteString(w, "old"); return err }))

	err := WriteFrom(path, func(w io.Writer) error {
		_, _ = io.WriteString(w, "half of the new")
		return errBoom
	})
	require.ErrorIs(t, err, errBoom)
	got, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, "old", string(got))
	assert.Equal(t, []string{"a.txt"}, names(t, dir), "no temporary file left")

	st, err := os.Stat(path)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o644), st.Mode().Perm())
}

func TestWriteGroup(t *testing.T) {
	dir := t.TempDir()
	paths := []string{filepath.Join(dir, "a"), filepath.Join(dir, "b"), filepath.Join(dir, "c")}
	fill := func(texts ...string) func([]*os.File) error {
		return func(ws []*os.File) error {
			require.Len(t, ws, len(texts))
			for i, w := range ws {
				if _, err := io.WriteString(w, texts[i]); err != nil {
					return err
				}
			}
			return nil
		}
	}
	read := func() []string {
		var out []string
		for _, p := range paths {
			b, err := os.ReadFile(p)
			require.NoError(t, err)
			out = append(out, string(b))
		}
		return out
	}
	require.NoError(t, WriteGroup(paths, fill("1", "2", "3")))
	assert.Equal(t, []string{"1", "2", "3"}, read())

	// A failure after every file got some bytes leaves all three old.
	err := WriteGroup(paths, func(ws []*os.File) error {
		require.NoError(t, fill("new", "new", "new")(ws))
		return errBoom
	})
	require.ErrorIs(t, err, errBoom)
	assert.Equal(t, []string{"1", "2", "3"}, read())
	assert.Equal(t, []string{"a", "b", "c"}, names(t, dir), "no temporary file left")

	require.NoError(t, WriteGroup(paths, fill("x", "y", "z")))
	assert.Equal(t, []string{"x", "y", "z"}, read())

	// A path whose folder does not exist fails before anything is written.
	bad := append([]string{filepath.Join(dir, "d")}, filepath.Join(dir, "missing", "e"))
	err = WriteGroup(bad, fill("d", "e"))
	require.ErrorContains(t, err, "create temporary file for")
	assert.Equal(t, []string{"a", "b", "c"}, names(t, dir), "the first temporary file is removed too")
}

func TestWriteGroupRenameFails(t *testing.T) {
	dir := t.TempDir()
	// A folder where the second file should go: renaming a file onto it
	// fails after the first file is in place.
	paths := []string{filepath.Join(dir, "a"), filepath.Join(dir, "b")}
	require.NoError(t, os.Mkdir(paths[1], 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(paths[1], "keep"), []byte("k"), 0o644))
	err := WriteGroup(paths, func(ws []*os.File) error {
		for _, w := range ws {
			if _, err := io.WriteString(w, "new"); err != nil {
				return err
			}
		}
		return nil
	})
	require.ErrorContains(t, err, "rename into "+paths[1])
	assert.ErrorContains(t, err, "replaced already")
	assert.Equal(t, []string{"a", "b"}, names(t, dir), "the unrenamed temporary file is removed")
}

func TestSyncDir(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, SyncDir(dir))
	err := SyncDir(filepath.Join(dir, "missing"))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "sync folder "+filepath.Join(dir, "missing"))
	assert.ErrorIs(t, err, os.ErrNotExist)
}
