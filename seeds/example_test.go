package seeds_test

import (
	"fmt"

	"github.com/sourced-dev/sourced/seeds"
)

func ExampleLoad() {
	d, err := seeds.Load()
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%s: %d events\n", d.Metadata().Name, d.Len())
	for e := range d.All() {
		fmt.Printf("%-10s %-12s %-9s %s (%d independent)\n", e.Start, e.Kind, e.Status, e.Title, e.IndependentPublishers())
	}
	// Output:
	// dprk-drones-2024: 5 events
	// 2022-12-26 incursion    confirmed Five North Korean drones cross into South Korea (1 independent)
	// 2024-10-31 weapons_test confirmed North Korea tests a new solid-fuel ICBM, the Hwasong-19 (1 independent)
	// 2024-11    accusation   alleged   North Korea accused of sending weapons and troops to Russia (1 independent)
	// 2024-11-14 order        claimed   Kim Jong Un calls for mass production of kamikaze drones (0 independent)
	// 2024-11-14 weapons_test claimed   Kim Jong Un watches a test of kamikaze attack drones (0 independent)
}

func ExampleSynthetic() {
	// The same seed gives the same events on every machine and run.
	for e := range seeds.Synthetic(3, seeds.SyntheticOptions{Seed: 1}) {
		fmt.Println(e.ID, e.Start, e.Kind, len(e.Sources), "sources")
	}
	// Output:
	// ev-0 2013-04-13 weapons_test 1 sources
	// ev-1 2025-05-05 attack 5 sources
	// ev-2 2014 other 1 sources
}
