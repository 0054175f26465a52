package export

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"iter"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/sourced-dev/sourced/internal/atomicfile"
	"github.com/sourced-dev/sourced/timeline"
)

// The layout of a partitioned Parquet dataset, as Hive, Spark, DuckDB
// (read_parquet('dir/*/*.parquet', hive_partitioning = true)) and
// pyarrow.dataset read it: one folder per year of the events' start, and a
// schema-only _common_metadata file that keeps the dataset's metadata even
// when it has no events. Readers that scan for *.parquet skip that file,
// and pyarrow ignores names that start with "_".
const (
	partitionKey   = "year="
	partitionFile  = "part-0.parquet"
	commonMetadata = "_common_metadata"
)

// SaveParquetDataset writes events to the folder dir as a dataset
// partitioned by the year of each event's start: dir/year=2024/part-0.parquet
// and so on, plus dir/_common_metadata. It writes the whole folder beside dir
// and renames it into place only when every file is complete, so that a
// failed export leaves any earlier dataset at dir as it was. An existing
// dir must hold a dataset and nothing else; it is replaced. Events need a
// start date. A cancelled ctx stops the save and leaves dir as it was.
// The years' files are written on goroutines of their own, so
// their compression runs in parallel; each holds one row group in memory.
func SaveParquetDataset(ctx context.Context, dir string, meta timeline.Metadata, events iter.Seq[timeline.Event], opts ParquetOptions) (err error) {
	defer func() {
		if err != nil {
			err = fmt.Errorf("export: save parquet dataset %s: %w", dir, err)
		}
	}()
	if _, err := opts.codec(); err != nil {
		return err
	}
	dir = filepath.Clean(dir)
	if err := checkReplaceable(dir); err != nil {
		return err
	}
	tmp, err := os.MkdirTemp(filepath.Dir(dir), "."+filepath.Base(dir)+".tmp-*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			os.RemoveAll(tmp)
		}
	}()
	if err := os.Chmod(tmp, 0o755); err != nil {
		return err
	}
	schema := arrowSchema(meta)
	opts.Allocator = syncedAllocator(opts.Allocator) // the years' goroutines share it
	if err := atomicfile.WriteFrom(filepath.Join(tmp, commonMetadata), func(w io.Writer) error {
		return writeRecords(w, schema, opts, nil)
	}); err != nil {
		return err
	}
	if err := writePartitions(tmp, schema, cancellable(ctx, events), opts); err != nil {
		return err
	}
	// A cancelled save stops here: the folder of partitions goes, and an
	// earlier dataset at dir stays.
	if err := cancelled(ctx); err != nil {
		return err
	}
	return swapDir(tmp, dir)
}

// checkReplaceable refuses to replace a dir that holds anything but a
// dataset: a mistaken path must not delete a user's files.
func checkReplaceable(dir string) error {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	for _, e := range entries {
		if e.Name() == commonMetadata && e.Type().IsRegular() {
			continue
		}
		if _, ok := partitionYear(e.Name()); !ok || !e.IsDir() {
			return fmt.Errorf("will not replace %s: it holds %s, which is not part of a dataset", dir, e.Name())
		}
		parts, err := os.ReadDir(filepath.Join(dir, e.Name()))
		if err != nil {
			return err
		}
		for _, p := range parts {
			if !p.Type().IsRegular() || !strings.HasSuffix(p.Name(), ".parquet") {
				return fmt.Errorf("will not replace %s: it holds %s, which is not part of a dataset", dir, filepath.Join(e.Name(), p.Name()))
			}
		}
	}
	return nil
}

// swapDir moves the complete dataset at tmp to dir, moving any earlier one
// aside first and deleting it last, so that dir holds one whole dataset or
// the other at every moment but the one between the two renames.
func swapDir(tmp, dir string) error {
	if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
		if err := os.Rename(tmp, dir); err != nil {
			return err
		}
		return atomicfile.SyncDir(filepath.Dir(dir))
	}
	old, err := os.MkdirTemp(filepath.Dir(dir), "."+filepath.Base(dir)+".old-*")
	if err != nil {
		return err
	}
	aside := filepath.Join(old, "dataset")
	if err := os.Rename(dir, aside); err != nil {
		os.Remove(old)
		return err
	}
	if err := os.Rename(tmp, dir); err != nil {
		if rerr := os.Rename(aside, dir); rerr != nil {
			return fmt.Errorf("%w (and the earlier dataset is left at %s: %v)", err, aside, rerr)
		}
		os.Remove(old)
		return err
	}
	if err := atomicfile.SyncDir(filepath.Dir(dir)); err != nil {
		return err
	}
	return os.RemoveAll(old)
}

