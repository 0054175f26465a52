package timeline_test

import (
	"iter"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourced-dev/sourced/seeds"
	"github.com/sourced-dev/sourced/timeline"
)

func ids(seq iter.Seq[timeline.Event]) []string {
	var out []string
	for e := range seq {
		out = append(out, e.ID)
	}
	return out
}

func eventIDs(events []timeline.Event) []string {
	var out []string
	for _, e := range events {
		out = append(out, e.ID)
	}
	return out
}

func sampleDataset(t testing.TB) *timeline.Dataset {
	t.Helper()
	d, err := timeline.New(sampleMeta, sampleEvents())
	require.NoError(t, err)
	return d
}

// sampleOrder is the chronological order of sampleEvents.
var sampleOrder = []string{"drone-incursion", "month-approx", "year-only", "day-uncertain", "icbm-test",
	"russia-accusations", "drone-test", "mass-production-order", "exact-last"}

func TestDatasetOrder(t *testing.T) {
	// Start of period, then coarser first, then ID; qualifiers do not count.
	in := []timeline.Event{
		minimalEvent("b-day", "2024-11-14"),
		minimalEvent("later", "2025%"),
		minimalEvent("month-first-day", "2024-11-01"),
		minimalEvent("c-day-approx", "2024-11-14~"),
		minimalEvent("jan-first", "2024-01-01"),
		minimalEvent("year", "2024"),
		minimalEvent("month", "2024-11"),
		minimalEvent("a-day-uncertain", "2024-11-14?"),
		minimalEvent("year-jan", "2024-01"),
		minimalEvent("prev", "2023-12-31"),
		minimalEvent("z-year-uncertain", "2024?"),
	}
	want := []string{"prev", "year", "z-year-uncertain", "year-jan", "jan-first", "month", "month-first-day",
		"a-day-uncertain", "b-day", "c-day-approx", "later"}
	for seed := range uint64(20) {
		shuffled := slices.Clone(in)
		r := rand.New(rand.NewPCG(seed, 1))
		r.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
		d, err := timeline.New(sampleMeta, shuffled)
		require.NoError(t, err)
		require.Equal(t, want, eventIDs(d.Events()), "seed %d", seed)
		assert.True(t, slices.IsSortedFunc(d.Events(), func(a, b timeline.Event) int { return timeline.Compare(&a, &b) }))
	}
	a, b := minimalEvent("a", "2024-11-14?"), minimalEvent("b", "2024-11-14")
	assert.Equal(t, -1, timeline.Compare(&a, &b))
	assert.Equal(t, 1, timeline.Compare(&b, &a))
	assert.Equal(t, 0, timeline.Compare(&a, &a))
}

func TestDatasetAccess(t *testing.T) {
	d := sampleDataset(t)
	assert.Equal(t, sampleMeta, d.Metadata())
	assert.Equal(t, len(sampleOrder), d.Len())
	assert.Equal(t, sampleOrder, eventIDs(d.Events()))
	assert.Equal(t, sampleOrder, ids(d.All()))
	for i, id := range sampleOrder {
		assert.Equal(t, id, d.At(i).ID)
		e, ok := d.Get(id)
		require.True(t, ok, id)
		assert.Equal(t, d.At(i), e)
	}
	e, ok := d.Get("no-such-event")
	assert.False(t, ok)
	assert.Equal(t, timeline.Event{}, e)
	assert.Panics(t, func() { d.At(d.Len()) })

	// Breaking out of a range over an iterator stops it.
	var first []string
	for e := range d.All() {
		first = append(first, e.ID)
		if len(first) == 2 {
			break
		}
	}
	assert.Equal(t, sampleOrder[:2], first)
}

func TestDatasetIsolation(t *testing.T) {
	in := sampleEvents()
	d, err := timeline.New(sampleMeta, in)
	require.NoError(t, err)
	in[0].Title = "changed after New"
	in[1] = timeline.Event{}
	got, _ := d.Get("drone-test")
	assert.Equal(t, "Kim Jong Un watches a drone test", got.Title, "New copies the slice of events")

	events := d.Events()
	events[0].Title = "changed in the copy"
	assert.NotEqual(t, "changed in the copy", d.At(0).Title, "Events returns a copy")

	c := got.Clone()
	c.Actors[0].Name = "x"
	c.Tags[0] = "x"
	c.Related[0] = "x"
	c.Sources[0].Publisher = "x"
	c.Place.Location.Lat = 0
	again, _ := d.Get("drone-test")
	assert.Equal(t, got, again, "Clone is deep")
	assert.Equal(t, fullEvent("drone-test").Place, again.Place)
}

