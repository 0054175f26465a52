package export

import (
	"context"
	"iter"

	"github.com/sourced-dev/sourced/timeline"
)

// cancelCheckEvery is how many events a writer takes between looks at its
// context: often enough to stop within a fraction of a batch, rarely
// enough to cost nothing.
const cancelCheckEvery = 256

// cancellable stops events when ctx is done. The writer that ranges over it
// then finds the sequence ended early and must call cancelled before it
// finishes its output.
func cancellable(ctx context.Context, events iter.Seq[timeline.Event]) iter.Seq[timeline.Event] {
	if ctx.Done() == nil || events == nil {
		return events // a context that is never cancelled
	}
	return func(yield func(timeline.Event) bool) {
		n := 0
		for e := range events {
			if n++; n%cancelCheckEvery == 0 && ctx.Err() != nil {
				return
			}
			if !yield(e) {
				return
			}
		}
	}
}

// cancelled returns the reason ctx was cancelled (its cause, such as the
// read error that UntilError reported), or nil while it is not.
func cancelled(ctx context.Context) error {
	if ctx.Err() == nil {
		return nil
	}
	return context.Cause(ctx)
}
