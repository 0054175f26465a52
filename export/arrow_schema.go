package export

import (
	"fmt"
	"strings"
	"sync"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/sourced-dev/sourced/timeline"
)

// The Arrow and Parquet files hold one row per event. Their columns, in
// order (the README lists them with their types):
//
//	id, title, summary, kind, status,
//	start, start_date, start_precision, end, end_date, end_precision,
//	place_name, country, lat, lon, geo_precision,
//	actors, tags, related, notes, sources,
//	source_count, publisher_count, independent_publishers
//
// The EDTF text columns (start, end, published, accessed) carry the dates
// exactly, with their precision and qualifiers; the date32 columns beside
// them carry the first (or, for end, the last) day covered, for readers that
// want a date type. The counts and the date32 and precision columns are
// derived: readers check them when present and do not need them.
const (
	colID           = "id"
	colTitle        = "title"
	colSummary      = "summary"
	colKind         = "kind"
	colStatus       = "status"
	colStart        = "start"
	colStartDate    = "start_date"
	colStartPrec    = "start_precision"
	colEnd          = "end"
	colEndDate      = "end_date"
	colEndPrec      = "end_precision"
	colPlaceName    = "place_name"
	colCountry      = "country"
	colLat          = "lat"
	colLon          = "lon"
	colGeoPrecision = "geo_precision"
	colActors       = "actors"
	colTags         = "tags"
	colRelated      = "related"
	colNotes        = "notes"
	colSources      = "sources"
	colSourceCount  = "source_count"
	colPublishers   = "publisher_count"
	colIndependent  = "independent_publishers"

	actorColName = "name"
	actorColRole = "role"

	srcColPublisher     = "publisher"
	srcColKind          = "kind"
	srcColVia           = "via"
	srcColTitle         = "title"
	srcColURL           = "url"
	srcColPublished     = "published"
	srcColPublishedDate = "published_date"
	srcColAccessed      = "accessed"
	srcColAccessedDate  = "accessed_date"
	srcColLanguage      = "language"
	srcColQuote         = "quote"
	srcColGrading       = "grading"
)

// The schema metadata keys of Arrow and Parquet files. Every key is always
// written; an empty value means the dataset does not set it.
const (
	MetaSchema      = "sourced.schema"      // timeline.SchemaVersion of the layout
	MetaName        = "sourced.name"        // Metadata.Name
	MetaTitle       = "sourced.title"       // Metadata.Title
	MetaDescription = "sourced.description" // Metadata.Description
	MetaLicense     = "sourced.license"     // Metadata.License
	MetaVersion     = "sourced.version"     // Metadata.Version
	MetaUpdated     = "sourced.updated"     // Metadata.Updated, in EDTF
)

// dictUTF8 is the type of every dictionary column. Indices are signed int32
// because unsigned indices fail in older pyarrow.
var dictUTF8 = &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int32, ValueType: arrow.BinaryTypes.String}

var (
	utf8Type = arrow.BinaryTypes.String

	actorType = arrow.StructOf(
		arrow.Field{Name: actorColName, Type: utf8Type},
		arrow.Field{Name: actorColRole, Type: utf8Type, Nullable: true},
	)

	sourceType = arrow.StructOf(
		arrow.Field{Name: srcColPublisher, Type: utf8Type},
		arrow.Field{Name: srcColKind, Type: utf8Type},
		arrow.Field{Name: srcColVia, Type: utf8Type, Nullable: true},
		arrow.Field{Name: srcColTitle, Type: utf8Type, Nullable: true},
		arrow.Field{Name: srcColURL, Type: utf8Type, Nullable: true},
		arrow.Field{Name: srcColPublished, Type: utf8Type, Nullable: true},
		arrow.Field{Name: srcColPublishedDate, Type: arrow.FixedWidthTypes.Date32, Nullable: true},
		arrow.Field{Name: srcColAccessed, Type: utf8Type, Nullable: true},
		arrow.Field{Name: srcColAccessedDate, Type: arrow.FixedWidthTypes.Date32, Nullable: true},
		arrow.Field{Name: srcColLanguage, Type: utf8Type, Nullable: true},
		arrow.Field{Name: srcColQuote, Type: utf8Type, Nullable: true},
		arrow.Field{Name: srcColGrading, Type: utf8Type, Nullable: true},
	)

	eventFields = []arrow.Field{
		{Name: colID, Type: utf8Type},
		{Name: colTitle, Type: utf8Type},
		{Name: colSummary, Type: utf8Type, Nullable: true},
		{Name: colKind, Type: dictUTF8},
		{Name: colStatus, Type: dictUTF8},
		{Name: colStart, Type: utf8Type, Nullable: true},
		{Name: colStartDate, Type: arrow.FixedWidthTypes.Date32, Nullable: true},
		{Name: colStartPrec, Type: dictUTF8, Nullable: true},
		{Name: colEnd, Type: utf8Type, Nullable: true},
		{Name: colEndDate, Type: arrow.FixedWidthTypes.Date32, Nullable: true},
		{Name: colEndPrec, Type: dictUTF8, Nullable: true},
		{Name: colPlaceName, Type: utf8Type, Nullable: true},
		{Name: colCountry, Type: dictUTF8, Nullable: true},
		{Name: colLat, Type: arrow.PrimitiveTypes.Float64, Nullable: true},
		{Name: colLon, Type: arrow.PrimitiveTypes.Float64, Nullable: true},
		{Name: colGeoPrecision, Type: dictUTF8, Nullable: true},
		{Name: colActors, Type: arrow.ListOfNonNullable(actorType)},
		{Name: colTags, Type: arrow.ListOfNonNullable(utf8Type)},
		{Name: colRelated, Type: arrow.ListOfNonNullable(utf8Type)},
		{Name: colNotes, Type: utf8Type, Nullable: true},
		{Name: colSources, Type: arrow.ListOfNonNullable(sourceType)},
		{Name: colSourceCount, Type: arrow.PrimitiveTypes.Int32},
		{Name: colPublishers, Type: arrow.PrimitiveTypes.Int32},
		{Name: colIndependent, Type: arrow.PrimitiveTypes.Int32},
	}
)

