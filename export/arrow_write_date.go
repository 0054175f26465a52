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

// digitPairs holds the two digits of each number from 0 to 99.
const digitPairs = "00010203040506070809" +
	"10111213141516171819" +
	"20212223242526272829" +
	"30313233343536373839" +
	"40414243444546474849" +
	"50515253545556575859" +
	"60616263646566676869" +
	"70717273747576777879" +
	"80818283848586878889" +
	"90919293949596979899"

// qualifierText is the EDTF mark of each combination of the Uncertain and
// Approximate qualifiers, or 0 for none.
var qualifierText = [4]byte{0, '?', '~', '%'}

// putDateText writes the EDTF text of d, which is not zero, at the start of
// b, which has room for maxDateText bytes, and returns its length.
func putDateText(b []byte, d *timeline.Date) int {
	_ = b[maxDateText-1]
	y := uint(d.Year()) % 10000
	hi, lo := y/100, y%100
	b[0], b[1] = digitPairs[2*hi], digitPairs[2*hi+1]
	b[2], b[3] = digitPairs[2*lo], digitPairs[2*lo+1]
	n := 4
	if p := d.Precision(); p >= timeline.PrecisionMonth {
		m := uint(d.Month()) % 100
		b[4], b[5], b[6] = '-', digitPairs[2*m], digitPairs[2*m+1]
		n = 7
		if p == timeline.PrecisionDay {
			day := uint(d.Day()) % 100
			b[7], b[8], b[9] = '-', digitPairs[2*day], digitPairs[2*day+1]
			n = 10
		}
	}
	if q := qualifierText[d.Qualifier()&(timeline.Uncertain|timeline.Approximate)]; q != 0 {
		b[n] = q
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

// daysBeforeMonth are the days of a year that starts in March (as
// civilDays counts) before each month (1 to 12).
var daysBeforeMonth = [13]uint16{0, 306, 337, 0, 31, 61, 92, 122, 153, 184, 214, 245, 275}

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
	doy := uint(daysBeforeMonth[uint(m)%13]) + uint(d) - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return int32(int(era*146097+doe) - 719468 - eras*146097)
}
