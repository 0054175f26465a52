package timeline_test

import (
	"errors"
	"fmt"

	"github.com/sourced-dev/sourced/timeline"
)

func ExampleParseDate() {
	for _, s := range []string{"2024", "2024-11?", "2024-11-14~", "2024-02-30"} {
		d, err := timeline.ParseDate(s)
		if err != nil {
			fmt.Println(err)
			continue
		}
		fmt.Printf("%-11s %-5s covers %s to %s, uncertain: %t\n", d, d.Precision(), d.First(), d.Last(), d.IsUncertain())
	}
	// Output:
	// 2024        year  covers 2024-01-01 to 2024-12-31, uncertain: false
	// 2024-11?    month covers 2024-11-01 to 2024-11-30, uncertain: true
	// 2024-11-14~ day   covers 2024-11-14 to 2024-11-14, uncertain: false
	// timeline: invalid date "2024-02-30": day between 01 and 29 for 2024-02
}

func ExampleParseInterval() {
	for _, s := range []string{"2024-10/2024-11", "2024-10/..", "2024/", "../2024"} {
		iv, err := timeline.ParseInterval(s)
		if err != nil {
			fmt.Println(err)
			continue
		}
		in2030 := iv.Overlaps(timeline.MustParseDate("2030"), timeline.MustParseDate("2030"))
		fmt.Printf("%-16s start %-7s end %-7s open end %-5t reaches 2030: %t\n", iv, iv.Start, iv.End, iv.OpenEnd, in2030)
	}
	_, err := timeline.ParseInterval("2024-11/2024-10")
	fmt.Println(err)
	// Output:
	// 2024-10/2024-11  start 2024-10 end 2024-11 open end false reaches 2030: false
	// 2024-10/..       start 2024-10 end         open end true  reaches 2030: true
	// 2024/            start 2024    end         open end false reaches 2030: false
	// ../2024          start         end 2024    open end false reaches 2030: false
	// timeline: invalid date "2024-11/2024-10": an end that is not before the start
}

// exampleEvents is a small timeline for the examples.
func exampleEvents() []timeline.Event {
	kcna := timeline.Source{Publisher: "KCNA", Kind: timeline.SourceStateMedia}
	ap := timeline.Source{Publisher: "Associated Press", Kind: timeline.SourceWire}
	jcs := timeline.Source{Publisher: "Joint Chiefs of Staff", Kind: timeline.SourceGovernment}
	apViaKCNA := timeline.Source{Publisher: "Associated Press", Kind: timeline.SourceWire, Via: "KCNA"}
	return []timeline.Event{
		{ID: "drone-test", Title: "Kim Jong Un watches a drone test", Kind: timeline.KindWeaponsTest, Status: timeline.StatusClaimed,
			Start: timeline.MustParseDate("2024-11-14"), Place: timeline.Place{Country: "KP"},
			Actors: []timeline.Actor{{Name: "Kim Jong Un", Role: "overseer"}}, Sources: []timeline.Source{kcna, apViaKCNA}},
		{ID: "icbm-test", Title: "A solid-fuel ICBM test", Kind: timeline.KindWeaponsTest, Status: timeline.StatusConfirmed,
			Start: timeline.MustParseDate("2024-10-31"), Place: timeline.Place{Country: "KP"}, Sources: []timeline.Source{kcna, jcs}},
		{ID: "accusations", Title: "Weapons and troops for Russia", Kind: timeline.KindAccusation, Status: timeline.StatusAlleged,
			Start: timeline.MustParseDate("2024-11"), Sources: []timeline.Source{ap}},
		{ID: "incursion", Title: "Five drones cross into South Korea", Kind: timeline.KindIncursion, Status: timeline.StatusConfirmed,
			Start: timeline.MustParseDate("2022-12-26"), Place: timeline.Place{Country: "KR"}, Sources: []timeline.Source{jcs}},
		{ID: "buildup", Title: "Drone units expand", Kind: timeline.KindDeployment, Status: timeline.StatusReported,
			Start: timeline.MustParseDate("2024~"), Sources: []timeline.Source{ap}},
	}
}