func TestNewNormalizesEmptySlices(t *testing.T) {
	e := minimalEvent("a", "2024")
	e.Actors, e.Tags, e.Related = []timeline.Actor{}, []string{}, []string{}
	d, err := timeline.New(sampleMeta, []timeline.Event{e})
	require.NoError(t, err)
	got := d.At(0)
	assert.Nil(t, got.Actors)
	assert.Nil(t, got.Tags)
	assert.Nil(t, got.Related)

	empty, err := timeline.New(sampleMeta, []timeline.Event{})
	require.NoError(t, err)
	assert.Nil(t, empty.Events())
	assert.Equal(t, 0, empty.Len())
	assert.Empty(t, ids(empty.All()))
	assert.Nil(t, empty.GroupByMonth())
}

func TestSelect(t *testing.T) {
	d := sampleDataset(t)
	tests := []struct {
		name    string
		filters []timeline.Filter
		want    []string
	}{
		{"no filter", nil, sampleOrder},
		{"kind", []timeline.Filter{timeline.OfKind(timeline.KindWeaponsTest)}, []string{"icbm-test", "drone-test"}},
		{"kinds", []timeline.Filter{timeline.OfKind(timeline.KindOrder, timeline.KindAccusation)}, []string{"russia-accusations", "mass-production-order"}},
		{"no kind", []timeline.Filter{timeline.OfKind()}, nil},
		{"status", []timeline.Filter{timeline.WithStatus(timeline.StatusClaimed)}, []string{"drone-test", "mass-production-order"}},
		{"statuses", []timeline.Filter{timeline.WithStatus(timeline.StatusAlleged, timeline.StatusConfirmed)}, []string{"icbm-test", "russia-accusations"}},
		{"actor any case", []timeline.Filter{timeline.WithActor("kim jong un")}, []string{"drone-test", "mass-production-order"}},
		{"actor absent", []timeline.Filter{timeline.WithActor("Kim")}, nil},
		{"tag any case", []timeline.Filter{timeline.Tagged("RUSSIA")}, []string{"russia-accusations"}},
		{"tag in Hangul", []timeline.Filter{timeline.Tagged("무인기")}, []string{"drone-test"}},
		{"country any case", []timeline.Filter{timeline.InCountry("kp")}, []string{"day-uncertain", "icbm-test", "drone-test"}},
		{"no country", []timeline.Filter{timeline.InCountry("")}, []string{"month-approx", "year-only", "mass-production-order", "exact-last"}},
		{"publisher first-hand or relayed", []timeline.Filter{timeline.ReportedBy("kcna")}, []string{"drone-test", "mass-production-order"}},
		{"publisher", []timeline.Filter{timeline.ReportedBy("Associated Press")}, []string{"drone-test"}},
		{"coarse dates in range", []timeline.Filter{timeline.During(timeline.MustParseDate("2024-11-20"), timeline.MustParseDate("2024-12-31"))}, []string{"year-only", "russia-accusations"}},
		{"interval in range", []timeline.Filter{timeline.During(timeline.MustParseDate("2023-07"), timeline.MustParseDate("2023-07"))}, []string{"month-approx"}},
		{"open start", []timeline.Filter{timeline.During(timeline.Date{}, timeline.MustParseDate("2023-06-15"))}, []string{"drone-incursion", "month-approx"}},
		{"open end", []timeline.Filter{timeline.During(timeline.MustParseDate("2024-11-15"), timeline.Date{})}, []string{"year-only", "russia-accusations", "drone-test", "exact-last"}},
		{"one independent publisher", []timeline.Filter{timeline.MinIndependentPublishers(1)}, []string{"drone-incursion", "month-approx", "year-only", "day-uncertain", "icbm-test", "russia-accusations", "exact-last"}},
		{"two independent publishers", []timeline.Filter{timeline.MinIndependentPublishers(2)}, []string{"icbm-test"}},
		{"composed: country, kind, corroborated", []timeline.Filter{timeline.InCountry("KP"), timeline.OfKind(timeline.KindWeaponsTest), timeline.MinIndependentPublishers(1)}, []string{"icbm-test"}},
		{"composed: actor, status, month", []timeline.Filter{timeline.WithActor("Kim Jong Un"), timeline.WithStatus(timeline.StatusClaimed), timeline.During(timeline.MustParseDate("2024-11"), timeline.MustParseDate("2024-11"))}, []string{"drone-test", "mass-production-order"}},
		{"composed: nothing passes all", []timeline.Filter{timeline.Tagged("drones"), timeline.OfKind(timeline.KindOrder)}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, ids(d.Select(tt.filters...)))
		})
	}
}

