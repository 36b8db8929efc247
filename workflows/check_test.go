package workflows

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/dre-dev/dre/activities"
	"github.com/dre-dev/dre/internal/catalog"
	"github.com/dre-dev/dre/internal/warehouse"
)

func ordersDataset() catalog.Dataset {
	return catalog.Dataset{
		Name: "orders", Warehouse: "local", Table: "public.orders", FreshnessColumn: "loaded_at",
		SLOs: []catalog.SLO{{Name: "fresh", Kind: catalog.Freshness, Threshold: catalog.Duration{Duration: 26 * time.Hour}}},
	}
}

func probeAt(exists bool, rows int64, age time.Duration) activities.ProbeTableResult {
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	latest := now.Add(-age)
	return activities.ProbeTableResult{TableProbe: warehouse.TableProbe{Exists: exists, Rows: rows, Latest: &latest}, ProbedAt: now}
}

func TestCheckVerdicts(t *testing.T) {
	tests := []struct {
		name       string
		probe      activities.ProbeTableResult
		wantStatus string
		wantLag    time.Duration
	}{
		{"fresh", probeAt(true, 100, 3*time.Hour), CheckOK, 3 * time.Hour},
		{"stale", probeAt(true, 100, 30*time.Hour), CheckStale, 30 * time.Hour},
		{"empty", probeAt(true, 0, 0), CheckEmpty, 0},
		{"missing", probeAt(false, 0, 0), CheckMissing, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var s testsuite.WorkflowTestSuite
			env := s.NewTestWorkflowEnvironment()
			var a *activities.Checks
			env.OnActivity(a.ProbeTable, mock.Anything, activities.ProbeTableInput{
				Warehouse: "local", Table: "public.orders", FreshnessColumn: "loaded_at",
			}).Return(tt.probe, nil).Once()
			env.ExecuteWorkflow(Check, CheckInput{Dataset: ordersDataset()})
			var got CheckResult
			if err := env.GetWorkflowResult(&got); err != nil {
				t.Fatal(err)
			}
			if got.Status != tt.wantStatus || got.Lag != tt.wantLag || got.Rounds != 1 || got.MaxLag != 26*time.Hour {
				t.Errorf("Check = %+v, want status %s lag %s after 1 round with SLO 26h", got, tt.wantStatus, tt.wantLag)
			}
			env.AssertExpectations(t)
		})
	}
}

func TestCheckStatusQueryAndSearchAttributes(t *testing.T) {
	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	var a *activities.Checks
	env.OnActivity(a.ProbeTable, mock.Anything, mock.Anything).Return(probeAt(true, 5, 40*time.Hour), nil)
	env.OnUpsertTypedSearchAttributes(mock.MatchedBy(func(sa temporal.SearchAttributes) bool {
		status, _ := sa.GetKeyword(StatusKey)
		kind, _ := sa.GetKeyword(KindKey)
		return status == CheckStale && kind == "check"
	})).Return(nil).Once()
	env.RegisterDelayedCallback(func() {
		v, err := env.QueryWorkflow(StatusQuery)
		if err != nil {
			t.Fatal(err)
		}
		var got CheckResult
		if err := v.Get(&got); err != nil || got.Status != CheckStale {
			t.Errorf("status query = %+v, %v; want stale", got, err)
		}
		env.CancelWorkflow()
	}, 90*time.Second)
	env.ExecuteWorkflow(Check, CheckInput{Dataset: ordersDataset(), Watch: true, Every: time.Hour})
	if err := env.GetWorkflowError(); !temporal.IsCanceledError(err) {
		t.Fatalf("watch ended with %v, want cancellation", err)
	}
	env.AssertExpectations(t)
}

func TestCheckWatchContinuesAsNew(t *testing.T) {
	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	var a *activities.Checks
	env.OnActivity(a.ProbeTable, mock.Anything, mock.Anything).Return(probeAt(true, 5, time.Hour), nil)
	env.ExecuteWorkflow(Check, CheckInput{Dataset: ordersDataset(), Watch: true, Every: time.Minute, Rounds: 7})
	var can *workflow.ContinueAsNewError
	if err := env.GetWorkflowError(); !errors.As(err, &can) {
		t.Fatalf("watch ended with %v, want continue-as-new", err)
	}
	var next CheckInput
	if err := converter.GetDefaultDataConverter().FromPayloads(can.Input, &next); err != nil {
		t.Fatal(err)
	}
	if next.Rounds != 7+checkRoundsPerRun || !next.Watch {
		t.Errorf("continued with %+v, want Rounds %d and Watch", next, 7+checkRoundsPerRun)
	}
}

func TestCheckRejectsBadInput(t *testing.T) {
	tests := []CheckInput{
		{},
		{Dataset: ordersDataset(), Watch: true, Every: time.Millisecond},
	}
	for _, in := range tests {
		var s testsuite.WorkflowTestSuite
		env := s.NewTestWorkflowEnvironment()
		env.ExecuteWorkflow(Check, in)
		var appErr *temporal.ApplicationError
		if err := env.GetWorkflowError(); !errors.As(err, &appErr) || appErr.Type() != ErrInvalidInput {
			t.Errorf("Check(%+v) error = %v, want %s", in, err, ErrInvalidInput)
		}
	}
}

func TestSearchAttributesFitSQLiteSlots(t *testing.T) {
	limits := map[string]int{"Keyword": 10, "Int": 3, "Double": 3, "Bool": 3, "Datetime": 3, "KeywordList": 3, "Text": 3}
	used := map[string]int{}
	for name, typ := range SearchAttributes() {
		kind := typ.String()
		used[kind]++
		if _, ok := limits[kind]; !ok {
			t.Errorf("%s has type %s, which the embedded server cannot store", name, kind)
		}
	}
	for kind, n := range used {
		if n > limits[kind] {
			t.Errorf("%d %s search attributes, the embedded server has %d slots", n, kind, limits[kind])
		}
	}
	if used["Keyword"] == 0 || used["Int"] == 0 {
		t.Errorf("search attributes %v: want at least DreKind (Keyword) and DreSeverity (Int)", used)
	}
}
