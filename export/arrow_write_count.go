package export

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/sourced-dev/sourced/timeline"
)

// maxFastSources is the most sources whose publishers publisherCounts
// compares pairwise; more go to timeline's own counts, which switch to a map.
const maxFastSources = 8

// publisherCounts returns e.PublisherCount() and e.IndependentPublishers()
// in one pass over the sources: the publishers are trimmed once, and each
// pair is compared once for both counts. The tests hold it to timeline's
// methods.
func publisherCounts(e *timeline.Event) (all, independent int) {
	src := e.Sources
	if len(src) > maxFastSources {
		return e.PublisherCount(), e.IndependentPublishers()
	}
	var names [maxFastSources]string
	var firstHand [maxFastSources]bool // counts toward independent
	for i := range src {
		s := &src[i]
		names[i] = strings.TrimSpace(s.Publisher)
		firstHand[i] = s.Kind != timeline.SourceStateMedia && (s.Via == "" || strings.TrimSpace(s.Via) == "")
	}
	for i, p := range names[:len(src)] {
		if p == "" {
			continue
		}
		newAll, newIndep := true, firstHand[i]
		for j, q := range names[:i] {
			if q != "" && (newAll || newIndep && firstHand[j]) && equalLower(q, p) {
				newAll = false
				if firstHand[j] {
					newIndep = false
				}
			}
		}
		if newAll {
			all++
		}
		if newIndep {
			independent++
		}
	}
	return all, independent
}

// equalLower reports whether strings.ToLower(a) == strings.ToLower(b)
// without allocating: the test by which timeline counts publishers as the
// same (see its equalLower).
func equalLower(a, b string) bool {
	for a != "" && b != "" {
		if ca, cb := a[0], b[0]; ca|cb < utf8.RuneSelf {
			if lowerASCII(ca) != lowerASCII(cb) {
				return false
			}
			a, b = a[1:], b[1:]
			continue
		}
		ra, na := utf8.DecodeRuneInString(a)
		rb, nb := utf8.DecodeRuneInString(b)
		if unicode.ToLower(ra) != unicode.ToLower(rb) {
			return false
		}
		a, b = a[na:], b[nb:]
	}
	return a == "" && b == ""
}

func lowerASCII(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}
