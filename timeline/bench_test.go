package timeline_test

import (
	"encoding/json"
	"os"
	"slices"
	"strconv"
	"sync"
	"testing"

	"github.com/sourced-dev/sourced/seeds"
	"github.com/sourced-dev/sourced/timeline"
)

// Benchmarks run on deterministic synthetic events at 10^4 and 10^5; 10^6
// needs SOURCED_BENCH_LARGE=1 and no -short, as it holds several GiB:
//
//	go test -run '^$' -bench . -count 5 ./timeline
//	SOURCED_BENCH_LARGE=1 go test -run '^$' -bench . -count 5 ./timeline

type benchFixture struct {
	meta    timeline.Metadata
	events  []timeline.Event // in ID order, as Synthetic yields them
	dataset *timeline.Dataset
	json    []byte
}

var (
	benchMu       sync.Mutex
	benchFixtures = map[int]*benchFixture{}
)

func benchSizes() []int {
	sizes := []int{10_000, 100_000}
	if !testing.Short() && os.Getenv("SOURCED_BENCH_LARGE") == "1" {
		sizes = append(sizes, 1_000_000)
	}
	return sizes
}

// fixture builds the events of size n once per process; -count reuses them.
func fixture(b *testing.B, n int) *benchFixture {
	b.Helper()
	benchMu.Lock()
	defer benchMu.Unlock()
	if f, ok := benchFixtures[n]; ok {
		return f
	}
	opts := seeds.SyntheticOptions{Seed: 1, Hostile: true}
	f := &benchFixture{meta: seeds.SyntheticMetadata(n, opts), events: slices.Collect(seeds.Synthetic(n, opts))}
	var err error
	if f.dataset, err = timeline.New(f.meta, f.events); err != nil {
		b.Fatal(err)
	}
	if f.json, err = timeline.Marshal(f.dataset); err != nil {
		b.Fatal(err)
	}
	benchFixtures[n] = f
	return f
}

// eachSize runs fn as a sub-benchmark per size and reports events/s.
func eachSize(b *testing.B, fn func(b *testing.B, f *benchFixture)) {
	for _, n := range benchSizes() {
		b.Run("n="+strconv.Itoa(n), func(b *testing.B) {
			f := fixture(b, n)
			b.ReportAllocs()
			fn(b, f)
			b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "events/s")
		})
	}
}

func BenchmarkMarshal(b *testing.B) {
	eachSize(b, func(b *testing.B, f *benchFixture) {
		b.SetBytes(int64(len(f.json)))
		for b.Loop() {
			if _, err := timeline.Marshal(f.dataset); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkUnmarshal(b *testing.B) {
	eachSize(b, func(b *testing.B, f *benchFixture) {
		b.SetBytes(int64(len(f.json)))
		for b.Loop() {
			if _, err := timeline.Unmarshal(f.json); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkUnmarshalBaseline is encoding/json alone on the same bytes, with
// neither strict decoding, validation nor sorting: the plain Go way that
// Unmarshal's own decoder has to beat.
func BenchmarkUnmarshalBaseline(b *testing.B) {
	eachSize(b, func(b *testing.B, f *benchFixture) {
		b.SetBytes(int64(len(f.json)))
		for b.Loop() {
			var v struct {
				Events []timeline.Event `json:"events"`
			}
			if err := json.Unmarshal(f.json, &v); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkValidate(b *testing.B) {
	eachSize(b, func(b *testing.B, f *benchFixture) {
		for b.Loop() {
			if err := timeline.Validate(f.meta, f.events); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkNew validates and sorts events that come in ID order.
func BenchmarkNew(b *testing.B) {
	eachSize(b, func(b *testing.B, f *benchFixture) {
		for b.Loop() {
			if _, err := timeline.New(f.meta, f.events); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkSortBaseline sorts a copy of the events with Compare, moving
// whole events: what New's key sort replaces.
func BenchmarkSortBaseline(b *testing.B) {
	eachSize(b, func(b *testing.B, f *benchFixture) {
		events := make([]timeline.Event, len(f.events))
		for b.Loop() {
			copy(events, f.events)
			slices.SortFunc(events, func(x, y timeline.Event) int { return timeline.Compare(&x, &y) })
		}
	})
}

func BenchmarkSelect(b *testing.B) {
	from, to := timeline.MustParseDate("2000"), timeline.MustParseDate("2010-06")
	eachSize(b, func(b *testing.B, f *benchFixture) {
		matched := 0
		for b.Loop() {
			matched = 0
			for range f.dataset.Select(timeline.InCountry("KP"), timeline.OfKind(timeline.KindWeaponsTest, timeline.KindIncursion),
				timeline.During(from, to), timeline.MinIndependentPublishers(1)) {
				matched++
			}
		}
		if matched == 0 {
			b.Fatal("no event matched")
		}
	})
}

func BenchmarkParseDate(b *testing.B) {
	texts := []string{"2024", "2024-11", "2024-11-14", "2024-11-14?", "2024~", "2024-11%", "1900-02-29", "2024-1-1"}
	for b.Loop() {
		for _, s := range texts {
			_, _ = timeline.ParseDate(s)
		}
	}
	b.ReportMetric(float64(len(texts)*b.N)/b.Elapsed().Seconds(), "dates/s")
}
