package export

import (
	"testing"
	"time"

	"github.com/sourced-dev/sourced/timeline"
)

// TestDateFastPaths holds putDateText and dateDays to Date.AppendText,
// DaysSinceEpoch and Last for every date of every precision and qualifier.
func TestDateFastPaths(t *testing.T) {
	quals := []timeline.Qualifier{0, timeline.Uncertain, timeline.Approximate, timeline.Uncertain | timeline.Approximate}
	check := func(d timeline.Date) {
		for _, q := range quals {
			d := d.WithQualifier(q)
			var b [maxDateText]byte
			if got, want := string(b[:putDateText(b[:], &d)]), d.String(); got != want {
				t.Fatalf("putDateText(%v) = %q", want, got)
			}
			if got, want := dateDays(&d, false), d.DaysSinceEpoch(); got != want {
				t.Fatalf("dateDays(%v, false) = %d, want %d", d, got, want)
			}
			if got, want := dateDays(&d, true), d.Last().DaysSinceEpoch(); got != want {
				t.Fatalf("dateDays(%v, true) = %d, want %d", d, got, want)
			}
		}
	}
	// Every year and month; every day of the years around the epoch, of
	// the ends of the range and of those whose leap rules differ.
	dayYears := map[int]bool{0: true, 1: true, 100: true, 400: true, 1600: true, 1700: true, 1900: true, 2000: true, 2100: true, 9996: true, 9999: true}
	for y := 1965; y <= 2030; y++ {
		dayYears[y] = true
	}
	for y := timeline.MinYear; y <= timeline.MaxYear; y++ {
		d, err := timeline.YearOf(y)
		if err != nil {
			t.Fatal(err)
		}
		check(d)
		for m := time.January; m <= time.December; m++ {
			d, err := timeline.MonthOf(y, m)
			if err != nil {
				t.Fatal(err)
			}
			check(d)
			for day := 1; dayYears[y] || y%97 == 0; day++ {
				d, err := timeline.DayOf(y, m, day)
				if err != nil {
					if day < 28 {
						t.Fatal(err)
					}
					break
				}
				check(d)
			}
		}
	}
}
