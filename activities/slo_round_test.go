package activities_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/testsuite"

	"github.com/dre-dev/dre/activities"
	"github.com/dre-dev/dre/internal/catalog"
	"github.com/dre-dev/dre/internal/slo"
)

// roundTriage answers IncidentOpen with open, or fails with err.
type roundTriage struct {
	open bool
	err  error
}

func (r roundTriage) IncidentOpen(context.Context, string) (bool, error) { return r.open, r.err }
func (r roundTriage) ReportSLOBreach(context.Context, activities.SLOBreach) error {
	return errors.New("a round never reports")
}

// roundInput is one round over three SLOs of public.orders: a stale
// freshness, a loose freshness that passes, and a custom SQL that breaks
// its contract (good above total).
func roundInput(at time.Time) activities.SLORoundInput {
	day := catalog.Duration{Duration: 24 * time.Hour}
	slos := []catalog.SLO{
		{Name: "fresh", Kind: catalog.Freshness, Threshold: catalog.Duration{Duration: 26 * time.Hour}},
		{Name: "fresh-loose", Kind: catalog.Freshness, Threshold: catalog.Duration{Duration: 96 * time.Hour}},
		{Name: "bad-sql", Kind: catalog.Custom, SQL: "SELECT 5, 4"},
	}
	in := activities.SLORoundInput{Dataset: catalog.Dataset{Name: "orders", Warehouse: "local", Table: "public.orders", FreshnessColumn: "loaded_at", SLOs: slos}}
	for _, o := range slos {
		obj := slo.Objective{Target: 0.99, Window: 28 * day.Duration, Interval: time.Hour}
		in.SLOs = append(in.SLOs, activities.SLORoundSLO{Name: o.Name, Objective: obj, Rules: slo.ScaleRules(slo.WorkbookRules, time.Hour), At: at})
	}
	return in
}

func TestEvaluateSLORoundMeasuresRecordsAndEvaluatesEverySLO(t *testing.T) {
	e := newSLOEnv(t)
	e.s.Triage = roundTriage{open: true}
	at := time.Now().UTC().Truncate(time.Hour)
	res, err := e.s.EvaluateSLORound(t.Context(), roundInput(at))
	if err != nil {
		t.Fatal(err)
	}
	if !res.Incident || len(res.Readings) != 3 {
		t.Fatalf("round = %+v; want the open incident and three readings", res)
	}
	wantGood := map[string]int64{"fresh": 0, "fresh-loose": 1}
	for _, r := range res.Readings[:2] {
		if r.Error != "" || r.Measurement.Good != wantGood[r.SLO] || r.Measurement.Total != 1 || !r.Evaluation.At.Equal(at) {
			t.Errorf("%s: %+v; want a reading of %d good of 1, evaluated at %s", r.SLO, r, wantGood[r.SLO], at)
		}
		stored, err := e.store.Since(t.Context(), "orders", r.SLO, at.Add(-time.Second))
		if err != nil || len(stored) != 1 || !stored[0].Incident {
			t.Errorf("%s: stored %+v, %v; want one observation marked as taken during the incident", r.SLO, stored, err)
		}
	}
	if r := res.Readings[2]; r.SLO != "bad-sql" || !strings.Contains(r.Error, "measuring: ") || !strings.Contains(r.Error, "0 <= good <= total") {
		t.Errorf("bad-sql: %+v; want its contract error, the other SLOs evaluated all the same", r)
	}
	// A retried round replaces its rows rather than adding to them.
	if _, err := e.s.EvaluateSLORound(t.Context(), roundInput(at)); err != nil {
		t.Fatal(err)
	}
	if stored, err := e.store.Since(t.Context(), "orders", "fresh", at.Add(-time.Second)); err != nil || len(stored) != 1 {
		t.Errorf("after the round ran twice: %d observations, %v; want one per slot", len(stored), err)
	}
}

func TestEvaluateSLORoundRetriesATransientFailureUntilTheLastAttempt(t *testing.T) {
	e := newSLOEnv(t)
	e.s.Triage = roundTriage{err: errors.New("frontend unavailable")}
	at := time.Now().UTC().Truncate(time.Hour)
	var s testsuite.WorkflowTestSuite
	env := s.NewTestActivityEnvironment()
	env.RegisterActivity(e.s)
	if _, err := env.ExecuteActivity(e.s.EvaluateSLORound, roundInput(at)); err == nil || !strings.Contains(err.Error(), "frontend unavailable") {
		t.Errorf("first attempt with an unanswered incident check: err %v; want the round failed so that Temporal retries it", err)
	}
	// Outside an activity (as on the last attempt) the round returns what it has.
	res, err := e.s.EvaluateSLORound(t.Context(), roundInput(at))
	if err != nil || res.Incident || len(res.Readings) != 3 || res.Readings[1].Measurement.Good != 1 {
		t.Errorf("last attempt: %+v, %v; want the readings, not marked as incident", res, err)
	}
}
