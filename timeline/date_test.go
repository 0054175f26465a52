package timeline_test

import (
	"encoding/json"
	"errors"
	"math"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourced-dev/sourced/timeline"
)

func TestParseDateRoundTrip(t *testing.T) {
	bodies := []struct {
		text       string
		prec       timeline.Precision
		year       int
		month      time.Month
		day        int
		first      string
		last       string
		daysOfFrst int32
	}{
		{"2024", timeline.PrecisionYear, 2024, 0, 0, "2024-01-01", "2024-12-31", 19723},
		{"2024-11", timeline.PrecisionMonth, 2024, 11, 0, "2024-11-01", "2024-11-30", 20028},
		{"2024-11-14", timeline.PrecisionDay, 2024, 11, 14, "2024-11-14", "2024-11-14", 20041},
		{"2024-02", timeline.PrecisionMonth, 2024, 2, 0, "2024-02-01", "2024-02-29", 19754},
		{"2023-02", timeline.PrecisionMonth, 2023, 2, 0, "2023-02-01", "2023-02-28", 19389},
		{"0000", timeline.PrecisionYear, 0, 0, 0, "0000-01-01", "0000-12-31", -719528},
		{"0000-01-01", timeline.PrecisionDay, 0, 1, 1, "0000-01-01", "0000-01-01", -719528},
		{"9999", timeline.PrecisionYear, 9999, 0, 0, "9999-01-01", "9999-12-31", 2932532},
		{"9999-12-31", timeline.PrecisionDay, 9999, 12, 31, "9999-12-31", "9999-12-31", 2932896},
		{"1970-01-01", timeline.PrecisionDay, 1970, 1, 1, "1970-01-01", "1970-01-01", 0},
		{"1969-12", timeline.PrecisionMonth, 1969, 12, 0, "1969-12-01", "1969-12-31", -31},
	}
	qualifiers := []struct {
		suffix      string
		q           timeline.Qualifier
		uncertain   bool
		approximate bool
	}{
		{"", 0, false, false},
		{"?", timeline.Uncertain, true, false},
		{"~", timeline.Approximate, false, true},
		{"%", timeline.Uncertain | timeline.Approximate, true, true},
	}
	for _, b := range bodies {
		for _, q := range qualifiers {
			text := b.text + q.suffix
			t.Run(text, func(t *testing.T) {
				d, err := timeline.ParseDate(text)
				require.NoError(t, err)
				assert.Equal(t, text, d.String())
				assert.False(t, d.IsZero())
				assert.Equal(t, b.prec, d.Precision())
				assert.Equal(t, q.q, d.Qualifier())
				assert.Equal(t, q.suffix, d.Qualifier().String())
				assert.Equal(t, q.uncertain, d.IsUncertain())
				assert.Equal(t, q.approximate, d.IsApproximate())
				assert.Equal(t, b.year, d.Year())
				assert.Equal(t, b.month, d.Month())
				assert.Equal(t, b.day, d.Day())
				assert.Equal(t, b.first, d.First().String(), "First drops the qualifier")
				assert.Equal(t, b.last, d.Last().String(), "Last drops the qualifier")
				assert.Equal(t, b.daysOfFrst, d.DaysSinceEpoch())
				assert.Equal(t, b.text, d.WithQualifier(0).String())

				again, err := timeline.ParseDate(d.String())
				require.NoError(t, err)
				assert.Equal(t, d, again, "ParseDate(String()) gives the same comparable value")

				text2, err := d.MarshalText()
				require.NoError(t, err)
				assert.Equal(t, text, string(text2))
				var back timeline.Date
				require.NoError(t, back.UnmarshalText(text2))
				assert.Equal(t, d, back)
				assert.Equal(t, "prefix:"+text, string(d.AppendText([]byte("prefix:"))))
			})
		}
	}
}

