// Command export is the main job: it writes a timeline dataset in every
// format that package export knows, and prints what it wrote.
//
// With no flags it exports the embedded seed dataset to ./out:
//
//	go run ./examples/export
//
// dataset.json        the canonical JSON file
// events.csv          one row per event   } with datapackage.json, the
// sources.csv         one row per source  } Frictionless descriptor
// events.arrow        Arrow IPC file (pandas.read_feather, polars.read_ipc)
// events.arrows       Arrow IPC stream (pyarrow.ipc.open_stream)
// events.parquet      Parquet, zstd
// parquet/year=YYYY/part-0.parquet   the same, partitioned by year (DuckDB, Spark)
//
// Flags choose the input (-in, any supported format, or -synthetic N
// generated events), the folder (-out), the formats (-formats) and the
// compression. Input is read as a stream, so converting a large Arrow,
// Parquet or CSV dataset holds one batch in memory at a time; only the
// json format, which validates and sorts the dataset whole, holds all of it.
//
// The job writes into a staging folder inside -out and moves the files into
// place only when every format has been written: on bad input it exits
// non-zero with an error that names the file and the place, and writes
// nothing.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"iter"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"text/tabwriter"

	"github.com/apache/arrow/go/v17/parquet/file"
	"github.com/sourced-dev/sourced/export"
	"github.com/sourced-dev/sourced/internal/atomicfile"
	"github.com/sourced-dev/sourced/seeds"
	"github.com/sourced-dev/sourced/timeline"
)

var allFormats = []export.Format{export.FormatJSON, export.FormatCSV, export.FormatArrow,
	export.FormatArrowStream, export.FormatParquet, export.FormatPartitioned}

type config struct {
	in, out        string
	formats        []export.Format
	synthetic      int
	seed           uint64
	arrowCodec     export.Compression
	parquetCodec   export.Compression
	parquetLevel   int
	bom            bool
	batch          int
	allowFormulas  bool
	syntheticRough bool
}

func main() {
	cfg, err := parseFlags(os.Args[1:], os.Stderr)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return
		}
		os.Exit(2)
	}
	// Ctrl-C stops the writers; the staging folder goes, and nothing is
	// written.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, cfg, os.Stdout); err != nil {
		// The library's errors start with its package name too.
		fmt.Fprintln(os.Stderr, "export:", strings.TrimPrefix(err.Error(), "export: "))
		os.Exit(1)
	}
}

