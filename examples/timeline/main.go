// Command timeline prints a timeline in chronological order, one line per
// event: its EDTF date, status and title, then the publishers behind it in
// brackets and the count of independent publishers among them:
//
//	2024-11-14  claimed    Kim Jong Un watches a test of kamikaze attack drones  [KCNA, Associated Press] (0 independent)
//
// With no flag it prints the embedded seed dataset; with -in it reads a
// canonical JSON dataset file.
//
//	go run ./examples/timeline
//	go run ./examples/timeline -in my-dataset.json
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/sourced-dev/sourced/seeds"
	"github.com/sourced-dev/sourced/timeline"
)

func main() {
	in := flag.String("in", "", "a canonical JSON dataset file (default: the embedded seed dataset)")
	flag.Parse()
	if err := run(os.Stdout, *in); err != nil {
		fmt.Fprintln(os.Stderr, "timeline:", err)
		os.Exit(1)
	}
}

func run(w io.Writer, in string) error {
	var d *timeline.Dataset
	var err error
	if in == "" {
		d, err = seeds.Load()
	} else {
		d, err = timeline.Load(in)
	}
	if err != nil {
		return err
	}
	m := d.Metadata()
	fmt.Fprintf(w, "%s (%s, version %s): %d events\n\n", m.Title, m.Name, m.Version, d.Len())
	// Pad the date and status to the widest, so that the titles line up.
	dateWidth, statusWidth := 0, 0
	for e := range d.All() {
		dateWidth = max(dateWidth, len(e.Interval().String()))
		statusWidth = max(statusWidth, len(e.Status))
	}
	for e := range d.All() {
		fmt.Fprintf(w, "%-*s  %-*s  %s  [%s] (%d independent)\n",
			dateWidth, e.Interval(), statusWidth, e.Status, e.Title,
			strings.Join(e.Publishers(), ", "), e.IndependentPublishers())
	}
	return nil
}
