package main

import (
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourced-dev/sourced/export"
	"github.com/sourced-dev/sourced/seeds"
	"github.com/sourced-dev/sourced/timeline"
)

// TestRun checks that the folder reads back, through the main job's
// reader, as the generator's events in the generator's order: the pipeline
// must neither drop, repeat nor reorder a batch.
func TestRun(t *testing.T) {
	for _, tc := range []struct {
		name string
		n    int
		opts seeds.SyntheticOptions
	}{
		{"one", 1, seeds.SyntheticOptions{Seed: 1}},
		{"a batch and a part", 300, seeds.SyntheticOptions{Seed: 2}},
		{"hostile", 600, seeds.SyntheticOptions{Seed: 3, Hostile: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			require.NoError(t, run(tc.n, dir, tc.opts))
			in, err := export.Open(dir)
			require.NoError(t, err)
			defer in.Close()
			assert.Equal(t, export.FormatCSV, in.Format)
			assert.Equal(t, seeds.SyntheticMetadata(tc.n, tc.opts), in.Metadata)
			var got []timeline.Event
			for e, err := range in.Events {
				require.NoError(t, err)
				got = append(got, e)
			}
			assert.Equal(t, slices.Collect(seeds.Synthetic(tc.n, tc.opts)), got)
		})
	}
}

func TestRunRejectsNoEvents(t *testing.T) {
	assert.Error(t, run(0, t.TempDir(), seeds.SyntheticOptions{}))
}
