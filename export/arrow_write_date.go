package export

import (
	"github.com/sourced-dev/sourced/timeline"
)

// The writer formats every date of every event; these do what
// Date.AppendText and Date.DaysSinceEpoch do (the tests hold them to it),
// straight into a batch's buffers and without the copies of a Date that
// First and Last make. They take a pointer: a Date passed by value goes
// through the stack a byte at a time and is read back as wider words, which
// the CPU cannot forward from the narrow stores (a stall on every date).

// putDateText writes the EDTF text of d, which is not zero, at the start of
// b, which has room for maxDateText bytes, and returns its length.
func putDateText(b []byte, d *timeline.Date) int {
	_ = b[maxDateText-1]
	y := d.Year()
	b[0] = byte('0' + y/1000)
	b[1] = byte('0' + y/100%10)
	b[2] = byte('0' + y/10%10)
	b[3] = byte('0' + y%10)
	n := 4
	if p := d.Precision(); p >= timeline.PrecisionMonth {
		m := byte(d.Month())
		b[4], b[5], b[6] = '-', '0'+m/10, '0'+m%10
		n = 7
		if p == timeline.PrecisionDay {
			day := byte(d.Day())
			b[7], b[8], b[9] = '-', '0'+day/10, '0'+day%10
			n = 10
		}
	}
	switch d.Qualifier() & (timeline.Uncertain | timeline.Approximate) {
	case timeline.Uncertain:
		b[n] = '?'
		n++
	case timeline.Approximate:
		b[n] = '~'
		n++
	case timeline.Uncertain | timeline.Approximate:
		b[n] = '%'
		n++
	}
	return n
}

// dateDays returns the days from 1970-01-01 to the first day that d, which
// is not zero, covers, or with last to the last: d.DaysSinceEpoch() or
// d.Last().DaysSinceEpoch().
func dateDays(d *timeline.Date, last bool) int32 {
	y, m, day := d.Year(), int(d.Month()), d.Day()
	switch d.Precision() {
	case timeline.PrecisionYear:
		if last {
			m, day = 12, 31
		} else {
			m, day = 1, 1
		}
	case timeline.PrecisionMonth:
		if last {
			day = monthDays(y, m)
		} else {
			day = 1
		}
	}
	return civilDays(y, m, day)
}

// daysOfMonth are the days of each month (1 to 12) of a common year.
var daysOfMonth = [13]uint8{0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}

// monthDays returns the number of days in month m (1 to 12) of year y.
func monthDays(y, m int) int {
	if m == 2 && y%4 == 0 && (y%100 != 0 || y%400 == 0) {
		return 29
	}
	return int(daysOfMonth[m])
}

// civilDays is Howard Hinnant's days_from_civil for the years a Date
// holds (timeline.MinYear to MaxYear): shifted by 25 eras of 400 years, so
// that every quotient is of a non-negative number.
func civilDays(y, m, d int) int32 {
	const eras = 25
	yy := uint(y + eras*400)
	if m <= 2 {
		yy--
	}
	era := yy / 400
	yoe := yy - era*400
	mp := uint(m+9) % 12
	doy := (153*mp+2)/5 + uint(d) - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return int32(int(era*146097+doe) - 719468 - eras*146097)
}
