package export

import "sync"

// vocabTables are the tables of the vocabularies that the writer looks up.
var vocabTables = sync.OnceValue(func() (t struct{ kind, status, geo *vocabTable }) {
	v := vocabularies()
	return struct{ kind, status, geo *vocabTable }{newVocabTable(v.kind), newVocabTable(v.status), newVocabTable(v.geo)}
})

// vocabTable finds a word's index in a vocabulary by a table slot that a
// cheap hash of its length and end bytes picks, and one comparison,
// instead of hashing the whole string for a map: every event looks up its
// kind, status and geo precision.
type vocabTable struct {
	seed  uint32
	words [vocabSlots]string
	index [vocabSlots]int32 // -1 for an empty slot
	voc   *vocabulary       // when no seed gives every word a slot of its own
}

const (
	vocabBits  = 6
	vocabSlots = 1 << vocabBits
)

// slot picks s's slot by its length and its first, middle and last bytes.
func (t *vocabTable) slot(s string) uint32 {
	if s == "" {
		return 0
	}
	x := uint32(len(s)) | uint32(s[0])<<8 | uint32(s[len(s)/2])<<16 | uint32(s[len(s)-1])<<24
	return x * t.seed >> (32 - vocabBits)
}

// newVocabTable returns a table of v's words, with the first seed that
// gives each word a slot of its own; without one, it looks words up in v.
func newVocabTable(v *vocabulary) *vocabTable {
	t := &vocabTable{voc: v}
	if len(v.values) > vocabSlots/2 {
		return t
	}
	for seed := uint32(1); seed < 1<<16; seed += 2 {
		t.seed = seed * 0x9E3779B1
		for i := range t.index {
			t.words[i], t.index[i] = "", -1
		}
		ok := true
		for i, w := range v.values {
			k := t.slot(w)
			if w == "" || t.index[k] >= 0 {
				ok = false
				break
			}
			t.words[k], t.index[k] = w, int32(i)
		}
		if ok {
			t.voc = nil
			return t
		}
	}
	return t
}

// lookup returns the index of s in the vocabulary.
func (t *vocabTable) lookup(s string) (int32, bool) {
	if t.voc != nil {
		i, ok := t.voc.index[s]
		return i, ok
	}
	k := t.slot(s)
	if i := t.index[k]; i >= 0 && t.words[k] == s {
		return i, true
	}
	return 0, false
}