func TestParseDateEmpty(t *testing.T) {
	d, err := timeline.ParseDate("")
	require.NoError(t, err)
	assert.True(t, d.IsZero())
	assert.Equal(t, timeline.Date{}, d)
	assert.Equal(t, "", d.String())
	assert.Equal(t, timeline.PrecisionNone, d.Precision())
	assert.Equal(t, timeline.Date{}, d.First())
	assert.Equal(t, timeline.Date{}, d.Last())
	assert.Equal(t, time.Time{}, d.Time())
	assert.Equal(t, int32(0), d.DaysSinceEpoch())
	assert.Equal(t, timeline.Date{}, d.WithQualifier(timeline.Uncertain), "the zero Date takes no qualifier")
}

func TestParseDateErrors(t *testing.T) {
	const format = "YYYY, YYYY-MM or YYYY-MM-DD, optionally followed by ?, ~ or %"
	tests := []struct {
		text   string
		reason string
	}{
		{"2024-13", "month between 01 and 12"},
		{"2024-00", "month between 01 and 12"},
		{"2024-00-01", "month between 01 and 12"},
		{"2024-13-01", "month between 01 and 12"},
		{"2024-13-00", "month between 01 and 12"},
		{"2024-21", "month between 01 and 12"}, // an EDTF level-1 season: not supported
		{"2024-11-00", "day between 01 and 30 for 2024-11"},
		{"2024-11-31", "day between 01 and 30 for 2024-11"},
		{"2024-01-32", "day between 01 and 31 for 2024-01"},
		{"2023-02-29", "day between 01 and 28 for 2023-02"},
		{"1900-02-29", "day between 01 and 28 for 1900-02"},
		{"2100-02-29?", "day between 01 and 28 for 2100-02"},
		{"24-11-14", format},
		{"2024-11-14x", format},
		{"2024-1-1", format},
		{"2024-1", format},
		{"+2024", format},
		{"-2024", format},
		{"10000", format},
		{"202", format},
		{"?", format},
		{"~", format},
		{"%", format},
		{"2024??", format},
		{"2024?~", format},
		{"?2024", format},
		{" 2024", format},
		{"2024 ", format},
		{"2024/11/14", format},
		{"2024-11-14T00:00", format},
		{"2024_11", format},
		{"2024-111", format},
		{"2024-11-1?", format},
		{"２０２４", format}, // full-width digits
		{"2O24", format},
		{"2024-XX", format},
		{"2024\x00", format},
		{"2024-11-14\n", format},
	}
	for _, tt := range tests {
		t.Run(strconv.Quote(tt.text), func(t *testing.T) {
			d, err := timeline.ParseDate(tt.text)
			require.Error(t, err)
			assert.Equal(t, timeline.Date{}, d)
			assert.ErrorIs(t, err, timeline.ErrDate)
			var de *timeline.DateError
			require.ErrorAs(t, err, &de)
			assert.Equal(t, tt.text, de.Text)
			assert.Equal(t, tt.reason, de.Reason)
			assert.Equal(t, "timeline: invalid date "+strconv.Quote(tt.text)+": "+tt.reason, err.Error())

			var u timeline.Date
			assert.ErrorIs(t, u.UnmarshalText([]byte(tt.text)), timeline.ErrDate)
			assert.True(t, u.IsZero(), "a failed UnmarshalText leaves the Date as it was")
		})
	}
}

func TestLeapYears(t *testing.T) {
	tests := []struct {
		text string
		ok   bool
	}{
		{"2024-02-29", true},
		{"2000-02-29", true},
		{"0000-02-29", true}, // year 0 is divisible by 400
		{"1600-02-29", true},
		{"1900-02-29", false},
		{"2100-02-29", false},
		{"2023-02-29", false},
		{"9996-02-29", true},
		{"9999-02-29", false},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			d, err := timeline.ParseDate(tt.text)
			if !tt.ok {
				assert.ErrorIs(t, err, timeline.ErrDate)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.text, d.String())
			y, _ := strconv.Atoi(tt.text[:4])
			m, err := timeline.MonthOf(y, time.February)
			require.NoError(t, err)
			assert.Equal(t, d, m.Last())
		})
	}
}

