package export

import (
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/sourced-dev/sourced/timeline"
)

// quickDate must accept only what ParseDate accepts, as the same date.
func checkQuickDate(t *testing.T, s string) {
	t.Helper()
	got, ok := quickDate(s)
	want, err := timeline.ParseDate(s)
	if ok && (err != nil || got != want) {
		t.Errorf("quickDate(%q) = %v, ParseDate gives %v, %v", s, got, want, err)
	}
}

func TestQuickDate(t *testing.T) {
	for _, s := range []string{
		"", "1", "199", "1999", "1999?", "1999~", "1999%", "1999??", "0000", "9999", "-999", "+999", "19x9",
		"1999-00", "1999-13", "1999-1", "1999-12", "1999/12", "1999-12~", "1999-1a",
		"1999-02-29", "2000-02-29", "1900-02-29", "2024-02-29%", "2024-02-30", "2024-04-31", "2024-01-00",
		"2024-00-10", "2024-13-01", "2024-12-31", "2024-12-31?", "2024-12-3", "2024-12-311", "2024-12_31",
		"２０２４", "2024-1２", "1999-12-31~?",
	} {
		checkQuickDate(t, s)
		if _, err := timeline.ParseDate(s); err == nil && s != "" {
			if _, ok := quickDate(s); !ok {
				t.Errorf("quickDate(%q) declines a date that ParseDate reads", s)
			}
		}
	}
	// Every day of a few years, each precision and qualifier.
	for _, y := range []int{0, 1600, 1900, 1999, 2000, 2024, 2100, 9999} {
		for m := 0; m <= 13; m++ {
			for d := 0; d <= 32; d++ {
				base := []string{fmt4(y)}
				if m > 0 {
					base = append(base, fmt4(y)+"-"+fmt2(m))
				}
				if m > 0 && d > 0 {
					base = append(base, fmt4(y)+"-"+fmt2(m)+"-"+fmt2(d))
				}
				for _, s := range base {
					for _, q := range []string{"", "?", "~", "%"} {
						checkQuickDate(t, s+q)
					}
				}
			}
		}
	}
}

func fmt4(n int) string {
	return string([]byte{byte('0' + n/1000), byte('0' + n/100%10), byte('0' + n/10%10), byte('0' + n%10)})
}
func fmt2(n int) string { return string([]byte{byte('0' + n/10), byte('0' + n%10)}) }

func FuzzQuickDate(f *testing.F) {
	for _, s := range []string{"2024", "2024-11", "2024-11-14?", "2024-02-30", "2024-1x"} {
		f.Add(s)
	}
	f.Fuzz(checkQuickDate)
}

// checkQuickDateDay checks that quickDateDay accepts text s with day n
// (or a null) only where readDate's long way does, as the same date.
func checkQuickDateDay(t *testing.T, s string, n int32, null, last bool) {
	t.Helper()
	col := &dateCol{days: []arrow.Date32{arrow.Date32(n)}, months: monthStarts()}
	if null {
		col.nulls = bitmap{bits: []byte{0}}
	}
	got, ok := quickDateDay(s, col, 0, last)
	if !ok {
		return
	}
	want, err := timeline.ParseDate(s)
	switch {
	case err != nil || want != got:
		t.Fatalf("quickDateDay(%q) = %v, ParseDate gives %v, %v", s, got, want, err)
	case null:
		t.Fatalf("quickDateDay(%q) accepts a null day", s)
	case last && n != want.Last().DaysSinceEpoch(), !last && n != want.First().DaysSinceEpoch():
		t.Fatalf("quickDateDay(%q, last %v) accepts day %d", s, last, n)
	}
}

func TestQuickDateDay(t *testing.T) {
	accepted := 0
	for _, y := range []int{0, 1899, 1900, 1999, 2000, 2024, 2100, 2101, 9999} {
		for m := 0; m <= 13; m++ {
			for d := 0; d <= 32; d++ {
				var s string
				switch {
				case m == 0 && d == 0:
					s = fmt4(y)
				case d == 0:
					s = fmt4(y) + "-" + fmt2(m)
				case m == 0:
					continue
				default:
					s = fmt4(y) + "-" + fmt2(m) + "-" + fmt2(d)
				}
				for _, q := range []string{"", "?", "%"} {
					for _, last := range []bool{false, true} {
						var days []int32
						if date, err := timeline.ParseDate(s + q); err == nil {
							f, l := date.First().DaysSinceEpoch(), date.Last().DaysSinceEpoch()
							days = append(days, f, l, f-1, l+1)
						} else {
							days = append(days, 0, 10957, 19000)
						}
						for _, n := range days {
							for _, null := range []bool{false, true} {
								checkQuickDateDay(t, s+q, n, null, last)
								if _, ok := quickDateDay(s+q, &dateCol{days: []arrow.Date32{arrow.Date32(n)}, months: monthStarts()}, 0, last); ok {
									accepted++
								}
							}
						}
					}
				}
			}
		}
	}
	if accepted == 0 {
		t.Fatal("quickDateDay accepts nothing")
	}
}

func FuzzQuickDateDay(f *testing.F) {
	f.Add("2024-11-14", int32(20041), false, false)
	f.Add("2024-02", int32(19782), false, true)
	f.Add("1999?", int32(10591), false, false)
	f.Fuzz(checkQuickDateDay)
}