func ExampleNew() {
	d, err := timeline.New(timeline.Metadata{Name: "example"}, exampleEvents())
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("all, in order:")
	for e := range d.All() {
		fmt.Printf("  %-10s %s\n", e.Start, e.ID)
	}
	fmt.Println("weapons tests in North Korea that an independent publisher backs:")
	for e := range d.Select(timeline.OfKind(timeline.KindWeaponsTest), timeline.InCountry("KP"), timeline.MinIndependentPublishers(1)) {
		fmt.Printf("  %-10s %s\n", e.Start, e.ID)
	}
	fmt.Println("on the days 2024-11-20 to 2024-12-31, coarse dates included:")
	for e := range d.Between(timeline.MustParseDate("2024-11-20"), timeline.MustParseDate("2024-12-31")) {
		fmt.Printf("  %-10s %s\n", e.Start, e.ID)
	}
	// Output:
	// all, in order:
	//   2022-12-26 incursion
	//   2024~      buildup
	//   2024-10-31 icbm-test
	//   2024-11    accusations
	//   2024-11-14 drone-test
	// weapons tests in North Korea that an independent publisher backs:
	//   2024-10-31 icbm-test
	// on the days 2024-11-20 to 2024-12-31, coarse dates included:
	//   2024~      buildup
	//   2024-11    accusations
}

func ExampleDataset_GroupByMonth() {
	d, err := timeline.New(timeline.Metadata{Name: "example"}, exampleEvents())
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, g := range d.GroupByMonth() {
		fmt.Printf("%-7s %d event(s):", g.Period, len(g.Events))
		for _, e := range g.Events {
			fmt.Print(" ", e.ID)
		}
		fmt.Println()
	}
	// Output:
	// 2022-12 1 event(s): incursion
	// 2024    1 event(s): buildup
	// 2024-10 1 event(s): icbm-test
	// 2024-11 2 event(s): accusations drone-test
}

func ExampleEvent_IndependentPublishers() {
	for _, e := range exampleEvents()[:2] {
		fmt.Printf("%s: publishers %q, independent: %d\n", e.ID, e.Publishers(), e.IndependentPublishers())
	}
	// Output:
	// drone-test: publishers ["KCNA" "Associated Press"], independent: 0
	// icbm-test: publishers ["KCNA" "Joint Chiefs of Staff"], independent: 1
}

func ExampleUnmarshal() {
	data := []byte(`{
  "schema": "sourced/1",
  "name": "example",
  "events": [
    {
      "id": "drone-test",
      "title": "Kim Jong Un watches a drone test",
      "kind": "weapons_test",
      "status": "claimed",
      "start": "2024-11-31",
      "sources": [{"publisher": "KCNA", "kind": "state_media"}]
    }
  ]
}`)
	_, err := timeline.Unmarshal(data)
	fmt.Println(err)
	var de *timeline.DecodeError
	if errors.As(err, &de) {
		fmt.Printf("line %d, column %d, field %s, a date error: %t\n", de.Line, de.Column, de.Field, errors.Is(err, timeline.ErrDate))
	}
	// Output:
	// dataset:10:16: events[0].start: timeline: invalid date "2024-11-31": day between 01 and 30 for 2024-11
	// line 10, column 16, field events[0].start, a date error: true
}

func ExampleValidate() {
	e := timeline.Event{ID: "Drone Test", Title: "A test", Kind: "launch", Status: timeline.StatusClaimed,
		Start: timeline.MustParseDate("2024-11-14"), End: timeline.MustParseDate("2024-11-01")}
	err := timeline.Validate(timeline.Metadata{Name: "example"}, []timeline.Event{e})
	fmt.Println(err)
	fmt.Println("no source:", errors.Is(err, timeline.ErrNoSource))
	// Output:
	// timeline: 4 validation problems
	// 	event "Drone Test" (#1): id: malformed ID "Drone Test": want lowercase letters and digits in words joined by single hyphens, at most 128 bytes
	// 	event "Drone Test" (#1): kind: timeline: unknown event kind "launch": want one of weapons_test, incursion, attack, deployment, arms_transfer, statement, order, accusation, agreement, meeting, sanction, other
	// 	event "Drone Test" (#1): end: end is before start: 2024-11-01 ends before 2024-11-14 begins
	// 	event "Drone Test" (#1): sources: event has no source
	// no source: true
}
