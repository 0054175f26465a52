// Command gencsv writes n synthetic events (seeds.Synthetic) as a CSV
// folder that the main job reads with -in: events.csv, sources.csv and
// datapackage.json. It streams, holding a few chunks of events at a time,
// and neither validates nor sorts them. The memory benchmark
// (memory.sh) uses it to make its input:
//
//	go run ./examples/bench/gencsv -n 1000000 -out /tmp/csv
//
// The events come in generation order, not the dataset's chronological
// order; the readers do not care.
package main

import (
	"context"
	"flag"
	"fmt"
	"iter"
	"os"

	"github.com/sourced-dev/sourced/export"
	"github.com/sourced-dev/sourced/seeds"
	"github.com/sourced-dev/sourced/timeline"
)

func main() {
	n := flag.Int("n", 100_000, "the number of events")
	out := flag.String("out", "csv", "the folder to write (made if missing)")
	seed := flag.Uint64("seed", 1, "the generator's seed")
	hostile := flag.Bool("hostile", false, "mix in text built to break exporters")
	flag.Parse()
	if err := run(*n, *out, seeds.SyntheticOptions{Seed: *seed, Hostile: *hostile}); err != nil {
		fmt.Fprintln(os.Stderr, "gencsv:", err)
		os.Exit(1)
	}
}

func run(n int, out string, opts seeds.SyntheticOptions) error {
	if n <= 0 {
		return fmt.Errorf("-n %d: want a positive count of events", n)
	}
	_, err := export.SaveCSVEvents(context.Background(), out, seeds.SyntheticMetadata(n, opts),
		pipelined(seeds.Synthetic(n, opts)), export.CSVOptions{})
	return err
}

// pipelined runs seq on a goroutine of its own (export.ReadAhead), so that
// generating events and encoding them use two cores: for the largest sizes
// the input is the slow part of the benchmark.
func pipelined(seq iter.Seq[timeline.Event]) iter.Seq[timeline.Event] {
	generated := func(yield func(timeline.Event, error) bool) {
		for e := range seq {
			if !yield(e, nil) {
				return
			}
		}
	}
	return func(yield func(timeline.Event) bool) {
		for e := range export.ReadAhead(generated, 1024) {
			if !yield(e) {
				return
			}
		}
	}
}
