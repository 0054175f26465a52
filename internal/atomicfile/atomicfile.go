// Package atomicfile writes a file so that readers see either the complete
// new file or the old one, never a part: it writes a temporary file in the
// same folder, syncs it and renames it into place only when the writing
// succeeded, then syncs the folder so that the rename itself survives a
// crash. The timeline and export packages both save files through it.
package atomicfile

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"syscall"
)

// Write creates path with the bytes that write produces. write gets the
// temporary *os.File (an io.WriteSeeker, as Arrow's file writer needs). If
// write fails, or syncing or renaming does, the temporary file is removed,
// any earlier file at path is left as it was, and the error is returned.
func Write(path string, write func(f *os.File) error) error {
	return WriteGroup([]string{path}, func(files []*os.File) error { return write(files[0]) })
}

// WriteFrom is Write for a writer that takes an io.Writer.
func WriteFrom(path string, write func(w io.Writer) error) error {
	return Write(path, func(f *os.File) error { return write(f) })
}

// WriteGroup writes several files that belong together, such as a CSV
// pair and its descriptor: write gets one temporary file per path, in the
// same order, and only when it has succeeded and every file is synced are
// the files renamed into place, one after the other. If anything before the
// renames fails, every temporary file is removed and every earlier file is
// left as it was. The renames themselves are not one operation: should one
// of them fail (it fails only when the folder itself goes away or turns
// read-only), the files renamed before it stay new.
func WriteGroup(paths []string, write func(files []*os.File) error) (err error) {
	tmps := make([]*os.File, 0, len(paths))
	defer func() {
		if err != nil {
			for _, tmp := range tmps {
				tmp.Close()
				os.Remove(tmp.Name())
			}
		}
	}()
	for _, path := range paths {
		dir, base := filepath.Split(path)
		if dir == "" {
			dir = "."
		}
		tmp, err := os.CreateTemp(dir, "."+base+".tmp-*")
		if err != nil {
			return fmt.Errorf("create temporary file for %s: %w", path, err)
		}
		tmps = append(tmps, tmp)
	}
	if err = write(tmps); err != nil {
		return err
	}
	for i, tmp := range tmps {
		if err = tmp.Sync(); err != nil {
			return fmt.Errorf("sync %s: %w", paths[i], err)
		}
		if err = tmp.Close(); err != nil {
			return fmt.Errorf("close %s: %w", paths[i], err)
		}
		// CreateTemp makes the file 0600; a dataset is for sharing.
		if err = os.Chmod(tmp.Name(), 0o644); err != nil {
			return fmt.Errorf("chmod %s: %w", paths[i], err)
		}
	}
	for i, tmp := range tmps {
		if err = os.Rename(tmp.Name(), paths[i]); err != nil {
			err = fmt.Errorf("rename into %s: %w", paths[i], err)
			if i > 0 {
				err = fmt.Errorf("%w (%s and the files before it were replaced already)", err, paths[i-1])
			}
			// The files already renamed are in place; remove only the rest.
			tmps = tmps[i:]
			return err
		}
	}
	dirs := map[string]bool{}
	for _, path := range paths {
		if dir := filepath.Dir(path); !dirs[dir] {
			dirs[dir] = true
			if err := SyncDir(dir); err != nil {
				return err
			}
		}
	}
	return nil
}

// SyncDir flushes a folder's entries to disk, so that files renamed into
// it stay renamed after a crash or power loss. Where folders cannot be
// synced (Windows, and file systems that refuse it with EINVAL), it does
// nothing.
func SyncDir(dir string) error {
	if runtime.GOOS == "windows" {
		return nil
	}
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("sync folder %s: %w", dir, err)
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	if err != nil && !errors.Is(err, syscall.EINVAL) && !errors.Is(err, errors.ErrUnsupported) {
		return fmt.Errorf("sync folder %s: %w", dir, err)
	}
	return nil
}
