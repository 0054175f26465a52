package seeds

import (
	"fmt"
	"iter"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"github.com/sourced-dev/sourced/timeline"
)

// SyntheticOptions configures Synthetic. The zero value gives realistic
// events from seed 0.
type SyntheticOptions struct {
	// Seed picks the dataset: the same seed and count give the same events.
	Seed uint64
	// Hostile makes about one event in four carry text built to break
	// exporters: the CSV list separator and its escape, quotes, line breaks,
	// spreadsheet formula prefixes after optional blanks, tabs, NUL-free
	// control characters, empty optional values and long runs of Hangul.
	Hostile bool
}

// SyntheticMetadata is the metadata of a synthetic dataset of n events.
func SyntheticMetadata(n int, opts SyntheticOptions) timeline.Metadata {
	return timeline.Metadata{
		Name:        fmt.Sprintf("synthetic-%d-seed-%d", n, opts.Seed),
		Title:       "Synthetic events for tests and benchmarks",
		Description: "Generated, not real: deterministic from the seed.",
		License:     "CC0-1.0",
		Version:     "1.0.0",
		Updated:     timeline.MustParseDate("2026-11-25"),
	}
}

// Synthetic yields n generated events that look like real ones: titles of
// 40-120 characters and summaries of 200-600 in Latin, Hangul and Cyrillic
// script, 1-5 sources and 1-3 actors each, every date precision and
// qualifier, some intervals, and coordinates for most. The events are valid
// (timeline.Validate accepts them), their IDs unique, and they come in ID
// order, not date order. They are for tests and benchmarks only.
func Synthetic(n int, opts SyntheticOptions) iter.Seq[timeline.Event] {
	return func(yield func(timeline.Event) bool) {
		g := generator{r: rand.New(rand.NewPCG(opts.Seed, 0x5eed)), hostile: opts.Hostile}
		for i := range n {
			if !yield(g.event(i)) {
				return
			}
		}
	}
}

// SyntheticDataset returns Synthetic's events as a validated Dataset.
func SyntheticDataset(n int, opts SyntheticOptions) (*timeline.Dataset, error) {
	events := make([]timeline.Event, 0, n)
	for e := range Synthetic(n, opts) {
		events = append(events, e)
	}
	return timeline.New(SyntheticMetadata(n, opts), events)
}

type generator struct {
	r       *rand.Rand
	hostile bool
	b       strings.Builder
}

