// Command gencsv writes n synthetic events (seeds.Synthetic) as a CSV
// folder that the main job reads with -in: events.csv, sources.csv and
// datapackage.json. It streams, holding one event at a time, where the main
// job's csv format collects and validates the whole dataset first (and so
// cannot write 10^7 events on a 24 GiB machine). The memory benchmark
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
	"io"
	"iter"
	"os"
	"path/filepath"

	"github.com/sourced-dev/sourced/export"
	"github.com/sourced-dev/sourced/internal/atomicfile"
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
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	// SaveCSV is the only public writer of datapackage.json; given no
	// events, it writes the descriptor for this metadata and two files of
	// headers, which the streamed files below then replace.
	empty, err := timeline.New(seeds.SyntheticMetadata(n, opts), nil)
	if err != nil {
		return err
	}
	if _, err := export.SaveCSV(context.Background(), out, empty, export.CSVOptions{}); err != nil {
		return err
	}
	return atomicfile.WriteFrom(filepath.Join(out, export.EventsCSV), func(ev io.Writer) error {
		return atomicfile.WriteFrom(filepath.Join(out, export.SourcesCSV), func(src io.Writer) error {
			return export.WriteCSV(context.Background(), ev, src, pipelined(seeds.Synthetic(n, opts)), export.CSVOptions{})
		})
	})
}

// pipelined runs seq on a goroutine of its own, a batch ahead of the
// consumer, so that generating events and encoding them use two cores:
// for the largest sizes the input is the slow part of the benchmark.
func pipelined(seq iter.Seq[timeline.Event]) iter.Seq[timeline.Event] {
	const batch = 256
	return func(yield func(timeline.Event) bool) {
		batches := make(chan []timeline.Event, 4)
		stop := make(chan struct{})
		defer close(stop)
		go func() {
			defer close(batches)
			b := make([]timeline.Event, 0, batch)
			for e := range seq {
				if b = append(b, e); len(b) == batch {
					select {
					case batches <- b:
					case <-stop:
						return
					}
					b = make([]timeline.Event, 0, batch)
				}
			}
			select {
			case batches <- b:
			case <-stop:
			}
		}()
		for b := range batches {
			for _, e := range b {
				if !yield(e) {
					return
				}
			}
		}
	}
}
