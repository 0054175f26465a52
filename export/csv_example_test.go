package export_test

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/sourced-dev/sourced/export"
	"github.com/sourced-dev/sourced/timeline"
)

func ExampleWriteCSV() {
	events := []timeline.Event{{
		ID:     "dprk-kamikaze-drone-test",
		Title:  "North Korea tests kamikaze attack drones",
		Kind:   timeline.KindWeaponsTest,
		Status: timeline.StatusClaimed,
		Start:  timeline.MustParseDate("2024-11-14"),
		Place:  timeline.Place{Name: "North Korea", Country: "KP"},
		Actors: []timeline.Actor{{Name: "Kim Jong Un", Role: "supervisor"}},
		Tags:   []string{"drones", "무인기"},
		Notes:  "=KCNA's word only", // a formula to a spreadsheet: written with a leading '
		Sources: []timeline.Source{
			{Publisher: "KCNA", Kind: timeline.SourceStateMedia, Published: timeline.MustParseDate("2024-11-15"), Language: "ko"},
			{Publisher: "Associated Press", Kind: timeline.SourceWire, Via: "KCNA", Grading: timeline.Grading{Reliability: 'B', Credibility: '3'}},
		},
	}}
	var ev, src strings.Builder
	if err := export.WriteCSV(context.Background(), &ev, &src, slices.Values(events), export.CSVOptions{}); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(ev.String(), "\n", src.String())
	// Output:
	// id,title,summary,kind,status,start,end,start_date,end_date,precision,place_name,country,lat,lon,geo_precision,actors,actor_roles,tags,related,notes,source_count,publisher_count,independent_publishers
	// dprk-kamikaze-drone-test,North Korea tests kamikaze attack drones,,weapons_test,claimed,2024-11-14,,2024-11-14,2024-11-14,day,North Korea,KP,,,,Kim Jong Un,supervisor,drones|무인기,,'=KCNA's word only,2,2,0
	//
	// event_id,publisher,kind,via,title,url,published,published_date,accessed,language,quote,grading,reliability,credibility
	// dprk-kamikaze-drone-test,KCNA,state_media,,,,2024-11-15,2024-11-15,,ko,,,,
	// dprk-kamikaze-drone-test,Associated Press,wire,KCNA,,,,,,,,B3,B,3
}

func ExampleReadCSV() {
	// Columns may come in any order, and derived columns may be left out.
	events := strings.NewReader(`id,title,kind,status,start,end,actors,tags
drone-incursion,Five drones cross into South Korea,incursion,confirmed,2022-12-26,,North Korea,drones|airspace
ammunition-supply,Shells supplied to Russia,arms_transfer,alleged,2023-08~,2024-11,North Korea|Russia,'=shells
`)
	sources := strings.NewReader(`event_id,publisher,kind,published
drone-incursion,Joint Chiefs of Staff,government,2022-12-26
ammunition-supply,Associated Press,wire,2024-11
ammunition-supply,Yonhap,wire,2024-11-14?
`)
	for e, err := range export.ReadCSV(events, sources, export.CSVReadOptions{}) {
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Printf("%s %s %q: %d sources, tags %q\n", e.Interval(), e.Kind, e.Title, len(e.Sources), e.Tags)
	}

	// A spreadsheet user's edit to a derived column is an error, not lost.
	events = strings.NewReader("id,title,kind,status,start,start_date\nx,X,other,reported,2024-11,2024-11-14\n")
	sources = strings.NewReader("event_id,publisher,kind\nx,AP,wire\n")
	for _, err := range export.ReadCSV(events, sources, export.CSVReadOptions{}) {
		fmt.Println(err)
	}
	// Output:
	// 2022-12-26 incursion "Five drones cross into South Korea": 1 sources, tags ["drones" "airspace"]
	// 2023-08~/2024-11 arms_transfer "Shells supplied to Russia": 2 sources, tags ["=shells"]
	// csv events.csv, line 2, row 1, column "start_date": invalid value: "2024-11-14", but the columns it derives from give "2024-11-01": edit those, not this one
}

func ExampleSaveCSV() {
	dir, err := os.MkdirTemp("", "csv")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	meta := timeline.Metadata{Name: "example", Title: "An example", License: "CC0-1.0", Version: "1.0.0"}
	d, err := timeline.New(meta, []timeline.Event{{
		ID: "an-event", Title: "An event", Kind: timeline.KindOther, Status: timeline.StatusReported,
		Start: timeline.MustParseDate("2024"), Sources: []timeline.Source{{Publisher: "AP", Kind: timeline.SourceWire}},
	}})
	if err != nil {
		fmt.Println(err)
		return
	}
	if _, err := export.SaveCSV(context.Background(), dir, d, export.CSVOptions{BOM: true}); err != nil {
		fmt.Println(err)
		return
	}
	back, err := export.LoadCSV(dir)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(back.Metadata().Title, back.Metadata().License, back.Len())
	// Output:
	// An example CC0-1.0 1
}
