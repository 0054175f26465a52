// Package atomicfile writes a file so that readers see either the complete
// new file or the old one, never a part: it writes a temporary file in the
// same folder, syncs it and renames it into place only when the writing
// succeeded. The timeline and export packages both save files through it.
package atomicfile

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// Write creates path with the bytes that write produces. write gets the
// temporary *os.File (an io.WriteSeeker, as Arrow's file writer needs). If
// write fails, or syncing or renaming does, the temporary file is removed,
// any earlier file at path is left as it was, and the error is returned.
func Write(path string, write func(f *os.File) error) (err error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	tmp, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return fmt.Errorf("create temporary file for %s: %w", path, err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if err = write(tmp); err != nil {
		return err
	}
	if err = tmp.Sync(); err != nil {
		return fmt.Errorf("sync %s: %w", path, err)
	}
	if err = tmp.Close(); err != nil {
		return fmt.Errorf("close %s: %w", path, err)
	}
	// CreateTemp makes the file 0600; a dataset is for sharing.
	if err = os.Chmod(tmp.Name(), 0o644); err != nil {
		return fmt.Errorf("chmod %s: %w", path, err)
	}
	if err = os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("rename into %s: %w", path, err)
	}
	return nil
}

// WriteFrom is Write for a writer that takes an io.Writer.
func WriteFrom(path string, write func(w io.Writer) error) error {
	return Write(path, func(f *os.File) error { return write(f) })
}
