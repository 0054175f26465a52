// Command timeline prints a timeline in chronological order, one line per
// event: its EDTF date, title, and the publishers behind it, with the count
// of independent publishers. With no argument it prints the embedded seed
// dataset; with -in it reads a canonical JSON dataset file.
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
	for e := range d.All() {
		when := e.Interval().String()
		fmt.Fprintf(w, "%-12s %-10s %s\n", when, e.Status, e.Title)
		fmt.Fprintf(w, "%-12s %-10s sources: %s (independent publishers: %d)\n", "", "",
			strings.Join(e.Publishers(), ", "), e.IndependentPublishers())
	}
	return nil
}