func TestBetween(t *testing.T) {
	d := sampleDataset(t)
	date := timeline.MustParseDate
	tests := []struct {
		from, to string
		want     []string
	}{
		{"2024-11-20", "2024-12-31", []string{"year-only", "russia-accusations"}},
		{"2024-11-14", "2024-11-14", []string{"year-only", "russia-accusations", "drone-test", "mass-production-order"}},
		{"2024-11-15", "2024-11-15", []string{"year-only", "russia-accusations", "drone-test"}}, // drone-test ends 2024-11-15?
		{"2022", "2022", []string{"drone-incursion"}},
		{"2023-09", "2023-12", nil},
		{"2025", "2024", nil}, // from after to: nothing
		{"", "", sampleOrder},
	}
	for _, tt := range tests {
		t.Run(tt.from+".."+tt.to, func(t *testing.T) {
			assert.Equal(t, tt.want, ids(d.Between(date(tt.from), date(tt.to))))
		})
	}
}

func groupsOf(groups []timeline.Group) map[string][]string {
	out := map[string][]string{}
	for _, g := range groups {
		out[g.Period.String()] = eventIDs(g.Events)
	}
	return out
}

func periods(groups []timeline.Group) []string {
	var out []string
	for _, g := range groups {
		out = append(out, g.Period.String())
	}
	return out
}

func TestGroupByYear(t *testing.T) {
	d := sampleDataset(t)
	groups := d.GroupByYear()
	assert.Equal(t, []string{"2022", "2023", "2024", "2025"}, periods(groups))
	assert.Equal(t, map[string][]string{
		"2022": {"drone-incursion"},
		"2023": {"month-approx"},
		"2024": {"year-only", "day-uncertain", "icbm-test", "russia-accusations", "drone-test", "mass-production-order"},
		"2025": {"exact-last"},
	}, groupsOf(groups))
	for _, g := range groups {
		assert.Equal(t, timeline.PrecisionYear, g.Period.Precision())
		assert.Zero(t, g.Period.Qualifier())
	}
	assert.Equal(t, []string{"2024"}, periods(d.GroupByYear(timeline.OfKind(timeline.KindWeaponsTest))))
}

func TestGroupByMonth(t *testing.T) {
	d := sampleDataset(t)
	groups := d.GroupByMonth()
	// Events known only to the year form a group of their own before that
	// year's months; qualifiers do not split groups.
	assert.Equal(t, []string{"2022-12", "2023-06", "2024", "2024-01", "2024-10", "2024-11", "2025"}, periods(groups))
	assert.Equal(t, map[string][]string{
		"2022-12": {"drone-incursion"},
		"2023-06": {"month-approx"},
		"2024":    {"year-only"},
		"2024-01": {"day-uncertain"},
		"2024-10": {"icbm-test"},
		"2024-11": {"russia-accusations", "drone-test", "mass-production-order"},
		"2025":    {"exact-last"},
	}, groupsOf(groups))
	assert.Equal(t, timeline.PrecisionYear, groups[2].Period.Precision())
	assert.Equal(t, timeline.PrecisionMonth, groups[3].Period.Precision())

	claimed := d.GroupByMonth(timeline.WithStatus(timeline.StatusClaimed))
	require.Len(t, claimed, 1)
	assert.Equal(t, "2024-11", claimed[0].Period.String())
	assert.Equal(t, []string{"drone-test", "mass-production-order"}, eventIDs(claimed[0].Events))

	// Qualified events of one month in one group.
	q, err := timeline.New(sampleMeta, []timeline.Event{minimalEvent("a", "2024-11?"), minimalEvent("b", "2024-11-02~"), minimalEvent("c", "2024-11-30")})
	require.NoError(t, err)
	assert.Equal(t, map[string][]string{"2024-11": {"a", "b", "c"}}, groupsOf(q.GroupByMonth()))
}

