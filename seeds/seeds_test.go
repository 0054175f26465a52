package seeds_test

import (
	"flag"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourced-dev/sourced/seeds"
	"github.com/sourced-dev/sourced/timeline"
)

// update rewrites dprk-drones.json in canonical form: go test ./seeds -update.
var update = flag.Bool("update", false, "rewrite "+seeds.FileName+" in canonical form")

func TestLoadValidates(t *testing.T) {
	d, err := seeds.Load()
	require.NoError(t, err)
	require.NoError(t, timeline.Validate(d.Metadata(), d.Events()))
	assert.Equal(t, "dprk-drones-2024", d.Metadata().Name)
	assert.Equal(t, "CC-BY-4.0", d.Metadata().License)
	assert.NotPanics(t, func() { seeds.MustLoad() })
}

// TestCanonicalFile holds the embedded file to the canonical form, so that
// a reviewed change to it is the small diff that Marshal would make.
func TestCanonicalFile(t *testing.T) {
	d, err := seeds.Load()
	require.NoError(t, err)
	canonical, err := timeline.Marshal(d)
	require.NoError(t, err)
	if *update {
		require.NoError(t, os.WriteFile(seeds.FileName, canonical, 0o644))
		return
	}
	onDisk, err := os.ReadFile(seeds.FileName)
	require.NoError(t, err)
	assert.Equal(t, string(onDisk), string(seeds.JSON()), "the embedded file is the one on disk")
	assert.Equal(t, string(canonical), string(onDisk), "run go test ./seeds -update to rewrite it")
}

func TestJSONReturnsACopy(t *testing.T) {
	a := seeds.JSON()
	require.NotEmpty(t, a)
	a[0] = 'x'
	assert.Equal(t, byte('{'), seeds.JSON()[0])
}

// TestSeedEvents checks the dataset against the events its package doc
// lists, with the precision the sources give.
func TestSeedEvents(t *testing.T) {
	d, err := seeds.Load()
	require.NoError(t, err)
	tests := []struct {
		id          string
		start       string
		precision   timeline.Precision
		kind        timeline.Kind
		status      timeline.Status
		country     string
		independent int // publishers that back it first-hand, not state media
	}{
		{"dprk-drone-incursion-south-korea", "2022-12-26", timeline.PrecisionDay, timeline.KindIncursion, timeline.StatusConfirmed, "KR", 1},
		{"dprk-solid-fuel-icbm-test", "2024-10-31", timeline.PrecisionDay, timeline.KindWeaponsTest, timeline.StatusConfirmed, "KP", 1},
		{"dprk-russia-weapons-troops-accusations", "2024-11", timeline.PrecisionMonth, timeline.KindAccusation, timeline.StatusAlleged, "", 1},
		{"dprk-kamikaze-drone-mass-production-order", "2024-11-14", timeline.PrecisionDay, timeline.KindOrder, timeline.StatusClaimed, "KP", 0},
		{"dprk-kamikaze-drone-test", "2024-11-14", timeline.PrecisionDay, timeline.KindWeaponsTest, timeline.StatusClaimed, "KP", 0},
	}
	require.Equal(t, len(tests), d.Len())
	for i, tt := range tests {
		t.Run(tt.id, func(t *testing.T) {
			assert.Equal(t, tt.id, d.At(i).ID, "chronological order")
			e, ok := d.Get(tt.id)
			require.True(t, ok)
			assert.Equal(t, tt.start, e.Start.String())
			assert.Equal(t, tt.precision, e.Start.Precision())
			assert.True(t, e.End.IsZero())
			assert.Equal(t, tt.kind, e.Kind)
			assert.Equal(t, tt.status, e.Status)
			assert.Equal(t, tt.country, e.Place.Country)
			assert.Nil(t, e.Place.Location, "no source gives coordinates")
			assert.Equal(t, tt.independent, e.IndependentPublishers())
			assert.NotEmpty(t, e.Title)
			assert.NotEmpty(t, e.Summary)
		})
	}
}

func TestSeedSources(t *testing.T) {
	d, err := seeds.Load()
	require.NoError(t, err)
	for e := range d.All() {
		require.NotEmpty(t, e.Sources, e.ID)
		for _, s := range e.Sources {
			assert.NotEmpty(t, s.Publisher, e.ID)
			assert.NotEmpty(t, s.Kind, e.ID)
			assert.False(t, s.Published.IsZero(), "%s: %s gives no publication date", e.ID, s.Publisher)
			assert.Empty(t, s.URL, "%s: no URL is known for certain", e.ID)
			assert.Empty(t, s.Quote, "%s: the project carries facts, not the article's sentences", e.ID)
		}
	}
	// The article credits KCNA and the Associated Press: the drone test and
	// the order are KCNA's, relayed by AP.
	test, _ := d.Get("dprk-kamikaze-drone-test")
	assert.Equal(t, []string{"KCNA", "Associated Press"}, test.Publishers())
	assert.Equal(t, "KCNA", test.Sources[1].Originator())
	assert.Equal(t, []string{"dprk-kamikaze-drone-test"}, ids(d.Select(timeline.OfKind(timeline.KindWeaponsTest), timeline.Tagged("kamikaze-drones"))))
}

func ids(seq func(func(timeline.Event) bool)) []string {
	var out []string
	for e := range seq {
		out = append(out, e.ID)
	}
	return out
}