func partitionYear(name string) (int, bool) {
	s, ok := strings.CutPrefix(name, partitionKey)
	if !ok || s == "" {
		return 0, false
	}
	y, err := strconv.Atoi(s)
	if err != nil || y < timeline.MinYear || y > timeline.MaxYear || strconv.Itoa(y) != s {
		return 0, false
	}
	return y, true
}

// closedRecords is a channel without records.
var closedRecords = func() chan arrow.Record {
	c := make(chan arrow.Record)
	close(c)
	return c
}()

// partition is the writer of one year's file, on a goroutine of its own.
type partition struct {
	recs chan arrow.Record
	done chan error
}

// writePartitions writes the events to a file per year under dir. It
// collects a batch of events, then appends each year's share to one record
// builder and hands the record to that year's writer.
func writePartitions(dir string, schema *arrow.Schema, events iter.Seq[timeline.Event], opts ParquetOptions) (err error) {
	parts := map[int]*partition{}
	var wg sync.WaitGroup
	defer func() {
		for _, p := range parts {
			close(p.recs)
		}
		wg.Wait()
		for _, y := range slices.Sorted(maps.Keys(parts)) {
			if perr := <-parts[y].done; perr != nil && err == nil {
				err = fmt.Errorf("year %d: %w", y, perr)
			}
		}
	}()
	open := func(year int) (*partition, error) {
		sub := filepath.Join(dir, partitionKey+strconv.Itoa(year))
		if err := os.Mkdir(sub, 0o755); err != nil {
			return nil, err
		}
		p := &partition{recs: make(chan arrow.Record, 1), done: make(chan error, 1)}
		wg.Add(1)
		go func() {
			defer wg.Done()
			p.done <- atomicfile.WriteFrom(filepath.Join(sub, partitionFile), func(w io.Writer) error {
				return writeRecords(w, schema, opts, p.recs)
			})
		}()
		return p, nil
	}
	rb := newRecordBuilder(allocatorOr(opts.Allocator), schema)
	defer rb.release()
	batchSize := min(DefaultBatchSize, opts.rowGroupSize())
	pending := make([]timeline.Event, 0, batchSize)
	flush := func() error {
		slices.SortStableFunc(pending, func(a, b timeline.Event) int { return cmp.Compare(a.Start.Year(), b.Start.Year()) })
		for i := 0; i < len(pending); {
			year := pending[i].Start.Year()
			p, ok := parts[year]
			if !ok {
				var err error
				if p, err = open(year); err != nil {
					return err
				}
				parts[year] = p
			}
			for ; i < len(pending) && pending[i].Start.Year() == year; i++ {
				if err := rb.append(&pending[i]); err != nil {
					return fmt.Errorf("event %q: %w", pending[i].ID, err)
				}
			}
			p.recs <- rb.newRecord()
		}
		clear(pending)
		pending = pending[:0]
		return nil
	}
	if events != nil {
		for e := range events {
			if e.Start.IsZero() {
				return fmt.Errorf("event %q has no start date, which the year partition needs", e.ID)
			}
			pending = append(pending, e)
			if len(pending) == batchSize {
				if err := flush(); err != nil {
					return err
				}
			}
		}
	}
	return flush()
}

// writeRecords writes the records from recs (none when nil) to w as a
// Parquet file. After
// an error it goes on receiving, and releasing, until recs is closed, so
// that the sender never blocks.
func writeRecords(w io.Writer, schema *arrow.Schema, opts ParquetOptions, recs <-chan arrow.Record) (err error) {
	if recs == nil {
		recs = closedRecords
	}
	sw := &stickyWriter{w: w}
	defer func() {
		for rec := range recs {
			rec.Release()
		}
		if sw.err != nil {
			err = sw.err
		}
	}()
	defer recoverWriteErr(&err)
	// One goroutine per file: the years' files are written in parallel.
	pw, err := newParquetWriter(sw, schema, opts, 1)
	if err != nil {
		return err
	}
	defer pw.abort()
	for rec := range recs {
		if err := pw.writeRecord(rec); err != nil {
			return err
		}
	}
	return pw.close()
}

