package timeline

import (
	"errors"
	"fmt"
	"strconv"
	"time"
)

// Precision says how much of a Date is known: the year, the month or the day.
type Precision uint8

// The precisions of a Date, coarsest first. The zero Precision belongs to the
// zero Date only.
const (
	PrecisionNone Precision = iota
	PrecisionYear
	PrecisionMonth
	PrecisionDay
)

var precisionNames = [...]string{"", "year", "month", "day"}

// String returns "year", "month" or "day" ("" for PrecisionNone).
func (p Precision) String() string {
	if int(p) < len(precisionNames) {
		return precisionNames[p]
	}
	return "Precision(" + strconv.Itoa(int(p)) + ")"
}

// ParsePrecision parses the names that String returns.
func ParsePrecision(s string) (Precision, error) {
	for i, n := range precisionNames {
		if n == s {
			return Precision(i), nil
		}
	}
	return 0, fmt.Errorf("timeline: precision %q: want year, month or day", s)
}

// Qualifier holds the EDTF level-1 qualifiers of a Date.
type Qualifier uint8

// The qualifiers; Uncertain|Approximate is written "%" in EDTF.
const (
	Uncertain   Qualifier = 1 << iota // "?": the source is not sure of it
	Approximate                       // "~": it is close to this, not exact
)

// String returns the EDTF suffix of q: "", "?", "~" or "%".
func (q Qualifier) String() string {
	switch q & (Uncertain | Approximate) {
	case Uncertain:
		return "?"
	case Approximate:
		return "~"
	case Uncertain | Approximate:
		return "%"
	}
	return ""
}

// MinYear and MaxYear bound the years a Date can hold: EDTF's four-digit years.
const (
	MinYear = 0
	MaxYear = 9999
)

// Date is a civil calendar date known to the year, the month or the day, with
// optional EDTF qualifiers. It is not an instant: 2024-11-14 is that day
// wherever the reader is. A coarse date covers its whole period.
//
// Date is a small comparable value; the zero Date means "no date" and prints
// as "". Its text form is EDTF level 1 ("2024", "2024-11", "2024-11-14?",
// "2024~", "2024-11%"), and ParseDate and String round-trip exactly.
type Date struct {
	year  int16
	month uint8
	day   uint8
	prec  Precision
	qual  Qualifier
}

// ErrDate is wrapped by every error about a malformed or impossible date.
var ErrDate = errors.New("invalid date")

// DateError reports text that is not an EDTF date this package accepts.
type DateError struct {
	Text   string // the text as given
	Reason string // what was expected
}

func (e *DateError) Error() string {
	return fmt.Sprintf("timeline: invalid date %q: %s", e.Text, e.Reason)
}

// Unwrap returns ErrDate.
func (e *DateError) Unwrap() error { return ErrDate }

// YearOf returns the date that is the whole of year y.
func YearOf(y int) (Date, error) { return NewDate(y, 0, 0) }

// MonthOf returns the date that is the whole of month m of year y.
func MonthOf(y int, m time.Month) (Date, error) { return NewDate(y, m, 0) }

// DayOf returns the date of day d of month m of year y.
func DayOf(y int, m time.Month, d int) (Date, error) { return NewDate(y, m, d) }

// NewDate returns a date of year precision when m and d are zero, month
// precision when only d is zero, and day precision otherwise. It fails for a
// year outside MinYear..MaxYear and for a month or day that does not exist.
func NewDate(y int, m time.Month, d int) (Date, error) {
	// The text is made only on error: NewDate is on every reader's hot path.
	text := func() string { return fmt.Sprintf("%04d-%02d-%02d", y, m, d) }
	if y < MinYear || y > MaxYear {
		return Date{}, &DateError{text(), fmt.Sprintf("year between %04d and %04d", MinYear, MaxYear)}
	}
	switch {
	case m == 0 && d == 0:
		return Date{year: int16(y), prec: PrecisionYear}, nil
	case m < 1 || m > 12:
		return Date{}, &DateError{text(), "month between 01 and 12"}
	case d == 0:
		return Date{year: int16(y), month: uint8(m), prec: PrecisionMonth}, nil
	case d < 1 || d > daysIn(y, m):
		return Date{}, &DateError{text(), fmt.Sprintf("day between 01 and %02d for %04d-%02d", daysIn(y, m), y, m)}
	}
	return Date{year: int16(y), month: uint8(m), day: uint8(d), prec: PrecisionDay}, nil
}