var (
	latinWords = strings.Fields("drone missile launch border test artillery convoy strike statement " +
		"ministry officials report satellite imagery coast battalion factory production shells " +
		"troops exercise airspace patrol warning summit delegation sanctions agreement")
	hangulWords = strings.Fields("무인기 미사일 발사 국경 시험 포병 호송 타격 성명 국방부 관계자 보도 위성 " +
		"해안 대대 공장 생산 포탄 병력 훈련 영공 순찰 경고 회담 대표단 제재 합의")
	cyrillicWords = strings.Fields("беспилотник ракета пуск граница испытание артиллерия колонна удар " +
		"заявление министерство чиновники доклад спутник побережье батальон завод производство " +
		"снаряды войска учения воздушное патруль предупреждение саммит делегация санкции соглашение")
	scripts    = [][]string{latinWords, hangulWords, cyrillicWords}
	places     = []string{"Pyongyang", "Seoul", "Kursk", "Sinpo", "Wonsan", "Gimpo", "Kaesong", "Donetsk", "Vladivostok", "Tokyo"}
	countries  = []string{"KP", "KR", "RU", "UA", "JP", "CN", "US"}
	actorNames = []string{"North Korea", "South Korea", "Russia", "Ukraine", "Kim Jong Un", "Korean People's Army",
		"Joint Chiefs of Staff", "United Nations", "United States", "Japan"}
	roles      = []string{"initiator", "target", "observer", "speaker", ""}
	publishers = []struct {
		name string
		kind timeline.SourceKind
		lang string
	}{
		{"KCNA", timeline.SourceStateMedia, "ko"}, {"Associated Press", timeline.SourceWire, "en"},
		{"Yonhap", timeline.SourceWire, "ko"}, {"Reuters", timeline.SourceWire, "en"},
		{"TASS", timeline.SourceStateMedia, "ru"}, {"NK News", timeline.SourceNewspaper, "en"},
		{"38 North", timeline.SourceAnalysis, "en"}, {"Ministry of National Defense", timeline.SourceGovernment, "ko"},
		{"Kyiv Independent", timeline.SourceNewspaper, "uk"}, {"BBC", timeline.SourceBroadcaster, "en"},
	}
	hostileText = []string{"=SUM(A1:A2)", "+1", "-1", "@cmd", "\t=tab", "\r=cr", "  =spaced", "'quoted",
		"a|b", `a\|b`, `back\slash\`, "line\nbreak", "crlf\r\nline", `"quoted"`, "comma, here", "무인기|미사일", "", " "}
)

func (g *generator) pick(s []string) string { return s[g.r.IntN(len(s))] }

// text returns words of one script, about n runes long.
func (g *generator) text(minRunes, maxRunes int) string {
	words := scripts[g.r.IntN(len(scripts))]
	want := minRunes + g.r.IntN(maxRunes-minRunes+1)
	g.b.Reset()
	runes := 0
	for runes < want {
		w := g.pick(words)
		if g.b.Len() > 0 {
			g.b.WriteByte(' ')
			runes++
		}
		g.b.WriteString(w)
		runes += len([]rune(w))
	}
	return g.b.String()
}

func (g *generator) date(lo, hi int) timeline.Date {
	y := lo + g.r.IntN(hi-lo+1)
	m := time.Month(1 + g.r.IntN(12))
	var d timeline.Date
	switch p := g.r.IntN(10); {
	case p == 0:
		d, _ = timeline.YearOf(y)
	case p <= 2:
		d, _ = timeline.MonthOf(y, m)
	default:
		d, _ = timeline.DayOf(y, m, 1+g.r.IntN(28))
	}
	if g.r.IntN(8) == 0 {
		d = d.WithQualifier(timeline.Qualifier(1 + g.r.IntN(3)))
	}
	return d
}

func (g *generator) maybeHostile(s string) string {
	if g.hostile && g.r.IntN(4) == 0 {
		return g.pick(hostileText) + s
	}
	return s
}

func (g *generator) event(i int) timeline.Event {
	e := timeline.Event{
		ID:      "ev-" + strconv.Itoa(i),
		Title:   g.maybeHostile(g.text(40, 120)),
		Summary: g.maybeHostile(g.text(200, 600)),
		Kind:    timeline.Kinds()[g.r.IntN(len(timeline.Kinds()))],
		Status:  timeline.Statuses()[g.r.IntN(len(timeline.Statuses()))],
		Start:   g.date(1990, 2030),
	}
	if g.r.IntN(5) == 0 {
		end := g.date(e.Start.Year(), e.Start.Year()+3)
		if !end.Last().Before(e.Start.First()) {
			e.End = end
		}
	}
	if g.r.IntN(10) != 0 {
		e.Place = timeline.Place{Name: g.maybeHostile(g.pick(places)), Country: g.pick(countries)}
		if g.r.IntN(5) != 0 {
			e.Place.Location = &timeline.LatLon{Lat: g.r.Float64()*180 - 90, Lon: g.r.Float64()*360 - 180}
			e.Place.GeoPrecision = timeline.GeoPrecisions()[g.r.IntN(4)]
		}
	}
	for range 1 + g.r.IntN(3) {
		e.Actors = append(e.Actors, timeline.Actor{Name: g.maybeHostile(g.pick(actorNames)), Role: g.pick(roles)})
	}
	for range g.r.IntN(4) {
		e.Tags = append(e.Tags, g.maybeHostile(g.pick(latinWords)))
	}
	if i > 0 && g.r.IntN(6) == 0 {
		e.Related = []string{"ev-" + strconv.Itoa(g.r.IntN(i))}
	}
	if g.r.IntN(3) == 0 {
		e.Notes = g.maybeHostile(g.text(20, 200))
	}
	for range 1 + g.r.IntN(5) {
		p := publishers[g.r.IntN(len(publishers))]
		s := timeline.Source{Publisher: p.name, Kind: p.kind, Language: p.lang, Published: g.date(e.Start.Year(), e.Start.Year()+1)}
		if g.r.IntN(2) == 0 {
			s.Title = g.maybeHostile(g.text(30, 90))
			s.URL = "https://example.org/" + strconv.Itoa(i) + "/" + strconv.Itoa(g.r.IntN(1000))
		}
		if g.r.IntN(4) == 0 {
			s.Accessed = g.date(2025, 2026)
		}
		if g.r.IntN(5) == 0 {
			s.Quote = g.maybeHostile(g.text(20, 120))
		}
		if g.r.IntN(3) == 0 {
			s.Grading = timeline.Grading{Reliability: byte('A' + g.r.IntN(6)), Credibility: byte('1' + g.r.IntN(6))}
		}
		// A relay of KCNA by another publisher; the draw comes first so that
		// the stream of random numbers is the same for every publisher.
		if g.r.IntN(6) == 0 && p.name != "KCNA" {
			s.Via = "KCNA"
		}
		e.Sources = append(e.Sources, s)
	}
	return e
}
