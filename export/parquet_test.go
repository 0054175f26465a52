package export

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"

	"github.com/sourced-dev/sourced/seeds"
	"github.com/sourced-dev/sourced/timeline"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParquetDatasetLayout(t *testing.T) {
	d, err := seeds.SyntheticDataset(500, seeds.SyntheticOptions{Hostile: true})
	require.NoError(t, err)
	dir := filepath.Join(t.TempDir(), "events")
	require.NoError(t, SaveParquetDataset(context.Background(), dir, d.Metadata(), d.All(), ParquetOptions{RowGroupSize: 40}))

	years := map[string]bool{}
	for e := range d.All() {
		years[partitionKey+strconv.Itoa(e.Start.Year())] = true
	}
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
		if e.IsDir() {
			assert.True(t, years[e.Name()], e.Name())
			assertOnly(t, filepath.Join(dir, e.Name()), partitionFile)
		}
	}
	assert.Len(t, names, len(years)+1)
	assert.Contains(t, names, commonMetadata)

	// Streaming read: the years in order, each event in its year's folder.
	meta, seq, err := ReadParquetDataset(dir, ParquetReadOptions{})
	require.NoError(t, err)
	assert.Equal(t, d.Metadata(), meta)
	got := collectEvents(t, seq)
	require.Len(t, got, d.Len())
	assert.True(t, slices.IsSortedFunc(got, func(a, b timeline.Event) int { return a.Start.Year() - b.Start.Year() }))

	// An empty dataset keeps its metadata.
	empty := filepath.Join(t.TempDir(), "empty")
	require.NoError(t, SaveParquetDataset(context.Background(), empty, d.Metadata(), nil, ParquetOptions{}))
	e, err := LoadParquetDataset(empty)
	require.NoError(t, err)
	assert.Equal(t, d.Metadata(), e.Metadata())
	assert.Zero(t, e.Len())
}

func TestParquetDatasetBad(t *testing.T) {
	events := arrowEdgeEvents()
	dir := filepath.Join(t.TempDir(), "events")
	require.NoError(t, SaveParquetDataset(context.Background(), dir, arrowMeta(), slices.Values(events), ParquetOptions{}))

	// A year's file moved into another year's folder.
	require.NoError(t, os.Rename(filepath.Join(dir, "year=2019"), filepath.Join(dir, "year=2018")))
	_, err := LoadParquetDataset(dir)
	re := assertReadError(t, err, "parquet")
	require.ErrorIs(t, err, ErrValue)
	assert.Equal(t, filepath.Join(dir, "year=2018", partitionFile), re.File)
	assert.Equal(t, 1, re.Row)
	assert.Equal(t, colStart, re.Column)

	// A file of another dataset.
	require.NoError(t, os.Rename(filepath.Join(dir, "year=2018"), filepath.Join(dir, "year=2019")))
	other := arrowMeta()
	other.Name = "other"
	require.NoError(t, SaveParquet(context.Background(), filepath.Join(dir, "year=2019", "part-1.parquet"), other,
		slices.Values(events[len(events)-2:]), ParquetOptions{}))
	_, err = LoadParquetDataset(dir)
	require.ErrorIs(t, err, ErrValue)
	assert.ErrorContains(t, err, "metadata differs")

	// Not a dataset at all.
	_, err = LoadParquetDataset(t.TempDir())
	assertReadError(t, err, "parquet")
	require.ErrorIs(t, err, ErrSchema)
	_, err = LoadParquetDataset(filepath.Join(t.TempDir(), "missing"))
	assertReadError(t, err, "parquet")
}