// MustParseDate is ParseDate for constants in code and tests; it panics on error.
func MustParseDate(s string) Date {
	d, err := ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

// ParseDate parses an EDTF level-1 date: YYYY, YYYY-MM or YYYY-MM-DD, optionally
// followed by one qualifier ?, ~ or %. The empty string gives the zero Date.
func ParseDate(s string) (Date, error) {
	if s == "" {
		return Date{}, nil
	}
	body, q := s, Qualifier(0)
	switch s[len(s)-1] {
	case '?':
		q = Uncertain
	case '~':
		q = Approximate
	case '%':
		q = Uncertain | Approximate
	}
	if q != 0 {
		body = s[:len(s)-1]
	}
	const want = "YYYY, YYYY-MM or YYYY-MM-DD, optionally followed by ?, ~ or %"
	var y, m, d int
	var ok bool
	switch len(body) {
	case 4:
		y, ok = digits(body)
	case 7:
		if body[4] == '-' {
			var okm bool
			y, ok = digits(body[:4])
			m, okm = digits(body[5:])
			ok = ok && okm
		}
	case 10:
		if body[4] == '-' && body[7] == '-' {
			var okm, okd bool
			y, ok = digits(body[:4])
			m, okm = digits(body[5:7])
			d, okd = digits(body[8:])
			ok = ok && okm && okd
		}
	}
	if !ok {
		return Date{}, &DateError{s, want}
	}
	if len(body) >= 7 && m == 0 {
		return Date{}, &DateError{s, "month between 01 and 12"}
	}
	if len(body) == 10 && d == 0 && m >= 1 && m <= 12 {
		return Date{}, &DateError{s, fmt.Sprintf("day between 01 and %02d for %04d-%02d", daysIn(y, time.Month(m)), y, m)}
	}
	date, err := NewDate(y, time.Month(m), d)
	if err != nil {
		err.(*DateError).Text = s
		return Date{}, err
	}
	date.qual = q
	return date, nil
}

// digits parses a run of ASCII digits; strconv.Atoi would also take signs.
func digits(s string) (int, bool) {
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, len(s) > 0
}

var monthDays = [13]int{0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}

func daysIn(y int, m time.Month) int {
	if m == 2 && y%4 == 0 && (y%100 != 0 || y%400 == 0) {
		return 29
	}
	return monthDays[m]
}

// String returns the EDTF form of d, or "" for the zero Date.
func (d Date) String() string {
	return string(d.AppendText(nil))
}

// AppendText appends the EDTF form of d to b.
func (d Date) AppendText(b []byte) []byte {
	if d.prec == PrecisionNone {
		return b
	}
	b = append4(b, int(d.year))
	if d.prec >= PrecisionMonth {
		b = append(b, '-', '0'+d.month/10, '0'+d.month%10)
	}
	if d.prec == PrecisionDay {
		b = append(b, '-', '0'+d.day/10, '0'+d.day%10)
	}
	return append(b, d.qual.String()...)
}

func append4(b []byte, n int) []byte {
	return append(b, byte('0'+n/1000), byte('0'+n/100%10), byte('0'+n/10%10), byte('0'+n%10))
}

// MarshalText returns the EDTF form of d.
func (d Date) MarshalText() ([]byte, error) { return d.AppendText(nil), nil }

// UnmarshalText parses an EDTF date into d.
func (d *Date) UnmarshalText(b []byte) error {
	v, err := ParseDate(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// IsZero reports whether d is the zero Date ("no date").
func (d Date) IsZero() bool { return d.prec == PrecisionNone }

// Precision returns how much of d is known.
func (d Date) Precision() Precision { return d.prec }

// Qualifier returns the EDTF qualifiers of d.
func (d Date) Qualifier() Qualifier { return d.qual }

// Year returns the year of d.
func (d Date) Year() int { return int(d.year) }

// Month returns the month of d, or 0 below month precision.
func (d Date) Month() time.Month { return time.Month(d.month) }

// Day returns the day of the month of d, or 0 below day precision.
func (d Date) Day() int { return int(d.day) }

// IsUncertain reports whether d carries the "?" qualifier (or "%").
func (d Date) IsUncertain() bool { return d.qual&Uncertain != 0 }

// IsApproximate reports whether d carries the "~" qualifier (or "%").
func (d Date) IsApproximate() bool { return d.qual&Approximate != 0 }

// WithQualifier returns d with its qualifiers replaced by q. The zero Date
// stays zero.
func (d Date) WithQualifier(q Qualifier) Date {
	if d.IsZero() {
		return d
	}
	d.qual = q & (Uncertain | Approximate)
	return d
}

// Truncate returns d reduced to precision p (no change if d is already as
// coarse), keeping its qualifiers.
func (d Date) Truncate(p Precision) Date {
	if d.IsZero() || p >= d.prec {
		return d
	}
	if p == PrecisionNone {
		return Date{}
	}
	if p < PrecisionDay {
		d.day = 0
	}
	if p < PrecisionMonth {
		d.month = 0
	}
	d.prec = p
	return d
}

// First returns the first day that d covers, at day precision and without
// qualifiers. The zero Date gives the zero Date.
func (d Date) First() Date {
	switch d.prec {
	case PrecisionYear:
		return Date{year: d.year, month: 1, day: 1, prec: PrecisionDay}
	case PrecisionMonth:
		return Date{year: d.year, month: d.month, day: 1, prec: PrecisionDay}
	case PrecisionDay:
		d.qual = 0
		return d
	}
	return Date{}
}

// Last returns the last day that d covers, at day precision and without
// qualifiers. The zero Date gives the zero Date.
func (d Date) Last() Date {
	switch d.prec {
	case PrecisionYear:
		return Date{year: d.year, month: 12, day: 31, prec: PrecisionDay}
	case PrecisionMonth:
		return Date{year: d.year, month: d.month, day: uint8(daysIn(int(d.year), time.Month(d.month))), prec: PrecisionDay}
	case PrecisionDay:
		d.qual = 0
		return d
	}
	return Date{}
}

// Time returns midnight UTC at the start of the first day d covers: a civil
// date carried in a time.Time, for arithmetic, not an instant of the event.
// The zero Date gives the zero time.Time.
func (d Date) Time() time.Time {
	if d.IsZero() {
		return time.Time{}
	}
	f := d.First()
	return time.Date(int(f.year), time.Month(f.month), int(f.day), 0, 0, 0, 0, time.UTC)
}

// DaysSinceEpoch returns the number of days from 1970-01-01 to the first day
// d covers: the value Arrow's date32 stores. The zero Date gives 0, as
// 1970-01-01 does, so callers check IsZero first.
func (d Date) DaysSinceEpoch() int32 {
	if d.IsZero() {
		return 0
	}
	f := d.First()
	return int32(daysFromCivil(int(f.year), int(f.month), int(f.day)))
}

// DateFromDays returns the day-precision date that is n days after 1970-01-01.
// It fails outside MinYear..MaxYear.
func DateFromDays(n int32) (Date, error) {
	y, m, d := civilFromDays(int64(n))
	if y < MinYear || y > MaxYear {
		return Date{}, &DateError{strconv.Itoa(int(n)) + " days since 1970-01-01", fmt.Sprintf("a day in the years %04d to %04d", MinYear, MaxYear)}
	}
	return Date{year: int16(y), month: uint8(m), day: uint8(d), prec: PrecisionDay}, nil
}

// daysFromCivil and civilFromDays are Howard Hinnant's exact algorithms for
// the proleptic Gregorian calendar; they avoid time.Time on the hot path.
func daysFromCivil(y, m, d int) int64 {
	if m <= 2 {
		y--
	}
	era := y / 400
	if y < 0 && y%400 != 0 {
		era--
	}
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return int64(era)*146097 + int64(doe) - 719468
}

func civilFromDays(z int64) (y, m, d int) {
	z += 719468
	era := z / 146097
	if z < 0 && z%146097 != 0 {
		era--
	}
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	d = int(doy - (153*mp+2)/5 + 1)
	m = int(mp + 3)
	if m > 12 {
		m -= 12
	}
	y = int(yoe + era*400)
	if m <= 2 {
		y++
	}
	return y, m, d
}

// Compare orders dates chronologically: by the first day they cover, then
// coarser before finer (2024 before 2024-01 before 2024-01-01), then by
// qualifier. The zero Date sorts first. It returns -1, 0 or +1.
func (d Date) Compare(o Date) int {
	a, b := d.First(), o.First()
	switch {
	case d.prec == PrecisionNone || o.prec == PrecisionNone:
		return cmpInt(min(int(d.prec), 1), min(int(o.prec), 1))
	case a.year != b.year:
		return cmpInt(int(a.year), int(b.year))
	case a.month != b.month:
		return cmpInt(int(a.month), int(b.month))
	case a.day != b.day:
		return cmpInt(int(a.day), int(b.day))
	case d.prec != o.prec:
		return cmpInt(int(d.prec), int(o.prec))
	}
	return cmpInt(int(d.qual), int(o.qual))
}

func cmpInt(a, b int) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// Before reports whether d sorts before o (see Compare).
func (d Date) Before(o Date) bool { return d.Compare(o) < 0 }

// After reports whether d sorts after o (see Compare).
func (d Date) After(o Date) bool { return d.Compare(o) > 0 }

// Overlaps reports whether any day that d covers lies in the days from the
// first day of from to the last day of to. A zero from or to leaves that side
// open; the zero d overlaps nothing.
func (d Date) Overlaps(from, to Date) bool {
	if d.IsZero() {
		return false
	}
	if !from.IsZero() && d.Last().Compare(from.First()) < 0 {
		return false
	}
	if !to.IsZero() && d.First().Compare(to.Last()) > 0 {
		return false
	}
	return true
}
