package timeline_test

import (
	"encoding/json"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourced-dev/sourced/timeline"
)

func TestParseIntervalRoundTrip(t *testing.T) {
	d := timeline.MustParseDate
	tests := []struct {
		text string
		want timeline.Interval
	}{
		{"2024-10/2024-11", timeline.Interval{Start: d("2024-10"), End: d("2024-11")}},
		{"2024-10/..", timeline.Interval{Start: d("2024-10"), OpenEnd: true}},
		{"../2024", timeline.Interval{End: d("2024"), OpenStart: true}},
		{"2024/", timeline.Interval{Start: d("2024"), UnknownEnd: true}},
		{"/2024", timeline.Interval{End: d("2024")}},
		{"2024-11-14", timeline.Interval{Start: d("2024-11-14")}},
		{"2024-11-14?", timeline.Interval{Start: d("2024-11-14?")}},
		{"2024-11-14?/2024-12~", timeline.Interval{Start: d("2024-11-14?"), End: d("2024-12~")}},
		{"2024-10-01/2024-10-01", timeline.Interval{Start: d("2024-10-01"), End: d("2024-10-01")}},
		{"2024-10-05/2024-10", timeline.Interval{Start: d("2024-10-05"), End: d("2024-10")}},
		{"../2024-11-14%", timeline.Interval{End: d("2024-11-14%"), OpenStart: true}},
		{"2024%/..", timeline.Interval{Start: d("2024%"), OpenEnd: true}},
		{"0000/9999", timeline.Interval{Start: d("0000"), End: d("9999")}},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			iv, err := timeline.ParseInterval(tt.text)
			require.NoError(t, err)
			assert.Equal(t, tt.want, iv)
			assert.Equal(t, tt.text, iv.String())
			again, err := timeline.ParseInterval(iv.String())
			require.NoError(t, err)
			assert.Equal(t, iv, again)

			b, err := iv.MarshalText()
			require.NoError(t, err)
			assert.Equal(t, tt.text, string(b))
			var back timeline.Interval
			require.NoError(t, back.UnmarshalText(b))
			assert.Equal(t, iv, back)
		})
	}
}

func TestParseIntervalErrors(t *testing.T) {
	const format = "YYYY, YYYY-MM or YYYY-MM-DD, optionally followed by ?, ~ or %"
	tests := []struct {
		text   string
		reason string
	}{
		{"/", "at least one dated end"},
		{"../..", "at least one dated end"},
		{"../", "at least one dated end"},
		{"/..", "at least one dated end"},
		{"", "an EDTF date or interval START/END"},
		{"..", format},
		{"2024-11/2024-10", "an end that is not before the start"},
		{"2024-11-14/2024-11-13", "an end that is not before the start"},
		{"2025/2024-12-31", "an end that is not before the start"},
		{"2024-13/2025", "interval start: month between 01 and 12"},
		{"2024/2025-02-29", "interval end: day between 01 and 28 for 2025-02"},
		{"2024/2025/2026", "interval end: " + format},
		{"2024 / 2025", "interval start: " + format},
		{".../2024", "interval start: " + format},
		{"2024/...", "interval end: " + format},
		{"2024-1", format},
	}
	for _, tt := range tests {
		t.Run(strconv.Quote(tt.text), func(t *testing.T) {
			iv, err := timeline.ParseInterval(tt.text)
			assert.Equal(t, timeline.Interval{}, iv)
			assert.ErrorIs(t, err, timeline.ErrDate)
			var de *timeline.DateError
			require.ErrorAs(t, err, &de)
			assert.Equal(t, tt.text, de.Text)
			assert.Equal(t, tt.reason, de.Reason)
		})
	}
}

func TestIntervalOverlaps(t *testing.T) {
	tests := []struct {
		interval, from, to string
		want               bool
	}{
		{"2024-10/2024-11", "2024-11-30", "2024-12-31", true},
		{"2024-10/2024-11", "2024-12-01", "", false},
		{"2024-10/2024-11", "", "2024-09-30", false},
		{"2024-10/2024-11", "", "2024-10-01", true},
		{"2024-10/2024-11", "2024-10-15", "2024-10-15", true},
		{"2024-10/..", "2030", "2030", true},
		{"2024-10/..", "", "2024-09", false},
		{"../2024", "1900", "1900", true},
		{"../2024", "2025", "", false},
		{"2024/", "2024-06", "2024-06", true}, // an unknown end counts as the start alone
		{"2024/", "2025", "", false},
		{"/2024", "2024-06", "2024-06", true}, // an unknown start counts as the end alone
		{"/2024", "", "2023", false},
		{"2024-11", "2024-11-20", "2024-12-31", true},
		{"2024-11", "2024-12-01", "2024-12-31", false},
		{"2024-11-14", "", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.interval+" in "+tt.from+".."+tt.to, func(t *testing.T) {
			iv, err := timeline.ParseInterval(tt.interval)
			require.NoError(t, err)
			assert.Equal(t, tt.want, iv.Overlaps(timeline.MustParseDate(tt.from), timeline.MustParseDate(tt.to)))
		})
	}
	assert.False(t, timeline.Interval{}.Overlaps(timeline.Date{}, timeline.Date{}), "the zero Interval overlaps nothing")
}

func TestIntervalJSON(t *testing.T) {
	type doc struct {
		When timeline.Interval `json:"when"`
	}
	var v doc
	require.NoError(t, json.Unmarshal([]byte(`{"when":"2024-10/.."}`), &v))
	assert.Equal(t, timeline.Interval{Start: timeline.MustParseDate("2024-10"), OpenEnd: true}, v.When)
	b, err := json.Marshal(v)
	require.NoError(t, err)
	assert.Equal(t, `{"when":"2024-10/.."}`, string(b))
	assert.ErrorIs(t, json.Unmarshal([]byte(`{"when":"2024-11/2024-10"}`), &v), timeline.ErrDate)
}

func TestEventInterval(t *testing.T) {
	e := timeline.Event{Start: timeline.MustParseDate("2024-10"), End: timeline.MustParseDate("2024-11~")}
	assert.Equal(t, "2024-10/2024-11~", e.Interval().String())
	e.End = timeline.Date{}
	assert.Equal(t, "2024-10", e.Interval().String(), "an event without an end is a single date")
}