func TestIndependentPublishers(t *testing.T) {
	src := func(publisher string, kind timeline.SourceKind, via string) timeline.Source {
		return timeline.Source{Publisher: publisher, Kind: kind, Via: via}
	}
	kcna := src("KCNA", timeline.SourceStateMedia, "")
	ap := src("Associated Press", timeline.SourceWire, "")
	apViaKCNA := src("Associated Press", timeline.SourceWire, "KCNA")
	tests := []struct {
		name    string
		sources []timeline.Source
		want    int
	}{
		{"none", nil, 0},
		{"state media only", []timeline.Source{kcna}, 0},
		{"state media relayed", []timeline.Source{kcna, apViaKCNA}, 0},
		{"relay of state media not cited itself", []timeline.Source{apViaKCNA}, 0},
		{"two state media", []timeline.Source{kcna, src("TASS", timeline.SourceStateMedia, "")}, 0},
		{"one wire", []timeline.Source{ap}, 1},
		{"state media and a wire of its own", []timeline.Source{kcna, ap}, 1},
		{"same publisher in any case and spacing", []timeline.Source{ap, src(" associated press ", timeline.SourceWire, ""), src("ASSOCIATED PRESS", timeline.SourceNewspaper, "")}, 1},
		{"two wires", []timeline.Source{ap, src("Reuters", timeline.SourceWire, "")}, 2},
		{"a wire relaying another", []timeline.Source{ap, src("Reuters", timeline.SourceWire, "Associated Press")}, 1},
		{"a government and a relay of it", []timeline.Source{src("Yonhap", timeline.SourceWire, "Joint Chiefs of Staff"), src("Joint Chiefs of Staff", timeline.SourceGovernment, "")}, 1},
		{"every independent kind", []timeline.Source{ap, src("Korea Herald", timeline.SourceNewspaper, ""), src("KBS", timeline.SourceBroadcaster, ""),
			src("JCS", timeline.SourceGovernment, ""), src("38 North", timeline.SourceAnalysis, ""), src("HRW", timeline.SourceNGO, ""),
			src("someone", timeline.SourceSocialMedia, ""), src("other", timeline.SourceOther, "")}, 8},
		{"blank publisher", []timeline.Source{src(" ", timeline.SourceWire, "")}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := timeline.Event{Sources: tt.sources}
			assert.Equal(t, tt.want, e.IndependentPublishers())
			// Adding a source never lowers the count.
			for _, extra := range []timeline.Source{kcna, ap, apViaKCNA} {
				more := timeline.Event{Sources: append(slices.Clone(tt.sources), extra)}
				assert.GreaterOrEqual(t, more.IndependentPublishers(), tt.want)
			}
		})
	}
}

func TestPublishersAndOriginator(t *testing.T) {
	e := timeline.Event{Sources: []timeline.Source{
		{Publisher: "KCNA"}, {Publisher: "Associated Press", Via: "KCNA"}, {Publisher: " kcna "}, {Publisher: ""}, {Publisher: "Reuters"},
	}}
	assert.Equal(t, []string{"KCNA", "Associated Press", "Reuters"}, e.Publishers())
	assert.Equal(t, "KCNA", e.Sources[1].Originator())
	assert.Equal(t, "Reuters", e.Sources[4].Originator())
	assert.Nil(t, (&timeline.Event{}).Publishers())
}

func TestHasActorAndTag(t *testing.T) {
	e := fullEvent("a")
	assert.True(t, e.HasActor("KIM JONG UN"))
	assert.False(t, e.HasActor("Kim"))
	assert.True(t, e.HasTag("Drones"))
	assert.False(t, e.HasTag("drone"))
}

// TestConcurrentReads runs many readers on one dataset; with -race it
// proves that read-only use needs no locking.
func TestConcurrentReads(t *testing.T) {
	d, err := seeds.SyntheticDataset(1000, seeds.SyntheticOptions{Seed: 7, Hostile: true})
	require.NoError(t, err)
	filters := []timeline.Filter{timeline.InCountry("KP"), timeline.MinIndependentPublishers(1)}
	from, to := timeline.MustParseDate("2000"), timeline.MustParseDate("2010-06")
	wantSelect := ids(d.Select(filters...))
	wantBetween := ids(d.Between(from, to))
	wantMonths := len(d.GroupByMonth())
	wantYears := len(d.GroupByYear(timeline.OfKind(timeline.KindWeaponsTest)))

	var wg sync.WaitGroup
	for g := range 12 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 3 {
				assert.Equal(t, wantSelect, ids(d.Select(filters...)))
				assert.Equal(t, wantBetween, ids(d.Between(from, to)))
				assert.Len(t, d.GroupByMonth(), wantMonths)
				assert.Len(t, d.GroupByYear(timeline.OfKind(timeline.KindWeaponsTest)), wantYears)
				e := d.At((g*31 + i*17) % d.Len())
				got, ok := d.Get(e.ID)
				assert.True(t, ok)
				assert.Equal(t, e.ID, got.ID)
				assert.Equal(t, d.Len(), len(d.Events()))
			}
		}()
	}
	wg.Wait()
}
