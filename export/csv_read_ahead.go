package export

import "runtime"

// Once a file has given aheadAfter data rows, its records are scanned on
// a goroutine of their own (when more than one core may run Go code), so
// that splitting records, checking UTF-8 and copying text run alongside
// turning records into events. Below that, a goroutine would cost more
// than it saves. Tests lower aheadAfter and aheadRecords to run small
// files through both paths and across batches.
var (
	aheadAfter   = 1024
	aheadRecords = 256 // the most records in one batch
)

const (
	aheadBytes = 256 << 10 // a batch ends once its text reaches this size
	aheadDepth = 4         // batches scanned ahead of the one being read
	// The batches handed over and not yet read through hold at most
	// aheadTokens tokens of aheadTokenBytes of text each (a batch takes
	// one at least, all of them at most): a batch of one huge record
	// waits until every batch before it is read, so that read-ahead holds
	// about two records at the limit, not aheadDepth of them.
	aheadTokenBytes = 64 << 10
	aheadTokens     = aheadDepth * aheadBytes / aheadTokenBytes
)

// csvAhead scans a table's records on a goroutine of its own and hands
// them over in batches, in file order, ending with the scanner's error
// (io.EOF at the end of the file).
type csvAhead struct {
	batches chan *csvBatch
	free    chan *csvBatch // batches read through, for reuse
	room    chan struct{}  // tokens of text not handed over
	stop    chan struct{}  // closed when the reader is done with the table
	done    chan struct{}  // closed when the goroutine has ended
	cur     *csvBatch
	i       int // the next record of cur
}

// csvBatch is records in a row, their spans and lines in shared arrays.
type csvBatch struct {
	recs   []csvRecord
	spans  []fieldSpan
	lines  []int
	err    error // what the scanner returned after the last record, if anything
	line   int   // the scanner's line at err
	tokens int   // of room, taken until the batch is read through
}

func aheadWorthwhile() bool { return runtime.GOMAXPROCS(0) > 1 }

// startAhead moves the table's scanner to a goroutine of its own. It is
// called between records: the current record is no longer read.
func (t *csvTable) startAhead() {
	t.ahead = newCSVAhead(t.sc)
}

// newCSVAhead starts scanning sc's records on a goroutine of its own.
func newCSVAhead(sc *csvScanner) *csvAhead {
	a := &csvAhead{
		batches: make(chan *csvBatch, aheadDepth),
		free:    make(chan *csvBatch, aheadDepth+2),
		stop:    make(chan struct{}),
		done:    make(chan struct{}),
		room:    make(chan struct{}, aheadTokens),
	}
	for range aheadTokens {
		a.room <- struct{}{}
	}
	go a.run(sc)
	return a
}

func (a *csvAhead) run(sc *csvScanner) {
	defer close(a.done)
	var counts []int // each record's number of fields
	for {
		var b *csvBatch
		select {
		case b = <-a.free:
			clear(b.recs) // drop the old text
			b.recs, b.spans, b.lines = b.recs[:0], b.spans[:0], b.lines[:0]
		default:
			b = &csvBatch{}
		}
		size := 0
		counts = counts[:0]
		for len(b.recs) < aheadRecords && size < aheadBytes {
			if err := sc.next(); err != nil {
				b.err, b.line = err, sc.line
				break
			}
			r := &sc.rec
			size += len(r.text)
			b.spans = append(b.spans, r.spans...)
			b.lines = append(b.lines, r.lines...)
			// The slices are set once the arrays have stopped growing.
			b.recs = append(b.recs, csvRecord{text: r.text, line: r.line})
			counts = append(counts, len(r.spans))
		}
		off := 0
		for k, n := range counts {
			b.recs[k].spans = b.spans[off : off+n : off+n]
			b.recs[k].lines = b.lines[off : off+n : off+n]
			off += n
		}
		b.tokens = min(aheadTokens, max(1, (size+aheadTokenBytes-1)/aheadTokenBytes))
		for range b.tokens {
			select {
			case <-a.room:
			case <-a.stop:
				return
			}
		}
		select {
		case a.batches <- b:
		case <-a.stop:
			return
		}
		if b.err != nil {
			return
		}
	}
}

// next makes the next record current, as csvScanner.next does; line is
// the scanner's line at an error.
func (a *csvAhead) next() (rec *csvRecord, line int, err error) {
	for a.cur == nil || a.i == len(a.cur.recs) {
		if a.cur != nil {
			if a.cur.err != nil {
				return nil, a.cur.line, a.cur.err
			}
			for range a.cur.tokens {
				a.room <- struct{}{}
			}
			select {
			case a.free <- a.cur:
			default:
			}
		}
		a.cur, a.i = <-a.batches, 0
	}
	a.i++
	return &a.cur.recs[a.i-1], 0, nil
}

// close stops the goroutine and waits for it to end, so that the reader
// is no longer read once the sequence is over.
func (a *csvAhead) close() {
	close(a.stop)
	<-a.done
}
