package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/sourced-dev/sourced/export"
	"github.com/sourced-dev/sourced/seeds"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// everyFile is what the job writes for the seed dataset with no flags.
var everyFile = []string{
	"dataset.json", export.EventsCSV, export.SourcesCSV, export.PackageCSV,
	"events.arrow", "events.arrows", "events.parquet",
	"parquet/year=2022/part-0.parquet", "parquet/year=2024/part-0.parquet",
}

func mustConfig(t *testing.T, args ...string) config {
	t.Helper()
	cfg, err := parseFlags(args, &bytes.Buffer{})
	require.NoError(t, err)
	return cfg
}

func TestSeedEveryFormat(t *testing.T) {
	out := t.TempDir()
	var stdout bytes.Buffer
	require.NoError(t, run(context.Background(), mustConfig(t, "-out", out), &stdout))
	for _, f := range everyFile {
		assert.FileExists(t, filepath.Join(out, f))
		assert.Contains(t, stdout.String(), f)
	}
	want := seeds.MustLoad()
	// Every format reads back to the dataset that was written.
	for _, f := range []string{"dataset.json", ".", "events.arrow", "events.arrows", "events.parquet", "parquet"} {
		got, err := export.Load(filepath.Join(out, f))
		require.NoError(t, err, f)
		assert.Equal(t, want.Metadata(), got.Metadata(), f)
		assert.Equal(t, want.Events(), got.Events(), f)
	}
	entries, err := os.ReadDir(out)
	require.NoError(t, err)
	for _, e := range entries {
		assert.NotContains(t, e.Name(), ".export-", "the staging folder is removed")
	}
}

func TestConvertAndReplace(t *testing.T) {
	src, out := t.TempDir(), t.TempDir()
	require.NoError(t, run(context.Background(), mustConfig(t, "-synthetic", "300", "-hostile", "-out", src, "-batch", "64", "-formats", "arrow"), &bytes.Buffer{}))
	// Arrow to every other format, twice: the second run replaces the first.
	for range 2 {
		require.NoError(t, run(context.Background(), mustConfig(t, "-in", filepath.Join(src, "events.arrow"), "-out", out), &bytes.Buffer{}))
	}
	want, err := export.Load(filepath.Join(src, "events.arrow"))
	require.NoError(t, err)
	got, err := export.Load(filepath.Join(out, "events.parquet"))
	require.NoError(t, err)
	assert.Equal(t, want.Events(), got.Events())
}

func TestBadInputWritesNothing(t *testing.T) {
	src, out := t.TempDir(), t.TempDir()
	require.NoError(t, run(context.Background(), mustConfig(t, "-synthetic", "2000", "-out", src, "-batch", "100", "-formats", "arrows"), &bytes.Buffer{}))
	whole, err := os.ReadFile(filepath.Join(src, "events.arrows"))
	require.NoError(t, err)
	// Cut the stream in its last third: the first batches read, then it fails.
	bad := filepath.Join(src, "cut.arrows")
	require.NoError(t, os.WriteFile(bad, whole[:len(whole)*2/3], 0o644))

	err = run(context.Background(), mustConfig(t, "-in", bad, "-out", out), &bytes.Buffer{})
	require.Error(t, err)
	var re *export.ReadError
	require.True(t, errors.As(err, &re), "%v", err)
	assert.Equal(t, bad, re.File)
	assert.ErrorIs(t, err, export.ErrCorrupt)
	entries, err := os.ReadDir(out)
	require.NoError(t, err)
	assert.Empty(t, entries, "a failed export writes nothing")
}

// TestCancelledWritesNothing stops the job as Ctrl-C does, in each format.
func TestCancelledWritesNothing(t *testing.T) {
	for _, f := range allFormats {
		t.Run(string(f), func(t *testing.T) {
			out := t.TempDir()
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			err := run(ctx, mustConfig(t, "-synthetic", "3000", "-out", out, "-formats", string(f)), &bytes.Buffer{})
			require.ErrorIs(t, err, context.Canceled)
			entries, err := os.ReadDir(out)
			require.NoError(t, err)
			assert.Empty(t, entries, "a cancelled export writes nothing")
		})
	}
}

func TestFlags(t *testing.T) {
	for _, args := range [][]string{
		{"-formats", "arrow,xlsx"},
		{"-arrow-compression", "snappy"},
		{"-parquet-compression", "lz4"},
		{"-parquet-level", "23"},
		{"-parquet-compression", "snappy", "-parquet-level", "3"},
		{"-in", "x.json", "-synthetic", "5"},
		{"-synthetic", "-1"},
		{"stray"},
	} {
		var stderr bytes.Buffer
		_, err := parseFlags(args, &stderr)
		assert.Error(t, err, "%v", args)
		assert.Contains(t, stderr.String(), "Usage", "%v", args)
	}
	cfg := mustConfig(t, "-formats", "csv, arrow,csv")
	assert.Equal(t, []export.Format{export.FormatCSV, export.FormatArrow}, cfg.formats)
	assert.Equal(t, 3, mustConfig(t, "-parquet-level", "3").parquetLevel)
}
