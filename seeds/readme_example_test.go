package seeds_test

import (
	"fmt"

	"github.com/sourced-dev/sourced/seeds"
	"github.com/sourced-dev/sourced/timeline"
)

// The README's Go usage example, run by go test so that it cannot rot.
func Example_readme() {
	d := seeds.MustLoad()
	from, to := timeline.MustParseDate("2024-11"), timeline.MustParseDate("2024-11")
	for e := range d.Select(timeline.During(from, to), timeline.OfKind(timeline.KindWeaponsTest)) {
		fmt.Println(e.Start, e.Title, e.Publishers(), e.IndependentPublishers())
	}
	// Output:
	// 2024-11-14 Kim Jong Un watches a test of kamikaze attack drones [KCNA Associated Press] 0
}
