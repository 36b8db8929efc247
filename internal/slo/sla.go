package slo

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"time"

	"github.com/dre-dev/dre/internal/catalog"
)

// Period is a calendar month in UTC, the unit of an SLA review.
type Period struct {
	Start, End time.Time // [Start, End)
}

// ParsePeriod reads a month written YYYY-MM.
func ParsePeriod(s string) (Period, error) {
	start, err := time.Parse("2006-01", s)
	if err != nil {
		return Period{}, fmt.Errorf("--period must be a calendar month written YYYY-MM, such as 2026-11; got %q", s)
	}
	return Period{Start: start, End: start.AddDate(0, 1, 0)}, nil
}

// String prints the period as it was given: 2026-11.
func (p Period) String() string { return p.Start.Format("2006-01") }

// Incident is one triage of a dataset: ID names it (the triage workflow
// and run), Start and End bound it; End is zero while it is open.
type Incident struct {
	ID         string
	Dataset    string
	Start, End time.Time
}

// Attainment is one SLO over a period: the share of good events, the
// share of the period's error budget they spent, and the incidents
// during which (or leading up to which) it read bad.
type Attainment struct {
	Dataset, SLO, Kind string
	Objective          float64
	Good, Total        int64
	// Attainment is Good/Total; 1 without readings (see Total).
	Attainment float64
	// BudgetSpent is the bad events over those the objective allows
	// (1 - objective of Total): above 1, the SLA was missed.
	BudgetSpent float64
	Incidents   []string
	// Unexplained counts the bad readings no incident covers.
	Unexplained int
}

// Met reports whether the SLO kept its objective over the period.
func (a Attainment) Met() bool { return a.Attainment >= a.Objective }

// ObservationReader reads the readings of a period.
type ObservationReader interface {
	Between(ctx context.Context, dataset, name string, from, to time.Time) ([]Observation, error)
}

// SLAReport computes the attainment of every SLO of datasets over p from
// the stored readings, naming the incidents that consumed budget.
func SLAReport(ctx context.Context, r ObservationReader, datasets []catalog.Dataset, incidents []Incident, p Period) ([]Attainment, error) {
	var out []Attainment
	for _, ds := range datasets {
		for _, s := range ds.SLOs {
			obs, err := r.Between(ctx, ds.Name, s.Name, p.Start, p.End)
			if err != nil {
				return nil, err
			}
			a := Attainment{Dataset: ds.Name, SLO: s.Name, Kind: string(s.Kind), Objective: s.Objective, Attainment: 1}
			for _, o := range obs {
				a.Good, a.Total = a.Good+o.Good, a.Total+o.Total
			}
			if a.Total > 0 {
				a.Attainment = float64(a.Good) / float64(a.Total)
				a.BudgetSpent = float64(a.Total-a.Good) / ((1 - s.Objective) * float64(a.Total))
			}
			a.Incidents, a.Unexplained = attribute(obs, incidentsOf(incidents, ds.Name))
			out = append(out, a)
		}
	}
	return out, nil
}

func incidentsOf(all []Incident, dataset string) []Incident {
	var out []Incident
	for _, in := range all {
		if in.Dataset == dataset {
			out = append(out, in)
		}
	}
	return out
}

// attribute groups consecutive bad readings into episodes and credits an
// episode to every incident open at some point during it: the readings
// that led up to a page belong to the incident the page opened. It returns
// the incidents credited, in the order they started, and the bad readings
// of episodes no incident overlaps.
func attribute(obs []Observation, incidents []Incident) (ids []string, unexplained int) {
	sort.Slice(obs, func(i, j int) bool { return obs[i].At.Before(obs[j].At) })
	sort.Slice(incidents, func(i, j int) bool { return incidents[i].Start.Before(incidents[j].Start) })
	credited := map[string]bool{}
	for i := 0; i < len(obs); {
		if obs[i].Good >= obs[i].Total {
			i++
			continue
		}
		j := i
		for j < len(obs) && obs[j].Good < obs[j].Total {
			j++
		}
		from, to, found := obs[i].At, obs[j-1].At, false
		for _, in := range incidents {
			if !in.Start.After(to) && (in.End.IsZero() || !in.End.Before(from)) {
				credited[in.ID], found = true, true
			}
		}
		if !found {
			unexplained += j - i
		}
		i = j
	}
	for _, in := range incidents {
		if credited[in.ID] && !slices.Contains(ids, in.ID) {
			ids = append(ids, in.ID)
		}
	}
	return ids, unexplained
}