func parseFlags(args []string, stderr io.Writer) (config, error) {
	fl := flag.NewFlagSet("export", flag.ContinueOnError)
	fl.SetOutput(stderr)
	var cfg config
	var formats, arrowCodec, parquetCodec string
	fl.StringVar(&cfg.in, "in", "", "read this dataset instead of the embedded seed: a .json, .arrow, .arrows or .parquet file, or a CSV or partitioned Parquet folder")
	fl.StringVar(&cfg.out, "out", "out", "the folder to write into (made if missing)")
	fl.StringVar(&formats, "formats", "all", "comma-separated formats to write: json, csv, arrow, arrows, parquet, partitioned, or all")
	fl.IntVar(&cfg.synthetic, "synthetic", 0, "export this many generated events instead of the seed dataset (for benchmarks)")
	fl.Uint64Var(&cfg.seed, "seed", 1, "the generator's seed, with -synthetic")
	fl.BoolVar(&cfg.syntheticRough, "hostile", false, "with -synthetic, mix in text built to break exporters")
	fl.StringVar(&arrowCodec, "arrow-compression", "zstd", "Arrow compression: none, zstd or lz4")
	fl.StringVar(&parquetCodec, "parquet-compression", "zstd", "Parquet compression: none, zstd or snappy")
	fl.IntVar(&cfg.parquetLevel, "parquet-level", 0, "Parquet zstd level, 1 (fastest) to 22 (0: the library's default, 1)")
	fl.BoolVar(&cfg.bom, "bom", false, "start the CSV files with a UTF-8 byte order mark, for Excel")
	fl.BoolVar(&cfg.allowFormulas, "raw-csv", false, "write CSV text as it is, without guarding cells that a spreadsheet would run as formulas")
	fl.IntVar(&cfg.batch, "batch", 0, "events per Arrow record batch (0: the library's default)")
	if err := fl.Parse(args); err != nil {
		return cfg, err
	}
	fail := func(format string, a ...any) (config, error) {
		err := fmt.Errorf(format, a...)
		fmt.Fprintln(stderr, "export:", err)
		fl.Usage()
		return cfg, err
	}
	if fl.NArg() > 0 {
		return fail("unexpected argument %q", fl.Arg(0))
	}
	if cfg.in != "" && cfg.synthetic > 0 {
		return fail("-in and -synthetic exclude each other")
	}
	if cfg.synthetic < 0 {
		return fail("-synthetic %d: want a count of events", cfg.synthetic)
	}
	if formats == "all" {
		cfg.formats = allFormats
	} else {
		for _, f := range strings.Split(formats, ",") {
			f := export.Format(strings.TrimSpace(f))
			if !slices.Contains(allFormats, f) {
				return fail("-formats: unknown format %q", f)
			}
			if !slices.Contains(cfg.formats, f) {
				cfg.formats = append(cfg.formats, f)
			}
		}
	}
	var ok bool
	if cfg.arrowCodec, ok = codec(arrowCodec, export.CompressionNone, export.CompressionZstd, export.CompressionLZ4); !ok {
		return fail("-arrow-compression %q: want none, zstd or lz4", arrowCodec)
	}
	if cfg.parquetCodec, ok = codec(parquetCodec, export.CompressionNone, export.CompressionZstd, export.CompressionSnappy); !ok {
		return fail("-parquet-compression %q: want none, zstd or snappy", parquetCodec)
	}
	if cfg.parquetLevel != 0 && (cfg.parquetCodec != export.CompressionZstd || cfg.parquetLevel < 1 || cfg.parquetLevel > 22) {
		return fail("-parquet-level %d: want 1 to 22, with -parquet-compression zstd", cfg.parquetLevel)
	}
	return cfg, nil
}

func codec(name string, allowed ...export.Compression) (export.Compression, bool) {
	for _, c := range allowed {
		if c.String() == name {
			return c, true
		}
	}
	return 0, false
}

// source gives the input as a fresh stream for each format, so that no
// format but json needs the whole dataset in memory.
type source struct {
	meta timeline.Metadata
	open func() (iter.Seq2[timeline.Event, error], func(), error)
	name string
	// streamed is true when open decodes a file or generates events as it
	// goes, rather than walking events already in memory.
	streamed bool
}

func openSource(cfg config) (source, error) {
	switch {
	case cfg.synthetic > 0:
		opts := seeds.SyntheticOptions{Seed: cfg.seed, Hostile: cfg.syntheticRough}
		return source{
			meta:     seeds.SyntheticMetadata(cfg.synthetic, opts),
			name:     fmt.Sprintf("%d synthetic events (seed %d)", cfg.synthetic, cfg.seed),
			streamed: true,
			open: func() (iter.Seq2[timeline.Event, error], func(), error) {
				return withNoError(seeds.Synthetic(cfg.synthetic, opts)), func() {}, nil
			},
		}, nil
	case cfg.in != "":
		in, err := export.Open(cfg.in)
		if err != nil {
			return source{}, err
		}
		name := fmt.Sprintf("%s (%s)", cfg.in, in.Format)
		if in.Format == export.FormatJSON {
			// Open has decoded and validated the whole file already, and
			// its Events can be walked again: decode it once, not once per
			// format.
			return source{meta: in.Metadata, name: name,
				open: func() (iter.Seq2[timeline.Event, error], func(), error) {
					return in.Events, func() {}, nil
				},
			}, nil
		}
		meta := in.Metadata
		in.Close()
		return source{
			meta:     meta,
			name:     name,
			streamed: true,
			open: func() (iter.Seq2[timeline.Event, error], func(), error) {
				in, err := export.Open(cfg.in)
				if err != nil {
					return nil, nil, err
				}
				return in.Events, func() { in.Close() }, nil
			},
		}, nil
	}
	d, err := seeds.Load()
	if err != nil {
		return source{}, err
	}
	return source{
		meta: d.Metadata(),
		name: "the embedded seed dataset (" + seeds.FileName + ")",
		open: func() (iter.Seq2[timeline.Event, error], func(), error) {
			return withNoError(d.All()), func() {}, nil
		},
	}, nil
}

