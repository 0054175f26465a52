//go:build !unix

package export

import "time"

// processCPU is not measured here; benchmarks report no cpu-events/s.
func processCPU() time.Duration { return 0 }
