package export_test

import (
	"bytes"
	"context"
	"fmt"
	"log"

	"github.com/sourced-dev/sourced/export"
)

func ExampleWriteParquet() {
	d := exampleDataset()
	var buf bytes.Buffer
	if err := export.WriteParquet(context.Background(), &buf, d.Metadata(), d.All(), export.ParquetOptions{}); err != nil {
		log.Fatal(err)
	}
	// ReadParquet yields the events batch by batch; errors are
	// *export.ReadError values that name the row group, row and column.
	meta, events, err := export.ReadParquet(bytes.NewReader(buf.Bytes()), export.ParquetReadOptions{})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(meta.Name, meta.License)
	for e, err := range events {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(e.Start, e.ID, e.Kind, len(e.Sources))
	}
	// Output:
	// example CC0-1.0
	// 2024-10-31 icbm-test weapons_test 1
	// 2024-11-14 drone-test weapons_test 2
}