// ReadParquetDataset reads a dataset that SaveParquetDataset wrote: the
// Parquet files under dir/year=*/, in the order of their years, with the
// metadata of dir/_common_metadata (or, without it, of the first file). It
// returns the metadata and a sequence that opens, reads and closes one file
// at a time as it is iterated. Each file must carry the dataset's metadata
// and each event must start in the year of its folder. Every error is a
// *ReadError naming the file.
func ReadParquetDataset(dir string, opts ParquetReadOptions) (timeline.Metadata, iter.Seq2[timeline.Event, error], error) {
	fail := func(file string, err error) error {
		var re *ReadError
		if errors.As(err, &re) {
			return err
		}
		return &ReadError{File: file, Format: "parquet", Batch: -1, Err: classifyReadErr(err)}
	}
	parts, err := datasetParts(dir)
	if err != nil {
		return timeline.Metadata{}, nil, fail(dir, err)
	}
	readMeta := func(path string) (timeline.Metadata, error) {
		f, err := os.Open(path)
		if err != nil {
			return timeline.Metadata{}, fail(path, err)
		}
		defer f.Close()
		o := opts
		o.File = path
		meta, _, err := ReadParquet(f, o)
		return meta, err
	}
	var meta timeline.Metadata
	switch _, serr := os.Stat(filepath.Join(dir, commonMetadata)); {
	case serr == nil:
		meta, err = readMeta(filepath.Join(dir, commonMetadata))
	case len(parts) > 0:
		meta, err = readMeta(parts[0].path)
	default:
		err = fail(dir, fmt.Errorf("%w: no %s and no %s*/ folders: not a dataset", ErrSchema, commonMetadata, partitionKey))
	}
	if err != nil {
		return timeline.Metadata{}, nil, err
	}
	seq := func(yield func(timeline.Event, error) bool) {
		for _, p := range parts {
			if !readPart(p, meta, opts, yield) {
				return
			}
		}
	}
	return meta, seq, nil
}

type datasetPart struct {
	year int
	path string
}

// datasetParts lists the Parquet files of the dataset at dir, by year.
func datasetParts(dir string) ([]datasetPart, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var parts []datasetPart
	for _, e := range entries {
		y, ok := partitionYear(e.Name())
		if !ok || !e.IsDir() {
			continue
		}
		files, err := os.ReadDir(filepath.Join(dir, e.Name()))
		if err != nil {
			return nil, err
		}
		for _, f := range files {
			if f.Type().IsRegular() && strings.HasSuffix(f.Name(), ".parquet") && !strings.HasPrefix(f.Name(), ".") {
				parts = append(parts, datasetPart{y, filepath.Join(dir, e.Name(), f.Name())})
			}
		}
	}
	slices.SortFunc(parts, func(a, b datasetPart) int {
		return cmp.Or(cmp.Compare(a.year, b.year), strings.Compare(a.path, b.path))
	})
	return parts, nil
}

// readPart yields the events of one file of a dataset; it returns false
// when the iteration is to stop.
func readPart(p datasetPart, meta timeline.Metadata, opts ParquetReadOptions, yield func(timeline.Event, error) bool) bool {
	f, err := os.Open(p.path)
	if err != nil {
		return yield(timeline.Event{}, &ReadError{File: p.path, Format: "parquet", Batch: -1, Err: fmt.Errorf("%w: %w", ErrCorrupt, err)})
	}
	defer f.Close()
	opts.File = p.path
	m, seq, err := ReadParquet(f, opts)
	if err == nil && m != meta {
		err = &ReadError{File: p.path, Format: "parquet", Batch: -1, Err: fmt.Errorf("%w: the file's metadata differs from the dataset's", ErrValue)}
	}
	if err != nil {
		yield(timeline.Event{}, err)
		return false
	}
	row := 0
	for e, err := range seq {
		row++
		if err == nil && (e.Start.IsZero() || e.Start.Year() != p.year) {
			err = &ReadError{File: p.path, Format: "parquet", Batch: -1, Row: row, Column: colStart,
				Err: fmt.Errorf("%w: event %q starts in %q, outside the folder of year %d", ErrValue, e.ID, e.Start, p.year)}
		}
		if err != nil {
			yield(timeline.Event{}, err)
			return false
		}
		if !yield(e, nil) {
			return false
		}
	}
	return true
}

// LoadParquetDataset reads the dataset at dir (see ReadParquetDataset) and
// validates its events into a Dataset.
func LoadParquetDataset(dir string) (*timeline.Dataset, error) {
	meta, seq, err := ReadParquetDataset(dir, ParquetReadOptions{})
	if err != nil {
		return nil, err
	}
	events, err := collect(seq)
	if err != nil {
		return nil, err
	}
	return datasetFromRead(dir, "parquet", meta, events)
}
