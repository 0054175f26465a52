// Package timeline is the model of a sourced event timeline: dated events,
// each backed by the sources that report it, in a validated, queryable
// Dataset with a canonical JSON file form.
//
// Dates are civil calendar dates known to the year, month or day, with the
// EDTF level-1 qualifiers for uncertain (?) and approximate (~) dates; a
// coarse date covers its whole period, so an event dated 2024-11 lies in
// every range that touches November 2024. Events carry a kind and a status
// from closed vocabularies, a place with an ISO 3166-1 country and optional
// coordinates, actors, tags, related events, notes and sources. Each Source
// names its publisher and may grade it on the Admiralty scale (A1 to F6);
// Event.IndependentPublishers tells an event that only state media claim from
// one that independent publishers corroborate.
//
// A Dataset keeps its events in one chronological order (start of period,
// then precision, then ID), answers queries with composable Filters and Go
// iterators, and may be read from many goroutines at once. Validate reports
// every problem of a dataset at once, each naming the event and field.
//
// The package knows no file format but its own canonical JSON; package
// export writes and reads CSV, Arrow IPC and Parquet.
package timeline
