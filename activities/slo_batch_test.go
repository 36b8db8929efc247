package activities_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/testsuite"

	"github.com/dre-dev/dre/activities"
)

// batchTriage fails the incident check of one dataset, as a Temporal
// frontend that did not answer would.
type batchTriage struct{ failFor string }

func (b batchTriage) IncidentOpen(_ context.Context, dataset string) (bool, error) {
	if dataset == b.failFor {
		return false, errors.New("frontend unavailable")
	}
	return false, nil
}

func (batchTriage) ReportSLOBreach(context.Context, activities.SLOBreach) error {
	return errors.New("a round never reports")
}

// batchInput is a round of three datasets over public.orders; the second
// names a warehouse this worker does not have.
func batchInput(at time.Time) activities.SLOBatchInput {
	in := activities.SLOBatchInput{Parallelism: 2}
	for _, name := range []string{"orders_a", "orders_ghost", "orders_c"} {
		r := roundInput(at)
		r.Dataset.Name = name
		if name == "orders_ghost" {
			r.Dataset.Warehouse = "nowhere"
		}
		in.Items = append(in.Items, activities.SLOBatchItem{SLORoundInput: r})
	}
	return in
}

func TestEvaluateSLOBatchIsolatesADatasetsFailure(t *testing.T) {
	e := newSLOEnv(t)
	e.s.Triage = batchTriage{}
	at := time.Now().UTC().Truncate(time.Hour)
	res, err := e.s.EvaluateSLOBatch(t.Context(), batchInput(at))
	if err != nil || len(res.Items) != 3 {
		t.Fatalf("batch = %+v, %v; want three results", res, err)
	}
	for _, i := range []int{0, 2} {
		r := res.Items[i]
		if len(r.Readings) != 3 || r.Readings[0].Error != "" || r.Readings[1].Measurement.Good != 1 {
			t.Errorf("%s: %+v; want its three readings, the fresh-loose one good", r.Dataset, r)
		}
		if stored, err := e.store.Since(t.Context(), r.Dataset, "fresh", at.Add(-time.Second)); err != nil || len(stored) != 1 {
			t.Errorf("%s: %d observations stored, %v; want one", r.Dataset, len(stored), err)
		}
	}
	ghost := res.Items[1]
	if ghost.Dataset != "orders_ghost" || len(ghost.Readings) != 3 || !strings.Contains(ghost.Readings[0].Error, "nowhere") {
		t.Errorf("ghost: %+v; want each reading to say the warehouse is unknown", ghost)
	}
}

func TestEvaluateSLOBatchRetriesOnlyWhatFailedAndResumesFromItsHeartbeat(t *testing.T) {
	e := newSLOEnv(t)
	e.s.Triage = batchTriage{failFor: "orders_c"}
	at := time.Now().UTC().Truncate(time.Hour)
	var s testsuite.WorkflowTestSuite
	env := s.NewTestActivityEnvironment()
	env.RegisterActivity(e.s)
	_, err := env.ExecuteActivity(e.s.EvaluateSLOBatch, batchInput(at))
	if err == nil || !strings.Contains(err.Error(), "1 of 3 datasets to retry") || !strings.Contains(err.Error(), "frontend unavailable") {
		t.Fatalf("first attempt: %v; want the batch failed for the one dataset a retry may cure", err)
	}
	// A retry starts from the last heartbeat: the finished datasets are
	// taken from it, not measured again.
	done := map[int]activities.SLOBatchItemResult{0: {Dataset: "orders_a", SLORoundResult: activities.SLORoundResult{Incident: true}}}
	env.SetHeartbeatDetails(done)
	e.s.Triage = batchTriage{}
	val, err := env.ExecuteActivity(e.s.EvaluateSLOBatch, batchInput(at))
	if err != nil {
		t.Fatal(err)
	}
	var res activities.SLOBatchResult
	if err := val.Get(&res); err != nil {
		t.Fatal(err)
	}
	if len(res.Items) != 3 || !res.Items[0].Incident || len(res.Items[0].Readings) != 0 {
		t.Errorf("resumed: first item %+v; want the heartbeated result, not a new round", res.Items[0])
	}
	if c := res.Items[2]; c.Dataset != "orders_c" || len(c.Readings) != 3 || c.Readings[1].Measurement.Good != 1 {
		t.Errorf("resumed: %+v; want orders_c measured on the retry", c)
	}
}
