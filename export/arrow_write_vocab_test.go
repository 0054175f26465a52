package export

import (
	"testing"

	"github.com/sourced-dev/sourced/timeline"
)

// TestVocabTable holds vocabTable.lookup to the vocabulary's map, for its
// words and for strings that are not.
func TestVocabTable(t *testing.T) {
	v := vocabularies()
	for name, voc := range map[string]*vocabulary{"kind": v.kind, "status": v.status, "precision": v.precision, "geo": v.geo, "country": v.country} {
		tab := newVocabTable(voc)
		if name != "country" && tab.voc != nil {
			t.Errorf("%s: no seed gives every word a slot of its own", name)
		}
		probes := []string{"", "x", "X", "zz", "kind", "Event", string(timeline.StatusConfirmed) + " ", "\x00", "\xff"}
		for _, w := range voc.values {
			probes = append(probes, w, w[:len(w)-1], w+"s", "x"+w[1:])
		}
		for _, s := range probes {
			i, ok := tab.lookup(s)
			wi, wok := voc.index[s]
			if ok != wok || (ok && i != wi) {
				t.Errorf("%s: lookup(%q) = %d, %v; want %d, %v", name, s, i, ok, wi, wok)
			}
		}
	}
}
