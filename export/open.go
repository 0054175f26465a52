package export

import (
	"context"
	"errors"
	"fmt"
	"io"
	"iter"
	"os"
	"path/filepath"
	"strings"

	"github.com/sourced-dev/sourced/timeline"
)

// Format names a file format that Open reads.
type Format string

// The formats, by the name the main job's -formats flag uses.
const (
	FormatJSON        Format = "json"        // the canonical JSON file of package timeline (.json)
	FormatCSV         Format = "csv"         // a folder with events.csv, sources.csv and datapackage.json
	FormatArrow       Format = "arrow"       // an Arrow IPC file (.arrow, .feather)
	FormatArrowStream Format = "arrows"      // an Arrow IPC stream (.arrows)
	FormatParquet     Format = "parquet"     // one Parquet file (.parquet)
	FormatPartitioned Format = "partitioned" // a folder of year=YYYY/part-N.parquet files
)

// ErrFormat is returned by Open for a path whose format it cannot tell.
var ErrFormat = errors.New("unknown dataset format")

// Input is a dataset file opened for reading as a stream of events.
type Input struct {
	Format   Format
	Metadata timeline.Metadata
	// Events yields the events in file order; a read error is yielded
	// once, with a zero event, and ends the sequence. It is not validated
	// as a whole (Load is).
	Events iter.Seq2[timeline.Event, error]
	closer io.Closer
}

// Close releases the files that the Input holds open.
func (in *Input) Close() error {
	if in.closer == nil {
		return nil
	}
	return in.closer.Close()
}

// DetectFormat tells a dataset's format from its path: the extension of a
// file, or the contents of a folder.
func DetectFormat(path string) (Format, error) {
	st, err := os.Stat(path)
	if err != nil {
		return "", err
	}
	if st.IsDir() {
		if _, err := os.Stat(filepath.Join(path, EventsCSV)); err == nil {
			return FormatCSV, nil
		}
		if m, _ := filepath.Glob(filepath.Join(path, "year=*")); len(m) > 0 {
			return FormatPartitioned, nil
		}
		return "", fmt.Errorf("%w: %s: a folder with neither %s nor year=YYYY partitions", ErrFormat, path, EventsCSV)
	}
	switch strings.ToLower(filepath.Ext(path)) {
	case ".json":
		return FormatJSON, nil
	case ".arrow", ".feather", ".ipc":
		return FormatArrow, nil
	case ".arrows":
		return FormatArrowStream, nil
	case ".parquet":
		return FormatParquet, nil
	case ".csv":
		return "", fmt.Errorf("%w: %s: open the folder that holds %s, %s and %s", ErrFormat, path, EventsCSV, SourcesCSV, PackageCSV)
	}
	return "", fmt.Errorf("%w: %s: want .json, .arrow, .arrows, .parquet, or a CSV or partitioned Parquet folder", ErrFormat, path)
}

// Open opens the dataset at path in any format that DetectFormat tells, for
// reading as a stream: no format but JSON is read whole into memory. The
// caller closes the Input.
func Open(path string) (*Input, error) {
	format, err := DetectFormat(path)
	if err != nil {
		return nil, err
	}
	in := &Input{Format: format}
	switch format {
	case FormatJSON:
		d, err := timeline.Load(path)
		if err != nil {
			return nil, err
		}
		in.Metadata = d.Metadata()
		in.Events = func(yield func(timeline.Event, error) bool) {
			for e := range d.All() {
				if !yield(e, nil) {
					return
				}
			}
		}
		return in, nil
	case FormatCSV:
		return openCSV(path, in)
	case FormatPartitioned:
		in.Metadata, in.Events, err = ReadParquetDataset(path, ParquetReadOptions{})
		if err != nil {
			return nil, err
		}
		return in, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	in.closer = f
	switch format {
	case FormatArrow:
		in.Metadata, in.Events, err = ReadArrow(f, ArrowReadOptions{File: path})
	case FormatArrowStream:
		in.Metadata, in.Events, err = ReadArrowStream(f, ArrowReadOptions{File: path})
	case FormatParquet:
		in.Metadata, in.Events, err = ReadParquet(f, ParquetReadOptions{File: path})
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	return in, nil
}

func openCSV(dir string, in *Input) (*Input, error) {
	meta, raw, err := readDataPackage(filepath.Join(dir, PackageCSV))
	if err != nil {
		return nil, err
	}
	evPath, srcPath := filepath.Join(dir, EventsCSV), filepath.Join(dir, SourcesCSV)
	ev, err := os.Open(evPath)
	if err != nil {
		return nil, err
	}
	src, err := os.Open(srcPath)
	if err != nil {
		ev.Close()
		return nil, err
	}
	in.Metadata = meta
	in.Events = ReadCSV(ev, src, CSVReadOptions{EventsFile: evPath, SourcesFile: srcPath, RawText: raw})
	in.closer = closers{ev, src}
	return in, nil
}

type closers []io.Closer

func (cs closers) Close() error {
	var errs []error
	for _, c := range cs {
		errs = append(errs, c.Close())
	}
	return errors.Join(errs...)
}

// Load reads the dataset at path in any format that DetectFormat tells and
// validates it into a Dataset.
func Load(path string) (*timeline.Dataset, error) {
	in, err := Open(path)
	return loadInput(path, in, err)
}

// loadInput reads an opened Input whole, closes it and validates it.
func loadInput(path string, in *Input, err error) (*timeline.Dataset, error) {
	if err != nil {
		return nil, err
	}
	defer in.Close()
	events, err := collect(in.Events)
	if err != nil {
		return nil, err
	}
	d, err := timeline.New(in.Metadata, events)
	if err != nil {
		return nil, fmt.Errorf("export: %s: %w", path, err)
	}
	return d, nil
}

// collect reads a reader's whole sequence, stopping at the first error.
func collect(seq iter.Seq2[timeline.Event, error]) ([]timeline.Event, error) {
	var events []timeline.Event
	for e, err := range seq {
		if err != nil {
			return nil, err
		}
		events = append(events, e)
	}
	return events, nil
}

// UntilError adapts a reader's sequence to the iter.Seq that writers take:
// it yields the events until the first error, and then calls cancel with
// that error as the cause. A writer given the context that cancel belongs
// to then fails with the read error (errors.As finds the *ReadError)
// instead of finishing a file that silently lacks the rest, and a Save
// leaves no file:
//
//	ctx, cancel := context.WithCancelCause(ctx)
//	defer cancel(nil)
//	err := export.SaveArrow(ctx, "out.arrow", in.Metadata, export.UntilError(in.Events, cancel), opts)
func UntilError(seq iter.Seq2[timeline.Event, error], cancel context.CancelCauseFunc) iter.Seq[timeline.Event] {
	return func(yield func(timeline.Event) bool) {
		for e, err := range seq {
			if err != nil {
				cancel(err)
				return
			}
			if !yield(e) {
				return
			}
		}
	}
}