func withNoError(seq iter.Seq[timeline.Event]) iter.Seq2[timeline.Event, error] {
	return func(yield func(timeline.Event, error) bool) {
		for e := range seq {
			if !yield(e, nil) {
				return
			}
		}
	}
}

// written is one row of the table the job prints.
type written struct {
	path   string // relative to the output folder
	format export.Format
	rows   int
	what   string
}

func run(ctx context.Context, cfg config, stdout io.Writer) error {
	src, err := openSource(cfg)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(cfg.out, 0o755); err != nil {
		return err
	}
	staging, err := os.MkdirTemp(cfg.out, ".export-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(staging)

	var table []written
	for _, f := range cfg.formats {
		rows, err := writeFormat(ctx, cfg, src, f, staging)
		if err != nil {
			return err
		}
		table = append(table, rows...)
	}
	// Every format is complete: move the files into place.
	for _, entry := range topEntries(table) {
		if err := replace(filepath.Join(staging, entry), filepath.Join(cfg.out, entry), staging); err != nil {
			return err
		}
	}
	// And make the renames themselves durable.
	if err := atomicfile.SyncDir(cfg.out); err != nil {
		return err
	}
	return report(stdout, cfg, src, table)
}

// replace moves src to dst. A file replaces dst's file at once (rename);
// a folder cannot replace a folder so, and the earlier folder moves into
// trash (the staging folder, removed after) first, so that dst is at
// every moment either the earlier folder or the new one.
func replace(src, dst, trash string) error {
	if err := os.Rename(src, dst); err == nil {
		return nil
	}
	old := filepath.Join(trash, ".earlier-"+filepath.Base(dst))
	if err := os.Rename(dst, old); err != nil {
		return err
	}
	if err := os.Rename(src, dst); err != nil {
		// Put the earlier one back.
		return errors.Join(err, os.Rename(old, dst))
	}
	return nil
}

// topEntries lists the files and folders directly under the staging folder
// that the table names.
func topEntries(table []written) []string {
	var out []string
	for _, w := range table {
		top, _, _ := strings.Cut(filepath.ToSlash(w.path), "/")
		if !slices.Contains(out, top) {
			out = append(out, top)
		}
	}
	return out
}

func writeFormat(ctx context.Context, cfg config, src source, f export.Format, dir string) ([]written, error) {
	events, done, err := src.open()
	if err != nil {
		return nil, err
	}
	defer done()
	if src.streamed {
		// Decode on one core while this goroutine encodes on the other.
		events = export.ReadAhead(events, 4096)
	}
	// A read error cancels ctx with the error as its cause: the writer
	// stops and returns it rather than finishing a short file.
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var n, nsrc int
	counted := func(yield func(timeline.Event) bool) {
		for e := range export.UntilError(events, cancel) {
			n++
			nsrc += len(e.Sources)
			if !yield(e) {
				return
			}
		}
	}
	arrowOpts := export.ArrowOptions{Compression: cfg.arrowCodec, BatchSize: cfg.batch}
	parquetOpts := export.ParquetOptions{Compression: cfg.parquetCodec, CompressionLevel: cfg.parquetLevel}
	var out []written
	switch f {
	case export.FormatJSON:
		var all []timeline.Event
		for e := range counted {
			all = append(all, e)
		}
		if err := ctx.Err(); err != nil {
			return nil, context.Cause(ctx)
		}
		d, verr := timeline.New(src.meta, all)
		if verr != nil {
			return nil, fmt.Errorf("%s: %w", src.name, verr)
		}
		err = timeline.Save(filepath.Join(dir, "dataset.json"), d)
		out = append(out, written{"dataset.json", f, n, "events"})
	case export.FormatCSV:
		_, err = export.SaveCSVEvents(ctx, dir, src.meta, counted, export.CSVOptions{BOM: cfg.bom, RawText: cfg.allowFormulas})
		out = append(out, written{export.EventsCSV, f, n, "events"},
			written{export.SourcesCSV, f, nsrc, "sources"},
			written{export.PackageCSV, f, 2, "resources"})
	case export.FormatArrow:
		err = export.SaveArrow(ctx, filepath.Join(dir, "events.arrow"), src.meta, counted, arrowOpts)
		out = append(out, written{"events.arrow", f, n, "events"})
	case export.FormatArrowStream:
		err = export.SaveArrowStream(ctx, filepath.Join(dir, "events.arrows"), src.meta, counted, arrowOpts)
		out = append(out, written{"events.arrows", f, n, "events"})
	case export.FormatParquet:
		err = export.SaveParquet(ctx, filepath.Join(dir, "events.parquet"), src.meta, counted, parquetOpts)
		out = append(out, written{"events.parquet", f, n, "events"})
	case export.FormatPartitioned:
		err = export.SaveParquetDataset(ctx, filepath.Join(dir, "parquet"), src.meta, counted, parquetOpts)
		if err == nil {
			out, err = partitions(dir, "parquet", f)
		}
	}
	if err == nil {
		if ctx.Err() != nil {
			err = context.Cause(ctx)
		}
	}
	if err != nil {
		return nil, err
	}
	return out, nil
}

// partitions lists the files of a partitioned dataset with their row
// counts, read from the files' footers.
func partitions(dir, sub string, f export.Format) ([]written, error) {
	var out []written
	err := filepath.WalkDir(filepath.Join(dir, sub), func(path string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		if e.Name() == "_common_metadata" {
			// The schema and the dataset's metadata, without rows.
			out = append(out, written{filepath.ToSlash(rel), f, 0, "schema"})
			return nil
		}
		if filepath.Ext(path) != ".parquet" {
			return nil
		}
		// The row count from the file's footer: the job has just written
		// it, and reading its events back would double the work.
		pf, err := file.OpenParquetFile(path, false)
		if err != nil {
			return err
		}
		n := pf.NumRows()
		if err := pf.Close(); err != nil {
			return err
		}
		out = append(out, written{filepath.ToSlash(rel), f, int(n), "events"})
		return nil
	})
	return out, err
}

func report(w io.Writer, cfg config, src source, table []written) error {
	fmt.Fprintf(w, "exported %s\n", src.name)
	if src.meta.Title != "" {
		fmt.Fprintf(w, "  %s, version %s, licence %s\n", src.meta.Title, src.meta.Version, src.meta.License)
	}
	fmt.Fprintf(w, "into %s:\n\n", cfg.out)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "file\tformat\trows\t\tbytes")
	var total int64
	for _, r := range table {
		st, err := os.Stat(filepath.Join(cfg.out, r.path))
		if err != nil {
			return err
		}
		total += st.Size()
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%d\n", r.path, r.format, r.rows, r.what, st.Size())
	}
	fmt.Fprintf(tw, "total\t\t\t\t%d\n", total)
	if err := tw.Flush(); err != nil {
		return err
	}
	if src.streamed && cfg.in != "" && !slices.Contains(cfg.formats, export.FormatJSON) {
		// Only the json format holds the whole dataset; a streamed
		// conversion checks each event as it passes.
		fmt.Fprintln(w, "\nchecked each event; duplicate IDs and related IDs across events are checked with -formats json")
	}
	return nil
}