func TestNewDate(t *testing.T) {
	tests := []struct {
		name   string
		y      int
		m      time.Month
		d      int
		want   string
		reason string
	}{
		{"year", 2024, 0, 0, "2024", ""},
		{"month", 2024, 11, 0, "2024-11", ""},
		{"day", 2024, 11, 14, "2024-11-14", ""},
		{"min year", timeline.MinYear, 0, 0, "0000", ""},
		{"max year", timeline.MaxYear, 12, 31, "9999-12-31", ""},
		{"year below", -1, 0, 0, "", "year between 0000 and 9999"},
		{"year above", 10000, 1, 1, "", "year between 0000 and 9999"},
		{"month 13", 2024, 13, 0, "", "month between 01 and 12"},
		{"month negative", 2024, -1, 1, "", "month between 01 and 12"},
		{"day without month", 2024, 0, 5, "", "month between 01 and 12"},
		{"day 31 of November", 2024, 11, 31, "", "day between 01 and 30 for 2024-11"},
		{"day negative", 2024, 11, -1, "", "day between 01 and 30 for 2024-11"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := timeline.NewDate(tt.y, tt.m, tt.d)
			if tt.reason != "" {
				var de *timeline.DateError
				require.ErrorAs(t, err, &de)
				assert.Equal(t, tt.reason, de.Reason)
				assert.ErrorIs(t, err, timeline.ErrDate)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, d.String())
		})
	}
	y, err := timeline.YearOf(2024)
	require.NoError(t, err)
	assert.Equal(t, "2024", y.String())
	m, err := timeline.MonthOf(2024, time.March)
	require.NoError(t, err)
	assert.Equal(t, "2024-03", m.String())
	d, err := timeline.DayOf(2024, time.March, 9)
	require.NoError(t, err)
	assert.Equal(t, "2024-03-09", d.String())
	assert.Equal(t, d, timeline.MustParseDate("2024-03-09"))
	assert.Panics(t, func() { timeline.MustParseDate("2024-03-32") })
}

func TestPrecisionAndQualifierNames(t *testing.T) {
	for _, p := range []timeline.Precision{timeline.PrecisionNone, timeline.PrecisionYear, timeline.PrecisionMonth, timeline.PrecisionDay} {
		got, err := timeline.ParsePrecision(p.String())
		require.NoError(t, err)
		assert.Equal(t, p, got)
	}
	assert.Equal(t, "year", timeline.PrecisionYear.String())
	assert.Equal(t, "Precision(7)", timeline.Precision(7).String())
	_, err := timeline.ParsePrecision("week")
	assert.ErrorContains(t, err, `precision "week": want year, month or day`)
	assert.Equal(t, "?", timeline.Uncertain.String())
	assert.Equal(t, "~", timeline.Approximate.String())
	assert.Equal(t, "%", (timeline.Uncertain | timeline.Approximate).String())
	assert.Equal(t, "", timeline.Qualifier(0).String())
}

