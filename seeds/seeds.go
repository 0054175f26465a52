// Package seeds holds the project's reviewed seed dataset, embedded in the
// binary, so that every program has a real, validated timeline with no set-up.
//
// The dataset covers North Korea's test of kamikaze attack drones on
// 14 November 2024 and Kim Jong Un's call for their mass production, as KCNA
// reported and the Associated Press relayed, with the events the reports set
// them against: the solid-fuel ICBM test of 31 October 2024, the incursion of
// five North Korean drones into South Korea on 26 December 2022, and the
// accusations that North Korea supplies Russia with weapons and troops. Dates
// are as fine as the sources make them and no finer; no source carries a URL
// whose address is not known for certain.
package seeds

import (
	_ "embed"
	"fmt"

	"github.com/sourced-dev/sourced/timeline"
)

// FileName is the name of the embedded canonical JSON file.
const FileName = "dprk-drones.json"

//go:embed dprk-drones.json
var raw []byte

// JSON returns a copy of the embedded file's bytes, in the canonical JSON
// form of package timeline.
func JSON() []byte { return append([]byte(nil), raw...) }

// Load parses and validates the embedded dataset. It fails only if the
// embedded file is broken, which the package's tests rule out.
func Load() (*timeline.Dataset, error) {
	d, err := timeline.Unmarshal(raw)
	if err != nil {
		return nil, fmt.Errorf("seeds: %s: %w", FileName, err)
	}
	return d, nil
}

// MustLoad is Load for programs that cannot go on without the seed dataset;
// it panics on error.
func MustLoad() *timeline.Dataset {
	d, err := Load()
	if err != nil {
		panic(err)
	}
	return d
}
