package export_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/sourced-dev/sourced/export"
	"github.com/sourced-dev/sourced/timeline"
)

// exampleDataset returns a small dataset for the examples.
func exampleDataset() *timeline.Dataset {
	kcna := timeline.Source{Publisher: "KCNA", Kind: timeline.SourceStateMedia, Language: "ko",
		Published: timeline.MustParseDate("2024-11-15")}
	ap := timeline.Source{Publisher: "Associated Press", Kind: timeline.SourceWire, Via: "KCNA", Language: "en",
		Published: timeline.MustParseDate("2024-11-15")}
	d, err := timeline.New(timeline.Metadata{Name: "example", License: "CC0-1.0"}, []timeline.Event{
		{ID: "drone-test", Title: "Kim Jong Un oversees a test of attack drones", Kind: timeline.KindWeaponsTest,
			Status: timeline.StatusClaimed, Start: timeline.MustParseDate("2024-11-14"),
			Place: timeline.Place{Country: "KP"}, Sources: []timeline.Source{kcna, ap}},
		{ID: "icbm-test", Title: "Solid-fuel ICBM launch", Kind: timeline.KindWeaponsTest,
			Status: timeline.StatusConfirmed, Start: timeline.MustParseDate("2024-10-31"),
			Sources: []timeline.Source{ap}},
	})
	if err != nil {
		log.Fatal(err)
	}
	return d
}

func ExampleSaveArrow() {
	d := exampleDataset()
	dir, err := os.MkdirTemp("", "example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	// pandas.read_feather, pyarrow.ipc.open_file and polars.read_ipc open
	// the file; LoadArrow reads it back to equal events.
	path := filepath.Join(dir, "events.arrow")
	if err := export.SaveArrow(context.Background(), path, d.Metadata(), d.All(), export.ArrowOptions{Compression: export.CompressionZstd}); err != nil {
		log.Fatal(err)
	}
	back, err := export.LoadArrow(path)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(back.Metadata().Name, back.Len())
	for e := range back.All() {
		fmt.Println(e.Start, e.ID, e.IndependentPublishers())
	}
	// Output:
	// example 2
	// 2024-10-31 icbm-test 0
	// 2024-11-14 drone-test 0
}
