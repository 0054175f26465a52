package export

import (
	"fmt"
	"testing"

	"github.com/sourced-dev/sourced/timeline"
)

func copyEvent(dst []byte, e *timeline.Event) []byte {
	dst = append(dst, e.ID...)
	dst = append(dst, e.Title...)
	dst = append(dst, e.Summary...)
	dst = append(dst, e.Place.Name...)
	dst = append(dst, e.Place.Country...)
	for _, a := range e.Actors {
		dst = append(dst, a.Name...)
		dst = append(dst, a.Role...)
	}
	for _, s := range e.Sources {
		dst = append(dst, s.URL...)
		dst = append(dst, s.Publisher...)
		dst = append(dst, s.Title...)
		dst = append(dst, s.Quote...)
	}
	for _, t := range e.Tags {
		dst = append(dst, t...)
	}
	return dst
}

func BenchmarkTmpFloor(b *testing.B) {
	for _, bs := range []int{512, 8192} {
		for _, hotN := range []int{1000, 100000} {
			n := 100000
			_, events := arrowBenchEvents(n)
			b.Run(fmt.Sprint(bs, "/", hotN), func(b *testing.B) {
				dst := make([]byte, 0, bs*4000)
				rate := startRate(n)
				for b.Loop() {
					for i := range n {
						if i%bs == 0 {
							dst = dst[:0]
						}
						dst = copyEvent(dst, &events[i%hotN])
					}
				}
				rate.report(b)
			})
		}
	}
}
