package export

import (
	"iter"
	"sync"

	"github.com/sourced-dev/sourced/timeline"
)

// readAheadChunk is how many events cross between the goroutines at once:
// large enough that the channel costs nothing per event, small enough that
// the reader stays close behind.
const readAheadChunk = 256

// ReadAhead runs a reader's sequence in a goroutine of its own, up to about
// n events ahead of the consumer, so that decoding one format and encoding
// another (CSV to Arrow, Arrow to Parquet) use two cores instead of one.
// The events and the error come out in the order seq yields them; n below
// readAheadChunk is raised to it.
//
// Stopping the range early stops the reader and waits for its goroutine to
// end, so the caller may close the reader's files as soon as the loop is
// over. seq must not depend on the goroutine it runs on (none of this
// package's readers do). The events must not be shared with the reader
// afterwards; this package's readers never reuse an event's memory.
func ReadAhead(seq iter.Seq2[timeline.Event, error], n int) iter.Seq2[timeline.Event, error] {
	type chunk struct {
		events []timeline.Event
		err    error
	}
	depth := max(n/readAheadChunk, 1)
	return func(yield func(timeline.Event, error) bool) {
		chunks := make(chan chunk, depth)
		stop := make(chan struct{})
		var wg sync.WaitGroup
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer close(chunks)
			send := func(c chunk) bool {
				select {
				case chunks <- c:
					return true
				case <-stop:
					return false
				}
			}
			events := make([]timeline.Event, 0, readAheadChunk)
			for e, err := range seq {
				if err != nil {
					if len(events) > 0 && !send(chunk{events: events}) {
						return
					}
					send(chunk{err: err})
					return
				}
				events = append(events, e)
				if len(events) == readAheadChunk {
					if !send(chunk{events: events}) {
						return
					}
					events = make([]timeline.Event, 0, readAheadChunk)
				}
			}
			if len(events) > 0 {
				send(chunk{events: events})
			}
		}()
		defer wg.Wait()
		defer close(stop)
		for c := range chunks {
			for i := range c.events {
				if !yield(c.events[i], nil) {
					return
				}
				c.events[i] = timeline.Event{} // let the consumer's copy be the only one
			}
			if c.err != nil {
				yield(timeline.Event{}, c.err)
				return
			}
		}
	}
}