func TestCompare(t *testing.T) {
	// Chronological order: first day covered, then coarser first, then the
	// qualifiers; the zero Date first of all.
	ordered := []string{"", "0000", "1969-12-31", "2023-12-31", "2024", "2024?", "2024~", "2024%",
		"2024-01", "2024-01-01", "2024-01-01?", "2024-01-01~", "2024-01-01%", "2024-01-02",
		"2024-02", "2024-11", "2024-11-01", "2024-11-14", "2025", "9999-12-31"}
	dates := make([]timeline.Date, len(ordered))
	for i, s := range ordered {
		dates[i] = timeline.MustParseDate(s)
	}
	for i, a := range dates {
		for j, b := range dates {
			want := 0
			switch {
			case i < j:
				want = -1
			case i > j:
				want = 1
			}
			assert.Equal(t, want, a.Compare(b), "%q vs %q", a, b)
			assert.Equal(t, want < 0, a.Before(b), "%q before %q", a, b)
			assert.Equal(t, want > 0, a.After(b), "%q after %q", a, b)
			assert.Equal(t, want == 0, a == b, "Compare is 0 exactly for equal values: %q, %q", a, b)
		}
	}
	shuffled := slices.Clone(dates)
	slices.Reverse(shuffled)
	shuffled[0], shuffled[7] = shuffled[7], shuffled[0]
	slices.SortFunc(shuffled, timeline.Date.Compare)
	assert.Equal(t, dates, shuffled)
}

func TestDateOverlaps(t *testing.T) {
	tests := []struct {
		date, from, to string
		want           bool
	}{
		{"2024-11", "2024-11-20", "2024-12-31", true},
		{"2024-11", "2024-12-01", "2024-12-31", false},
		{"2024-11", "2024-10-01", "2024-10-31", false},
		{"2024-11", "2024-10-01", "2024-11-01", true},
		{"2024", "2024-06-15", "2024-06-15", true},
		{"2024", "2025", "", false},
		{"2024-11-14", "2024-11", "2024-11", true},
		{"2024-11-14", "2024-11-15", "", false},
		{"2024-11-14", "", "2024-11-13", false},
		{"2024-11-14", "", "2024-11-14", true},
		{"2024-11-14", "", "", true},
		{"2024-11-14?", "2024-11-14", "2024-11-14", true},
		{"", "", "", false},
		{"", "2024", "2024", false},
	}
	for _, tt := range tests {
		t.Run(tt.date+" in "+tt.from+".."+tt.to, func(t *testing.T) {
			d := timeline.MustParseDate(tt.date)
			assert.Equal(t, tt.want, d.Overlaps(timeline.MustParseDate(tt.from), timeline.MustParseDate(tt.to)))
		})
	}
}

func TestTruncateAndWithQualifier(t *testing.T) {
	tests := []struct {
		date string
		p    timeline.Precision
		want string
	}{
		{"2024-11-14?", timeline.PrecisionMonth, "2024-11?"},
		{"2024-11-14?", timeline.PrecisionYear, "2024?"},
		{"2024-11-14?", timeline.PrecisionDay, "2024-11-14?"},
		{"2024-11-14?", timeline.PrecisionNone, ""},
		{"2024-11%", timeline.PrecisionYear, "2024%"},
		{"2024", timeline.PrecisionDay, "2024"},
		{"2024", timeline.PrecisionMonth, "2024"},
		{"", timeline.PrecisionYear, ""},
	}
	for _, tt := range tests {
		t.Run(tt.date+" to "+tt.p.String(), func(t *testing.T) {
			got := timeline.MustParseDate(tt.date).Truncate(tt.p)
			assert.Equal(t, timeline.MustParseDate(tt.want), got)
		})
	}

	d := timeline.MustParseDate("2024-11")
	assert.Equal(t, "2024-11?", d.WithQualifier(timeline.Uncertain).String())
	assert.Equal(t, "2024-11~", d.WithQualifier(timeline.Approximate).String())
	assert.Equal(t, "2024-11%", d.WithQualifier(timeline.Uncertain|timeline.Approximate).String())
	assert.Equal(t, "2024-11%", d.WithQualifier(0xff).String(), "unknown bits are dropped")
	assert.Equal(t, d, d.WithQualifier(timeline.Uncertain).WithQualifier(0))
}

