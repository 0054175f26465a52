// Package export writes timeline datasets to the files that analysts hand
// on, and reads each of them back to equal events: CSV for spreadsheets and
// pandas, Arrow IPC (file and stream) for notebooks, and Parquet, single or
// partitioned by year, for data engines.
//
// Writers take an iter.Seq of events and write batch by batch, so a
// conversion never holds a whole dataset in memory; readers yield events as
// an iter.Seq2 of events and errors. Functions that take a path write
// atomically: a temporary file in the same folder, renamed into place only
// when complete, so a failed export leaves no partial file and any earlier
// file untouched.
//
// Every reader meets bad input, including files crafted to crash Arrow and
// Parquet readers, with a *ReadError that names the file, the place and the
// field, never with a panic.
//
// The README's section "The files" tabulates every column of events.csv,
// sources.csv and the Arrow and Parquet schema (name, type, meaning and an
// example from the seed dataset), and the schema metadata keys, the Meta*
// constants. Golden files in testdata pin the CSV headers and the Arrow
// schema, so a change to either is a visible diff.
package export
