package export

import (
	"testing"

	"github.com/sourced-dev/sourced/seeds"
	"github.com/sourced-dev/sourced/timeline"
)

// fuzzSeeds returns small files of ours in format, in each compression,
// as seeds: the fuzzer mutates files that get past the schema checks.
func fuzzSeeds(f *testing.F, format string) {
	var codec arrowCodec
	for _, c := range arrowCodecs {
		if c.name == format {
			codec = c
		}
	}
	edge := arrowEdgeEvents()
	var synth []timeline.Event
	for e := range seeds.Synthetic(3, seeds.SyntheticOptions{Hostile: true, Seed: 3}) {
		synth = append(synth, e)
	}
	for _, comp := range codec.compressions {
		f.Add(arrowEncode(f, codec, comp, edge[:3], 2))
		f.Add(arrowEncode(f, codec, comp, synth, 2))
	}
	f.Add(arrowEncode(f, codec, codec.compressions[0], edge[20:23], 0))
}

// fuzzRead reads data in format to the end: any error must be a
// *ReadError with a sentinel; a panic or a fatal error fails the fuzzer.
func fuzzRead(t *testing.T, format string, data []byte) {
	if _, err := readAllOf(format, data, ArrowReadOptions{MaxMemory: 64 << 20}); err != nil {
		assertReadError(t, err, format)
	}
}

func FuzzReadArrow(f *testing.F) {
	fuzzSeeds(f, "arrow")
	f.Fuzz(func(t *testing.T, data []byte) { fuzzRead(t, "arrow", data) })
}

func FuzzReadArrowStream(f *testing.F) {
	fuzzSeeds(f, "arrow-stream")
	f.Fuzz(func(t *testing.T, data []byte) { fuzzRead(t, "arrow-stream", data) })
}