// arrowSchema returns the schema of a file holding a dataset with metadata
// meta.
func arrowSchema(meta timeline.Metadata) *arrow.Schema {
	md := arrow.NewMetadata(
		[]string{MetaSchema, MetaName, MetaTitle, MetaDescription, MetaLicense, MetaVersion, MetaUpdated},
		[]string{timeline.SchemaVersion, meta.Name, meta.Title, meta.Description, meta.License, meta.Version, meta.Updated.String()},
	)
	return arrow.NewSchema(eventFields, &md)
}

// metadataFromSchema reads the dataset's metadata back from the schema
// metadata. A file without the schema key is accepted when its columns are
// ours (pandas, for one, drops schema metadata); a file with another schema
// version is not.
func metadataFromSchema(md arrow.Metadata) (timeline.Metadata, error) {
	get := func(k string) string {
		if i := md.FindKey(k); i >= 0 {
			return strings.Clone(md.Values()[i])
		}
		return ""
	}
	if v := get(MetaSchema); v != "" && v != timeline.SchemaVersion {
		return timeline.Metadata{}, fmt.Errorf("%w: schema metadata %s is %q, want %q", ErrSchema, MetaSchema, v, timeline.SchemaVersion)
	}
	m := timeline.Metadata{
		Name:        get(MetaName),
		Title:       get(MetaTitle),
		Description: get(MetaDescription),
		License:     get(MetaLicense),
		Version:     get(MetaVersion),
	}
	updated, err := timeline.ParseDate(get(MetaUpdated))
	if err != nil {
		return timeline.Metadata{}, fmt.Errorf("%w: schema metadata %s: %v", ErrValue, MetaUpdated, err)
	}
	m.Updated = updated
	return m, nil
}

// vocabulary is a closed list of strings that a dictionary column holds in
// full in every batch, so that every batch carries the same dictionary: the
// IPC file format allows one dictionary per field, and indices stay stable
// across batches and files.
type vocabulary struct {
	values []string
	index  map[string]int32
}

func newVocabulary[T ~string](values []T) *vocabulary {
	v := &vocabulary{index: make(map[string]int32, len(values))}
	for i, s := range values {
		v.values = append(v.values, string(s))
		v.index[string(s)] = int32(i)
	}
	return v
}

// dictionary returns the vocabulary as an Arrow string array, from Go's
// garbage-collected allocator rather than the caller's: it is small, and
// outlives the batches that refer to it.
func (v *vocabulary) dictionary() *array.String {
	b := array.NewStringBuilder(memory.NewGoAllocator())
	defer b.Release()
	b.AppendValues(v.values, nil)
	return b.NewStringArray()
}

var vocabularies = sync.OnceValue(func() (v struct{ kind, status, precision, country, geo *vocabulary }) {
	v.kind = newVocabulary(timeline.Kinds())
	v.status = newVocabulary(timeline.Statuses())
	v.precision = newVocabulary([]string{
		timeline.PrecisionYear.String(), timeline.PrecisionMonth.String(), timeline.PrecisionDay.String()})
	v.country = newVocabulary(timeline.CountryCodes())
	v.geo = newVocabulary(timeline.GeoPrecisions())
	return v
})
