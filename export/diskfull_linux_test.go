package export

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourced-dev/sourced/seeds"
	"github.com/sourced-dev/sourced/timeline"
)

// A full disk, for real: the child process below runs each save under a
// file size limit (RLIMIT_FSIZE), so the kernel fails its writes with EFBIG
// part way through, as a full file system fails them with ENOSPC. The
// failing-writer tests cover every byte offset; this one proves the same on
// real files, renames and syncs.

const (
	diskFullEnvDir   = "SOURCED_TEST_DISKFULL_DIR"
	diskFullEnvSave  = "SOURCED_TEST_DISKFULL_SAVE"
	diskFullEnvLimit = "SOURCED_TEST_DISKFULL_LIMIT"
)

// diskFullSaves are the savers under test, by name; each writes about a
// megabyte for 2000 synthetic events.
var diskFullSaves = map[string]func(path string) error{
	"arrow": func(p string) error {
		meta, events := diskFullEvents()
		return SaveArrow(context.Background(), p, meta, slices.Values(events), ArrowOptions{BatchSize: 256})
	},
	"arrows": func(p string) error {
		meta, events := diskFullEvents()
		return SaveArrowStream(context.Background(), p, meta, slices.Values(events), ArrowOptions{BatchSize: 256})
	},
	"parquet": func(p string) error {
		meta, events := diskFullEvents()
		return SaveParquet(context.Background(), p, meta, slices.Values(events), ParquetOptions{RowGroupSize: 256, Compression: CompressionNone})
	},
	"partitioned": func(p string) error {
		meta, events := diskFullEvents()
		return SaveParquetDataset(context.Background(), p, meta, slices.Values(events), ParquetOptions{RowGroupSize: 256, Compression: CompressionNone})
	},
	"csv": func(p string) error {
		meta, events := diskFullEvents()
		_, err := SaveCSVEvents(context.Background(), p, meta, slices.Values(events), CSVOptions{})
		return err
	},
	"json": func(p string) error {
		meta, events := diskFullEvents()
		d, err := timeline.New(meta, events)
		if err != nil {
			return err
		}
		return timeline.Save(p, d)
	},
}

func diskFullEvents() (timeline.Metadata, []timeline.Event) {
	opts := seeds.SyntheticOptions{Seed: 11}
	return seeds.SyntheticMetadata(2000, opts), slices.Collect(seeds.Synthetic(2000, opts))
}

func TestSaveOnFullDisk(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a process per format")
	}
	for name, save := range diskFullSaves {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "out")
			// An earlier, complete save, small enough to fit under the
			// limit the child runs with.
			require.NoError(t, save(path))
			before := snapshot(t, path)
			var size int64
			for _, content := range before {
				size = max(size, int64(len(content)))
			}
			limit := size / 3

			cmd := exec.Command(os.Args[0], "-test.run=^TestSaveOnFullDiskChild$", "-test.v")
			cmd.Env = append(os.Environ(), diskFullEnvDir+"="+dir, diskFullEnvSave+"="+name,
				diskFullEnvLimit+"="+strconv.FormatInt(limit, 10))
			out, err := cmd.CombinedOutput()
			require.NoError(t, err, "the child process:\n%s", out)
			require.Contains(t, string(out), "save failed as it should", "the child process:\n%s", out)

			assert.Equal(t, before, snapshot(t, path), "the earlier save is intact")
			assertOnly(t, dir, "out")
		})
	}
}

// TestSaveOnFullDiskChild is the child process of TestSaveOnFullDisk; it
// does nothing in a normal test run.
func TestSaveOnFullDiskChild(t *testing.T) {
	dir, name := os.Getenv(diskFullEnvDir), os.Getenv(diskFullEnvSave)
	if dir == "" {
		t.Skip("run by TestSaveOnFullDisk")
	}
	limit, err := strconv.ParseUint(os.Getenv(diskFullEnvLimit), 10, 64)
	require.NoError(t, err)
	var rl syscall.Rlimit
	require.NoError(t, syscall.Getrlimit(syscall.RLIMIT_FSIZE, &rl))
	rl.Cur = limit // Go's runtime ignores SIGXFSZ, so writes fail with EFBIG
	require.NoError(t, syscall.Setrlimit(syscall.RLIMIT_FSIZE, &rl))

	err = diskFullSaves[name](filepath.Join(dir, "out"))
	require.ErrorIs(t, err, syscall.EFBIG)
	t.Log("save failed as it should:", err)
}
