package export

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"iter"
	"os"
	"path/filepath"

	"github.com/sourced-dev/sourced/internal/atomicfile"
	"github.com/sourced-dev/sourced/timeline"
)

// CSVFiles lists the paths that SaveCSV wrote.
type CSVFiles struct {
	Events  string // dir/events.csv
	Sources string // dir/sources.csv
	Package string // dir/datapackage.json
}

// SaveCSV writes d to dir as events.csv and sources.csv (see WriteCSV) and
// datapackage.json, a Frictionless Data Package descriptor that carries the
// dataset's metadata and the columns and types of both files, so the
// metadata travels with the CSV and tools such as frictionless-py or
// DuckDB's readers can type the columns. dir is made if it is missing;
// other files in it are left alone.
//
// The three files are written to temporary files first and renamed into
// place together, only when all three are complete: a failure while
// writing, or a cancelled ctx, leaves no partial file and every earlier
// file as it was.
func SaveCSV(ctx context.Context, dir string, d *timeline.Dataset, opts CSVOptions) (CSVFiles, error) {
	return saveCSV(ctx, dir, d.Metadata(), d.All(), opts, nil)
}

// SaveCSVEvents is SaveCSV for a stream of events with their metadata, for
// conversions that must not hold the whole dataset in memory. The events
// are written as they come, not validated or sorted.
func SaveCSVEvents(ctx context.Context, dir string, meta timeline.Metadata, events iter.Seq[timeline.Event], opts CSVOptions) (CSVFiles, error) {
	return saveCSV(ctx, dir, meta, events, opts, nil)
}

// saveCSV is SaveCSV with a hook that wraps each file's writer, for tests
// of failing writes.
func saveCSV(ctx context.Context, dir string, meta timeline.Metadata, events iter.Seq[timeline.Event], opts CSVOptions, wrap func(io.Writer) io.Writer) (_ CSVFiles, err error) {
	if wrap == nil {
		wrap = func(w io.Writer) io.Writer { return w }
	}
	files := CSVFiles{
		Events:  filepath.Join(dir, EventsCSV),
		Sources: filepath.Join(dir, SourcesCSV),
		Package: filepath.Join(dir, PackageCSV),
	}
	desc, err := dataPackage(meta, opts)
	if err != nil {
		return CSVFiles{}, err
	}
	if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return CSVFiles{}, err
		}
		// A failed save leaves no folder it made.
		defer func() {
			if err != nil {
				os.Remove(dir)
			}
		}()
	}
	err = atomicfile.WriteGroup([]string{files.Events, files.Sources, files.Package}, func(ws []*os.File) error {
		if err := WriteCSV(ctx, wrap(ws[0]), wrap(ws[1]), events, opts); err != nil {
			return err
		}
		_, err := wrap(ws[2]).Write(desc)
		return err
	})
	if err != nil {
		return CSVFiles{}, err
	}
	return files, nil
}

// LoadCSV reads a folder that SaveCSV wrote: the metadata from
// datapackage.json, the events from events.csv and sources.csv (see
// ReadCSV), and validates the whole (see timeline.New). Errors from the
// CSV files are *ReadError values naming the file's path; a dataset that
// reads but is not valid gives timeline.ValidationErrors.
func LoadCSV(dir string) (*timeline.Dataset, error) {
	in, err := openCSV(dir, &Input{Format: FormatCSV})
	return loadInput(dir, in, err)
}

// The Frictionless Data Package descriptor
// (https://specs.frictionlessdata.io/data-package/), with the tabular
// profile's resources and schemas, and the properties of our own that it
// has no place for under "sourced".
type dpPackage struct {
	Profile     string       `json:"profile"`
	Name        string       `json:"name"`
	Title       string       `json:"title,omitempty"`
	Description string       `json:"description,omitempty"`
	Version     string       `json:"version,omitempty"`
	Licenses    []dpLicense  `json:"licenses,omitempty"`
	Sourced     dpSourced    `json:"sourced"`
	Resources   []dpResource `json:"resources"`
}

type dpLicense struct {
	Name string `json:"name"` // an SPDX identifier, as Metadata.License holds
}

type dpSourced struct {
	Schema  string `json:"schema"`            // timeline.SchemaVersion
	Updated string `json:"updated,omitempty"` // Metadata.Updated, EDTF
	RawText bool   `json:"raw_text"`          // written without the formula guard (CSVOptions.RawText)
}

