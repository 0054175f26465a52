package timeline_test

import (
	"math/rand/v2"
	"testing"

	"github.com/sourced-dev/sourced/seeds"
	"github.com/sourced-dev/sourced/timeline"
)

// TestPublisherCounts holds PublisherCounts to PublisherCount and
// IndependentPublishers, on synthetic events and on random ones whose
// publishers differ by case, space and runes that lower-casing changes,
// with up to a dozen sources (past eight, it takes the methods' way).
func TestPublisherCounts(t *testing.T) {
	check := func(e *timeline.Event) {
		t.Helper()
		all, indep := e.PublisherCounts()
		if want := e.PublisherCount(); all != want {
			t.Fatalf("PublisherCounts(%+v): all = %d, want %d", e.Sources, all, want)
		}
		if want := e.IndependentPublishers(); indep != want {
			t.Fatalf("PublisherCounts(%+v): independent = %d, want %d", e.Sources, indep, want)
		}
	}
	for e := range seeds.Synthetic(2000, seeds.SyntheticOptions{}) {
		check(&e)
	}
	names := []string{"", " ", "AP", "ap", " Ap ", "KCNA", "kcna\t", "İstanbul", "i̇stanbul", "ISTANBUL",
		"Straße", "STRASSE", "\xff", "\xfe", "Ω", "ω", "Ωmega", "ωMEGA"}
	vias := []string{"", " ", "AP", "kcna"}
	kinds := []timeline.SourceKind{timeline.SourceStateMedia, timeline.SourceWire, timeline.SourceNewspaper}
	r := rand.New(rand.NewPCG(1, 2))
	for range 20000 {
		var e timeline.Event
		for range r.IntN(12) {
			e.Sources = append(e.Sources, timeline.Source{
				Publisher: names[r.IntN(len(names))],
				Via:       vias[r.IntN(len(vias))],
				Kind:      kinds[r.IntN(len(kinds))],
			})
		}
		check(&e)
	}
}
