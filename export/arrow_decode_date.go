package export

import (
	"time"

	"github.com/sourced-dev/sourced/timeline"
)

// quickParse parses s as timeline.ParseDate does when s is a date in one of
// the forms that writers write (YYYY, YYYY-MM or YYYY-MM-DD, then at most
// one qualifier), which is every date of a well-formed file, without
// ParseDate's generic loops: m and d are 0 for a coarser date. It checks
// the digits, and that a month or a day given is not 0, but not the
// calendar. For anything else, a valid date or not, it returns false, and
// the caller leaves s to ParseDate, which says what is wrong with it.
func quickParse(s string) (y, m, d int, q timeline.Qualifier, ok bool) {
	n := len(s)
	if n < 4 {
		return 0, 0, 0, 0, false
	}
	switch s[n-1] {
	case '?':
		q, n = timeline.Uncertain, n-1
	case '~':
		q, n = timeline.Approximate, n-1
	case '%':
		q, n = timeline.Uncertain|timeline.Approximate, n-1
	}
	switch n {
	case 10:
		d0, d1 := s[8]-'0', s[9]-'0'
		if s[7] != '-' || d0 > 9 || d1 > 9 {
			return 0, 0, 0, 0, false
		}
		if d = int(d0)*10 + int(d1); d == 0 {
			return 0, 0, 0, 0, false
		}
		fallthrough
	case 7:
		m0, m1 := s[5]-'0', s[6]-'0'
		if s[4] != '-' || m0 > 9 || m1 > 9 {
			return 0, 0, 0, 0, false
		}
		if m = int(m0)*10 + int(m1); m == 0 {
			return 0, 0, 0, 0, false
		}
	case 4:
	default:
		return 0, 0, 0, 0, false
	}
	y0, y1, y2, y3 := s[0]-'0', s[1]-'0', s[2]-'0', s[3]-'0'
	if y0 > 9 || y1 > 9 || y2 > 9 || y3 > 9 {
		return 0, 0, 0, 0, false
	}
	y = int(y0)*1000 + int(y1)*100 + int(y2)*10 + int(y3)
	return y, m, d, q, true
}

// quickDate is timeline.ParseDate for the dates that quickParse reads: so
// whatever quickDate accepts, ParseDate accepts as the same date.
func quickDate(s string) (timeline.Date, bool) {
	y, m, d, q, ok := quickParse(s)
	if !ok {
		return timeline.Date{}, false
	}
	return newDate(y, m, d, q)
}

func newDate(y, m, d int, q timeline.Qualifier) (timeline.Date, bool) {
	t, err := timeline.NewDate(y, time.Month(m), d)
	if err != nil {
		return timeline.Date{}, false
	}
	if q != 0 {
		t = t.WithQualifier(q)
	}
	return t, true
}

// quickDateDay is readDate's path for a date that quickParse reads, of a
// year in monthStarts, whose day is in days: it parses s and checks row i
// of days against it (its first day, or with last its last) in one go,
// with the month table. It returns false for anything else, which readDate
// then reads the long way (and fails on, if wrong), so that it returns
// only the date that the long way returns.
func quickDateDay(s string, days *dateCol, i int, last bool) (timeline.Date, bool) {
	y, m, d, q, ok := quickParse(s)
	if !ok || y < monthTableFrom || y > monthTableTo || m > 12 || days.nulls.null(i) {
		return timeline.Date{}, false
	}
	months := days.months[(y-monthTableFrom)*13:][:13]
	var first, end int32 // the first day covered, and the day after the last
	switch {
	case m == 0:
		first, end = months[0], months[12]
	case d == 0:
		first, end = months[m-1], months[m]
	default:
		first = months[m-1] + int32(d) - 1
		if first >= months[m] {
			return timeline.Date{}, false // no such day
		}
		end = first + 1
	}
	want := first
	if last {
		want = end - 1
	}
	if int32(days.days[i]) != want {
		return timeline.Date{}, false
	}
	return newDate(y, m, d, q)
}