type dpResource struct {
	Name      string    `json:"name"`
	Path      string    `json:"path"`
	Profile   string    `json:"profile"`
	Format    string    `json:"format"`
	MediaType string    `json:"mediatype"`
	Encoding  string    `json:"encoding"`
	Dialect   dpDialect `json:"dialect"`
	Schema    dpSchema  `json:"schema"`
}

type dpDialect struct {
	Delimiter      string `json:"delimiter"`
	LineTerminator string `json:"lineTerminator"`
	QuoteChar      string `json:"quoteChar"`
	DoubleQuote    bool   `json:"doubleQuote"`
	Header         bool   `json:"header"`
}

type dpSchema struct {
	Fields      []dpField      `json:"fields"`
	PrimaryKey  []string       `json:"primaryKey,omitempty"`
	ForeignKeys []dpForeignKey `json:"foreignKeys,omitempty"`
}

type dpField struct {
	Name        string         `json:"name"`
	Type        string         `json:"type"`
	Description string         `json:"description"`
	Constraints *dpConstraints `json:"constraints,omitempty"`
}

type dpConstraints struct {
	Required bool     `json:"required,omitempty"`
	Enum     []string `json:"enum,omitempty"`
}

type dpForeignKey struct {
	Fields    []string    `json:"fields"`
	Reference dpReference `json:"reference"`
}

type dpReference struct {
	Resource string   `json:"resource"`
	Fields   []string `json:"fields"`
}

func dataPackage(meta timeline.Metadata, opts CSVOptions) ([]byte, error) {
	p := dpPackage{
		Profile:     "tabular-data-package",
		Name:        meta.Name,
		Title:       meta.Title,
		Description: meta.Description,
		Version:     meta.Version,
		Sourced:     dpSourced{Schema: timeline.SchemaVersion, Updated: meta.Updated.String(), RawText: opts.RawText},
		Resources: []dpResource{
			dpResourceOf("events", EventsCSV, eventColumns[:]),
			dpResourceOf("sources", SourcesCSV, sourceColumns[:]),
		},
	}
	if meta.License != "" {
		p.Licenses = []dpLicense{{Name: meta.License}}
	}
	p.Resources[0].Schema.PrimaryKey = []string{"id"}
	p.Resources[1].Schema.ForeignKeys = []dpForeignKey{{Fields: []string{"event_id"}, Reference: dpReference{Resource: "events", Fields: []string{"id"}}}}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(p); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

func dpResourceOf(name, path string, cols []CSVColumn) dpResource {
	r := dpResource{
		Name: name, Path: path, Profile: "tabular-data-resource", Format: "csv",
		MediaType: "text/csv", Encoding: "utf-8",
		Dialect: dpDialect{Delimiter: ",", LineTerminator: "\n", QuoteChar: `"`, DoubleQuote: true, Header: true},
	}
	for _, c := range cols {
		f := dpField{Name: c.Name, Type: c.Type, Description: c.Doc}
		if c.Type == "list" || c.Type == "edtf" {
			// Frictionless has neither; both are text to its readers.
			f.Type = "string"
		}
		if c.Derived {
			f.Description += " (derived: checked on reading)"
		}
		if c.Required || c.Enum != nil {
			f.Constraints = &dpConstraints{Required: c.Required, Enum: c.Enum}
		}
		r.Schema.Fields = append(r.Schema.Fields, f)
	}
	return r
}

// readDataPackage reads the metadata, and whether the files are raw text,
// from a descriptor that SaveCSV wrote. Properties that other tools add are
// ignored; ours must be there.
func readDataPackage(path string) (timeline.Metadata, bool, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return timeline.Metadata{}, false, err
	}
	var p dpPackage
	if err := json.Unmarshal(data, &p); err != nil {
		return timeline.Metadata{}, false, fmt.Errorf("export: %s: %w", path, err)
	}
	fail := func(format string, args ...any) (timeline.Metadata, bool, error) {
		return timeline.Metadata{}, false, fmt.Errorf("export: %s: "+format, append([]any{path}, args...)...)
	}
	if p.Sourced.Schema != timeline.SchemaVersion {
		return fail("sourced.schema %q: want %q", p.Sourced.Schema, timeline.SchemaVersion)
	}
	if len(p.Licenses) > 1 {
		return fail("%d licenses: a dataset has one", len(p.Licenses))
	}
	meta := timeline.Metadata{Name: p.Name, Title: p.Title, Description: p.Description, Version: p.Version}
	if len(p.Licenses) == 1 {
		meta.License = p.Licenses[0].Name
	}
	if meta.Updated, err = timeline.ParseDate(p.Sourced.Updated); err != nil {
		return fail("sourced.updated: %w", err)
	}
	return meta, p.Sourced.RawText, nil
}