func TestDaysSinceEpoch(t *testing.T) {
	tests := []string{"1970-01-01", "1969-12-31", "2000-02-29", "2000-03-01", "1900-03-01", "0000-03-01",
		"0001-01-01", "1600-02-29", "2024-11-14", "9999-12-31", "0000-01-01", "0399-12-31", "0400-01-01"}
	for _, s := range tests {
		t.Run(s, func(t *testing.T) {
			d := timeline.MustParseDate(s)
			unix := d.Time().Unix() // Time.Sub would overflow a Duration beyond 292 years
			require.Zero(t, unix%86400)
			want := int32(unix / 86400)
			assert.Equal(t, want, d.DaysSinceEpoch())
			back, err := timeline.DateFromDays(want)
			require.NoError(t, err)
			assert.Equal(t, d, back)
		})
	}
	assert.Equal(t, time.Date(2024, 11, 1, 0, 0, 0, 0, time.UTC), timeline.MustParseDate("2024-11~").Time())
}

// TestDateFromDaysEveryDay checks every day a Date can hold against package
// time, and the round trip through DaysSinceEpoch.
func TestDateFromDaysEveryDay(t *testing.T) {
	first := timeline.MustParseDate("0000-01-01").DaysSinceEpoch()
	last := timeline.MustParseDate("9999-12-31").DaysSinceEpoch()
	require.Equal(t, int32(-719528), first)
	require.Equal(t, int32(2932896), last)
	prev := timeline.Date{}
	for n := first; n <= last; n++ {
		d, err := timeline.DateFromDays(n)
		if err != nil || d.DaysSinceEpoch() != n || d.Precision() != timeline.PrecisionDay || !prev.Before(d) {
			t.Fatalf("day %d: got %v, %v (after %v)", n, d, err, prev)
		}
		if n%97 == 0 { // package time is slow under -race; a prime stride visits every month and weekday
			y, m, dd := time.Unix(int64(n)*86400, 0).UTC().Date()
			if d.Year() != y || d.Month() != m || d.Day() != dd {
				t.Fatalf("day %d: got %v, want %04d-%02d-%02d", n, d, y, m, dd)
			}
		}
		prev = d
	}
}

func TestDateFromDaysOutOfRange(t *testing.T) {
	for _, n := range []int32{-719529, 2932897, math.MinInt32, math.MaxInt32} {
		t.Run(strconv.Itoa(int(n)), func(t *testing.T) {
			d, err := timeline.DateFromDays(n)
			assert.True(t, d.IsZero())
			assert.ErrorIs(t, err, timeline.ErrDate)
			var de *timeline.DateError
			require.ErrorAs(t, err, &de)
			assert.Equal(t, strconv.Itoa(int(n))+" days since 1970-01-01", de.Text)
			assert.Equal(t, "a day in the years 0000 to 9999", de.Reason)
		})
	}
}

func TestDateJSON(t *testing.T) {
	type doc struct {
		A timeline.Date `json:"a"`
		B timeline.Date `json:"b,omitzero"`
		C timeline.Date `json:"c"`
	}
	in := doc{A: timeline.MustParseDate("2024-11-14?"), B: timeline.MustParseDate("2024~")}
	b, err := json.Marshal(in)
	require.NoError(t, err)
	assert.JSONEq(t, `{"a":"2024-11-14?","b":"2024~","c":""}`, string(b))
	var out doc
	require.NoError(t, json.Unmarshal(b, &out))
	assert.Equal(t, in, out)

	b, err = json.Marshal(doc{A: timeline.MustParseDate("2024")})
	require.NoError(t, err)
	assert.Equal(t, `{"a":"2024","c":""}`, string(b), "omitzero leaves out the zero Date")

	err = json.Unmarshal([]byte(`{"a":"2024-02-30"}`), &out)
	assert.ErrorIs(t, err, timeline.ErrDate)
	assert.ErrorContains(t, err, `invalid date "2024-02-30": day between 01 and 29 for 2024-02`)
	var typ *json.UnmarshalTypeError
	assert.True(t, errors.As(json.Unmarshal([]byte(`{"a":20241114}`), &out), &typ), "a date is a JSON string")
}
