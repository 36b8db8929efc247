package slosync

import (
	"fmt"
	"testing"
	"time"

	"github.com/dre-dev/dre/internal/catalog"
)

// planDatasets are n datasets named d00.. with one SLO every interval.
func planDatasets(n int, interval time.Duration, prefix string) []catalog.Dataset {
	var out []catalog.Dataset
	for i := range n {
		out = append(out, catalog.Dataset{Name: fmt.Sprintf("%s%02d", prefix, i), SLOs: []catalog.SLO{{Name: "fresh", Interval: catalog.Duration{Duration: interval}}}})
	}
	return out
}

// layout renders a plan as batch: members.
func layout(p Plan) string {
	s := fmt.Sprintf("own %d;", len(p.PerDataset))
	for _, b := range p.Batches {
		s += " " + b.Name + ":"
		for _, ds := range b.Datasets {
			s += " " + ds.Name
		}
		s += ";"
	}
	return s
}

// homes is what a sync would find running after applying p.
func homes(p Plan) map[string]string {
	out := map[string]string{}
	for _, b := range p.Batches {
		for _, ds := range b.Datasets {
			out[ds.Name] = b.Name
		}
	}
	return out
}

func TestNewPlanGroupsByIntervalAndKeepsMembersWhereTheyAre(t *testing.T) {
	ds := append(planDatasets(5, time.Minute, "a"), planDatasets(2, 10*time.Minute, "b")...)
	if got := layout(NewPlan(ds, 0, nil)); got != "own 7;" {
		t.Errorf("size 0: %s; want every dataset on its own", got)
	}
	p := NewPlan(ds, 2, nil)
	want := "own 0; 10m-0000: b00 b01; 1m-0000: a00 a01; 1m-0001: a02 a03; 1m-0002: a04;"
	if got := layout(p); got != want {
		t.Fatalf("first plan: %s; want %s", got, want)
	}
	if got := layout(NewPlan(ds, 2, homes(p))); got != want {
		t.Errorf("planned again on its own outcome: %s; want it unchanged", got)
	}
	// a01 leaves, a05 arrives: it fills the hole, nobody else moves.
	next := append(append([]catalog.Dataset{}, ds[0]), ds[2:]...)
	next = append(next, planDatasets(6, time.Minute, "a")[5])
	want = "own 0; 10m-0000: b00 b01; 1m-0000: a00 a05; 1m-0001: a02 a03; 1m-0002: a04;"
	if got := layout(NewPlan(next, 2, homes(p))); got != want {
		t.Errorf("after a change: %s; want %s", got, want)
	}
	// A dataset whose interval changed leaves its batch for its group's.
	moved := append([]catalog.Dataset{}, ds...)
	moved[0] = planDatasets(1, 10*time.Minute, "a")[0]
	want = "own 0; 10m-0000: b00 b01; 10m-0001: a00; 1m-0000: a01; 1m-0001: a02 a03; 1m-0002: a04;"
	if got := layout(NewPlan(moved, 2, homes(p))); got != want {
		t.Errorf("after an interval change: %s; want %s", got, want)
	}
}

func TestGainersFirstStartsTheBatchThatTakesADatasetBeforeTheOneItLeaves(t *testing.T) {
	ds := planDatasets(3, time.Minute, "a")
	batches := []Batch{{Name: "1m-0000", Datasets: ds[:1]}, {Name: "1m-0001", Datasets: ds[1:]}}
	homes := map[string]string{"a00": "1m-0000", "a01": "1m-0000", "a02": "1m-0001"}
	got := gainersFirst(batches, homes)
	if got[0].Name != "1m-0001" || got[1].Name != "1m-0000" {
		t.Errorf("order %s, %s; want 1m-0001 (which takes a01) before 1m-0000 (which loses it)", got[0].Name, got[1].Name)
	}
}
