package export

import (
	"bytes"
	"context"
	"errors"
	"iter"
	"path/filepath"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourced-dev/sourced/seeds"
	"github.com/sourced-dev/sourced/timeline"
)

// cancelSavers are the savers that take a context, each writing to path.
var cancelSavers = []struct {
	name string
	save func(ctx context.Context, path string, meta timeline.Metadata, events iter.Seq[timeline.Event]) error
}{
	{"arrow", func(ctx context.Context, p string, m timeline.Metadata, ev iter.Seq[timeline.Event]) error {
		return SaveArrow(ctx, p, m, ev, ArrowOptions{BatchSize: 100})
	}},
	{"arrows", func(ctx context.Context, p string, m timeline.Metadata, ev iter.Seq[timeline.Event]) error {
		return SaveArrowStream(ctx, p, m, ev, ArrowOptions{BatchSize: 100})
	}},
	{"parquet", func(ctx context.Context, p string, m timeline.Metadata, ev iter.Seq[timeline.Event]) error {
		return SaveParquet(ctx, p, m, ev, ParquetOptions{RowGroupSize: 100})
	}},
	{"partitioned", func(ctx context.Context, p string, m timeline.Metadata, ev iter.Seq[timeline.Event]) error {
		return SaveParquetDataset(ctx, p, m, ev, ParquetOptions{RowGroupSize: 100})
	}},
	{"csv", func(ctx context.Context, p string, m timeline.Metadata, ev iter.Seq[timeline.Event]) error {
		_, err := SaveCSVEvents(ctx, p, m, ev, CSVOptions{})
		return err
	}},
}

// cancelAfter yields events and cancels ctx after the nth.
func cancelAfter(events []timeline.Event, n int, cancel func()) iter.Seq[timeline.Event] {
	return func(yield func(timeline.Event) bool) {
		for i, e := range events {
			if i == n {
				cancel()
			}
			if !yield(e) {
				return
			}
		}
	}
}

func TestSaveCancelled(t *testing.T) {
	opts := seeds.SyntheticOptions{Seed: 3}
	meta := seeds.SyntheticMetadata(2000, opts)
	events := slices.Collect(seeds.Synthetic(2000, opts))
	for _, s := range cancelSavers {
		for _, at := range []int{0, 1, 250, 1999} {
			t.Run(s.name, func(t *testing.T) {
				dir := t.TempDir()
				path := filepath.Join(dir, "out")
				require.NoError(t, s.save(context.Background(), path, meta, slices.Values(events[:10])))
				before := snapshot(t, path)

				ctx, cancel := context.WithCancel(context.Background())
				defer cancel()
				err := s.save(ctx, path, meta, cancelAfter(events, at, cancel))
				require.ErrorIs(t, err, context.Canceled, "cancelled after %d events", at)
				assert.Equal(t, before, snapshot(t, path), "the earlier save is intact")
				assertOnly(t, dir, "out")
			})
		}
	}
}

// A reader that fails half way, through UntilError, fails the save with the
// reader's *ReadError and leaves nothing.
func TestSaveFromFailingReader(t *testing.T) {
	opts := seeds.SyntheticOptions{Seed: 4}
	meta := seeds.SyntheticMetadata(1000, opts)
	events := slices.Collect(seeds.Synthetic(1000, opts))
	var stream bytes.Buffer
	require.NoError(t, WriteArrowStream(context.Background(), &stream, meta, slices.Values(events), ArrowOptions{BatchSize: 100}))
	cut := stream.Bytes()[:stream.Len()*2/3]

	for _, s := range cancelSavers {
		t.Run(s.name, func(t *testing.T) {
			_, seq, err := ReadArrowStream(bytes.NewReader(cut), ArrowReadOptions{File: "cut.arrows"})
			require.NoError(t, err)
			ctx, cancel := context.WithCancelCause(context.Background())
			defer cancel(nil)
			dir := t.TempDir()
			err = s.save(ctx, filepath.Join(dir, "out"), meta, UntilError(seq, cancel))
			var re *ReadError
			require.True(t, errors.As(err, &re), "%v", err)
			assert.Equal(t, "cut.arrows", re.File)
			assertOnly(t, dir)
		})
	}
}
