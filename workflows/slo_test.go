package workflows

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/dre-dev/dre/activities"
	"github.com/dre-dev/dre/internal/catalog"
	"github.com/dre-dev/dre/internal/slo"
)

var sloStart = time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)

// sloDataset has one freshness SLO measured every 5 minutes.
func sloDataset() catalog.Dataset {
	ds := ordersDataset()
	ds.Owner.SlackChannel = "#orders"
	ds.SLOs = []catalog.SLO{{
		Name: "fresh", Kind: catalog.Freshness, Threshold: catalog.Duration{Duration: time.Hour}, Objective: 0.99,
		Window: catalog.Duration{Duration: 28 * 24 * time.Hour}, Interval: catalog.Duration{Duration: 5 * time.Minute},
	}}
	return ds
}

// sloRun runs the evaluator until its first continue-as-new (100 rounds
// of 5 minutes) with slot k bad when bad(k); the activities are mocked,
// the observations kept in memory and evaluated with the real math. It
// returns the final status and the breaches reported.
func sloRun(t *testing.T, bad func(k int) bool, slackPosts int) (SLOEvalStatus, []activities.SLOBreach) {
	t.Helper()
	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	env.SetStartTime(sloStart)
	var a *activities.SLOs
	var n *activities.Notify
	var stored []slo.Observation
	var breaches []activities.SLOBreach
	env.OnActivity(a.SLOIncidentOpen, mock.Anything, "orders").Return(func(context.Context, string) (bool, error) {
		return len(breaches) > 0, nil
	})
	env.OnActivity(a.MeasureSLI, mock.Anything, mock.Anything).Return(func(_ context.Context, in activities.MeasureSLIInput) (activities.Measurement, error) {
		k := int(in.At.Sub(sloStart) / (5 * time.Minute))
		if bad(k) {
			return activities.Measurement{Good: 0, Total: 1, Detail: "stale"}, nil
		}
		return activities.Measurement{Good: 1, Total: 1, Detail: "fresh"}, nil
	})
	env.OnActivity(a.RecordSLO, mock.Anything, mock.Anything).Return(func(_ context.Context, in activities.RecordSLOInput) (slo.Evaluation, error) {
		stored = append(stored, in.Obs)
		return slo.Evaluate(stored, in.Objective, in.Rules, in.Obs.At), nil
	})
	// A new evaluator reconstructs its history once, before its first round.
	env.OnActivity(a.BootstrapSLOHistory, mock.Anything, mock.MatchedBy(func(in activities.BootstrapSLOHistoryInput) bool {
		return in.Dataset.Name == "orders" && in.Until.Equal(sloStart)
	})).Return([]activities.SLOHistory{{SLO: "fresh", Slots: 8063, Stored: 8063}}, nil).Once()
	env.OnActivity(a.ReportSLOBreach, mock.Anything, mock.Anything).Return(func(_ context.Context, b activities.SLOBreach) error {
		breaches = append(breaches, b)
		return nil
	}).Maybe()
	if slackPosts > 0 {
		env.OnActivity(n.PostSlack, mock.Anything, mock.MatchedBy(func(m activities.SlackMessage) bool { return m.Channel == "#orders" })).
			Return(activities.SlackPosted{Sent: true}, nil).Times(slackPosts)
	}
	env.ExecuteWorkflow(SLOEval, SLOEvalInput{Dataset: sloDataset()})
	var can *workflow.ContinueAsNewError
	if err := env.GetWorkflowError(); !errors.As(err, &can) {
		t.Fatalf("SLOEval ended with %v, want a continue-as-new after %d rounds", err, sloRoundsPerRun)
	}
	v, err := env.QueryWorkflow(StatusQuery)
	if err != nil {
		t.Fatal(err)
	}
	var st SLOEvalStatus
	if err := v.Get(&st); err != nil {
		t.Fatal(err)
	}
	env.AssertExpectations(t)
	if n := len(stored); n != sloRoundsPerRun+1 {
		t.Errorf("stored %d observations, want one per round (%d)", n, sloRoundsPerRun+1)
	}
	for i, o := range stored {
		if want := sloStart.Add(time.Duration(i) * 5 * time.Minute); !o.At.Equal(want) {
			t.Fatalf("observation %d is for slot %s, want %s: slots must be aligned to the interval", i, o.At, want)
		}
	}
	return st, breaches
}

func TestSLOEvalPagesOnceAndStopsAfterRecovery(t *testing.T) {
	// Stale for slots 10 to 14, fresh before and after.
	st, breaches := sloRun(t, func(k int) bool { return k >= 10 && k < 15 }, 0)
	if len(breaches) != 1 || st.Pages != 1 || st.Tickets != 0 {
		t.Fatalf("reported %d breaches (status pages %d, tickets %d), want exactly one page and no ticket", len(breaches), st.Pages, st.Tickets)
	}
	b := breaches[0]
	if !b.At.Equal(sloStart.Add(50*time.Minute)) || b.SLO != "fresh" || b.Dataset.Name != "orders" {
		t.Errorf("breach %+v, want SLO fresh of orders at slot 10", b)
	}
	// One bad slot after ten good ones: 9.1× over 1h, so the slow rule fires.
	for _, want := range []string{"page: 6× over 6h and 30m", "30m 16.7×", "Latest reading: stale"} {
		if !contains(b.Description, want) {
			t.Errorf("breach evidence lacks %q: %s", want, b.Description)
		}
	}
	if st.Bootstrap == nil || st.Bootstrap.Request != sloFirstSync || st.Bootstrap.Error != "" {
		t.Errorf("bootstrap %+v; want the first sync's, without error", st.Bootstrap)
	}
	// 5 bad of 101 over 28 days spends the 1% budget five times over.
	s := st.SLOs[0]
	if s.Level != slo.None || !st.Frozen || st.Status != SLOFrozen || s.Last.BudgetLeft >= 0 {
		t.Errorf("after recovery: level %s, frozen %v, status %s, budget %v; want ok, frozen, budget below 0", s.Level, st.Frozen, st.Status, s.Last.BudgetLeft)
	}
	if len(s.History) != sloRoundsPerRun+1 || s.History[10].Good || !s.History[15].Good {
		t.Errorf("history has %d points (slot 10 good %v, 15 good %v); want every round, 10 bad, 15 good", len(s.History), s.History[10].Good, s.History[15].Good)
	}
}

func TestSLOEvalSlowBurnPostsOneTicket(t *testing.T) {
	// One stale slot in twenty from slot 19: a 5× burn, too slow to page.
	st, breaches := sloRun(t, func(k int) bool { return k%20 == 19 }, 1)
	if len(breaches) != 0 || st.Tickets != 1 || st.SLOs[0].Level != slo.Ticket || st.Status != SLOFrozen {
		t.Errorf("pages %d, tickets %d, level %s, status %s; want no page, one ticket, level ticket, frozen budget",
			len(breaches), st.Tickets, st.SLOs[0].Level, st.Status)
	}
}

func contains(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return true
		}
	}
	return false
}
