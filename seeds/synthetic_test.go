package seeds_test

import (
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourced-dev/sourced/seeds"
	"github.com/sourced-dev/sourced/timeline"
)

func collect(n int, opts seeds.SyntheticOptions) []timeline.Event {
	return slices.Collect(seeds.Synthetic(n, opts))
}

func TestSyntheticDeterministic(t *testing.T) {
	for _, hostile := range []bool{false, true} {
		opts := seeds.SyntheticOptions{Seed: 42, Hostile: hostile}
		a, b := collect(300, opts), collect(300, opts)
		require.Len(t, a, 300)
		assert.Equal(t, a, b, "same seed, same events")
		assert.Equal(t, a[:120], collect(120, opts), "a shorter run is a prefix of a longer one")

		other := collect(300, seeds.SyntheticOptions{Seed: 43, Hostile: hostile})
		assert.NotEqual(t, a, other, "another seed, other events")
		same := 0
		for i := range a {
			if a[i].Title == other[i].Title {
				same++
			}
		}
		assert.Less(t, same, 3, "another seed changes nearly every event")
	}
	assert.NotEqual(t, collect(50, seeds.SyntheticOptions{}), collect(50, seeds.SyntheticOptions{Hostile: true}))
	assert.Empty(t, collect(0, seeds.SyntheticOptions{}))
}

func TestSyntheticStopsEarly(t *testing.T) {
	n := 0
	for range seeds.Synthetic(1000, seeds.SyntheticOptions{}) {
		n++
		if n == 10 {
			break
		}
	}
	assert.Equal(t, 10, n)
}

func TestSyntheticValid(t *testing.T) {
	const n = 10_000
	for _, hostile := range []bool{false, true} {
		t.Run("hostile="+strconv.FormatBool(hostile), func(t *testing.T) {
			t.Parallel()
			opts := seeds.SyntheticOptions{Seed: 1, Hostile: hostile}
			events := collect(n, opts)
			require.NoError(t, timeline.Validate(seeds.SyntheticMetadata(n, opts), events))
			for i, e := range events {
				require.Equal(t, "ev-"+strconv.Itoa(i), e.ID, "events come in ID order")
			}
		})
	}
	d, err := seeds.SyntheticDataset(500, seeds.SyntheticOptions{Seed: 9, Hostile: true})
	require.NoError(t, err)
	assert.Equal(t, 500, d.Len())
	assert.Equal(t, "synthetic-500-seed-9", d.Metadata().Name)
}

// TestSyntheticCoverage checks that a modest run has every shape of value
// that exporters must carry: each precision and qualifier, intervals,
// places without coordinates, every vocabulary value, three scripts and
// the hostile text.
func TestSyntheticCoverage(t *testing.T) {
	const n = 3000
	events := collect(n, seeds.SyntheticOptions{Seed: 5, Hostile: true})
	count := map[string]int{}
	seen := func(what string, ok bool) {
		if ok {
			count[what]++
		}
	}
	var allText strings.Builder
	for _, e := range events {
		seen("start "+e.Start.Precision().String(), true)
		seen("qualifier "+strconv.Itoa(int(e.Start.Qualifier())), true)
		seen("interval", !e.End.IsZero())
		seen("end "+e.End.Precision().String(), !e.End.IsZero())
		seen("no place", e.Place == timeline.Place{})
		seen("place without coordinates", e.Place.Country != "" && e.Place.Location == nil)
		seen("coordinates", e.Place.Location != nil)
		seen("geo "+string(e.Place.GeoPrecision), e.Place.Location != nil)
		seen("kind "+string(e.Kind), true)
		seen("status "+string(e.Status), true)
		seen("related", len(e.Related) > 0)
		seen("no tags", len(e.Tags) == 0)
		seen("notes", e.Notes != "")
		seen("actors "+strconv.Itoa(len(e.Actors)), true)
		seen("sources "+strconv.Itoa(len(e.Sources)), true)
		seen("zero independent publishers", e.IndependentPublishers() == 0)
		seen("corroborated", e.IndependentPublishers() >= 2)
		for _, s := range e.Sources {
			seen("source "+string(s.Kind), true)
			seen("relayed", s.Via != "")
			seen("url", s.URL != "")
			seen("graded", !s.Grading.IsZero())
			seen("accessed", !s.Accessed.IsZero())
			seen("quote", s.Quote != "")
			seen("published "+s.Published.Precision().String(), true)
			assert.NotEqual(t, s.Publisher, s.Via, "%s: a publisher does not relay itself", e.ID)
			allText.WriteString(s.Title + s.Quote)
		}
		allText.WriteString(e.Title + e.Summary + e.Notes + e.Place.Name)
		for _, a := range e.Actors {
			allText.WriteString(a.Name)
		}
		for _, tag := range e.Tags {
			allText.WriteString(tag)
		}
		require.True(t, utf8.ValidString(e.Title+e.Summary+e.Notes))
	}
	want := []string{"start year", "start month", "start day", "qualifier 0", "qualifier 1", "qualifier 2", "qualifier 3",
		"interval", "end year", "end month", "end day", "no place", "place without coordinates", "coordinates",
		"related", "no tags", "notes", "actors 1", "actors 3", "sources 1", "sources 5",
		"zero independent publishers", "corroborated", "relayed", "url", "graded", "accessed", "quote",
		"published year", "published month", "published day"}
	for _, g := range timeline.GeoPrecisions() {
		want = append(want, "geo "+string(g))
	}
	for _, k := range timeline.Kinds() {
		want = append(want, "kind "+string(k))
	}
	for _, s := range timeline.Statuses() {
		want = append(want, "status "+string(s))
	}
	for _, k := range []timeline.SourceKind{timeline.SourceStateMedia, timeline.SourceWire, timeline.SourceNewspaper,
		timeline.SourceBroadcaster, timeline.SourceGovernment, timeline.SourceAnalysis} {
		want = append(want, "source "+string(k))
	}
	for _, w := range want {
		assert.Positive(t, count[w], "no synthetic event has %s", w)
	}

	text := allText.String()
	for _, fragment := range []string{"=SUM(", "\n", "\r\n", "\t=", "\r=", "  =", `"quoted"`, "'quoted", "a|b", `a\|b`, `back\slash\`, "comma, here", "@cmd", "+1", "-1", "무인기|미사일"} {
		assert.Contains(t, text, fragment)
	}
	for _, script := range []*unicode.RangeTable{unicode.Hangul, unicode.Cyrillic, unicode.Latin} {
		assert.True(t, strings.IndexFunc(text, func(r rune) bool { return unicode.Is(script, r) }) >= 0)
	}
}

func TestSyntheticNotHostile(t *testing.T) {
	for _, e := range collect(2000, seeds.SyntheticOptions{Seed: 5}) {
		for _, s := range []string{e.Title, e.Summary, e.Notes, e.Place.Name} {
			require.NotContains(t, s, "\n", e.ID)
			require.NotContains(t, s, "|", e.ID)
			require.False(t, strings.HasPrefix(s, "="), e.ID)
		}
		n := utf8.RuneCountInString(e.Title)
		require.True(t, n >= 40 && n <= 140, "%s: title of %d runes", e.ID, n)
		n = utf8.RuneCountInString(e.Summary)
		require.True(t, n >= 200 && n <= 620, "%s: summary of %d runes", e.ID, n)
		require.True(t, len(e.Sources) >= 1 && len(e.Sources) <= 5)
		require.True(t, len(e.Actors) >= 1 && len(e.Actors) <= 3)
	}
}
