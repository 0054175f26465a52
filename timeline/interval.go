package timeline

import "strings"

// Interval is an EDTF level-1 interval between two dates ("2024-10/2024-11").
// Either end may be unknown (written as nothing: "2024-10/", "/2024-11") or
// open, that is still going on or unbounded (written "..": "2024-10/..").
//
// An Interval with a Start and nothing else is a single date, not a period:
// it prints as that date. A zero Start with OpenStart false is an unknown
// start; an unknown end needs UnknownEnd, to tell "2024/" from "2024".
type Interval struct {
	Start      Date
	End        Date
	OpenStart  bool // the start is unbounded ("../2024"); Start is then zero
	OpenEnd    bool // the end is unbounded ("2024/.."); End is then zero
	UnknownEnd bool // the period has an end that is not known ("2024/"); End is then zero
}

// ParseInterval parses an EDTF interval "START/END", where each side is a
// date, empty (unknown) or ".." (open). A plain date without "/" gives an
// interval with that start and no end.
func ParseInterval(s string) (Interval, error) {
	start, end, found := strings.Cut(s, "/")
	var iv Interval
	var err error
	if !found {
		if iv.Start, err = ParseDate(s); err != nil {
			return Interval{}, err
		}
		if iv.Start.IsZero() {
			return Interval{}, &DateError{s, "an EDTF date or interval START/END"}
		}
		return iv, nil
	}
	if start == ".." {
		iv.OpenStart = true
	} else if iv.Start, err = ParseDate(start); err != nil {
		return Interval{}, &DateError{s, "interval start: " + err.(*DateError).Reason}
	}
	if end == ".." {
		iv.OpenEnd = true
	} else if iv.End, err = ParseDate(end); err != nil {
		return Interval{}, &DateError{s, "interval end: " + err.(*DateError).Reason}
	}
	iv.UnknownEnd = end == ""
	if iv.Start.IsZero() && iv.End.IsZero() {
		return Interval{}, &DateError{s, "at least one dated end"}
	}
	if !iv.Start.IsZero() && !iv.End.IsZero() && iv.End.Last().Before(iv.Start.First()) {
		return Interval{}, &DateError{s, "an end that is not before the start"}
	}
	return iv, nil
}

// String returns the EDTF form of iv; an interval with a start only prints
// as that date.
func (iv Interval) String() string {
	if !iv.OpenStart && !iv.OpenEnd && !iv.UnknownEnd && iv.End.IsZero() {
		return iv.Start.String()
	}
	var b []byte
	if iv.OpenStart {
		b = append(b, ".."...)
	} else {
		b = iv.Start.AppendText(b)
	}
	b = append(b, '/')
	if iv.OpenEnd {
		b = append(b, ".."...)
	} else {
		b = iv.End.AppendText(b)
	}
	return string(b)
}

// MarshalText returns the EDTF form of iv.
func (iv Interval) MarshalText() ([]byte, error) { return []byte(iv.String()), nil }

// UnmarshalText parses an EDTF interval into iv.
func (iv *Interval) UnmarshalText(b []byte) error {
	v, err := ParseInterval(string(b))
	if err != nil {
		return err
	}
	*iv = v
	return nil
}

// Overlaps reports whether iv shares at least one day with the days from the
// first day of from to the last day of to (a zero bound is open). An unknown
// end counts as the start date alone, and an unknown start as the end date
// alone; an open end or start runs on without limit.
func (iv Interval) Overlaps(from, to Date) bool {
	lo, hi := iv.Start, iv.End
	if hi.IsZero() && !iv.OpenEnd {
		hi = lo
	}
	if lo.IsZero() && !iv.OpenStart {
		lo = hi
	}
	if !from.IsZero() && !iv.OpenEnd && hi.Last().Before(from.First()) {
		return false
	}
	if !to.IsZero() && !iv.OpenStart && lo.First().After(to.Last()) {
		return false
	}
	return !(lo.IsZero() && hi.IsZero() && !iv.OpenStart && !iv.OpenEnd)
}
