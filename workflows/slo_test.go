package workflows

import (
	"context"
	"errors"
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"
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

// sloDesign picks how the evaluator runs a round: as it did before
// SLORoundChangeID (an incident check, then a measure and a record
// activity per SLO) or as one activity.
type sloDesign string

const (
	sloActivityPerStep sloDesign = "activity per step"
	sloOneActivity     sloDesign = "one activity"
)

var sloDesigns = []sloDesign{sloActivityPerStep, sloOneActivity}

// sloCommands counts what a run asked Temporal for: activities by type,
// timers, and the DreStatus of each search-attribute upsert.
type sloCommands struct {
	activities map[string]int
	timers     int
	upserts    []string
}

// sloRun runs the evaluator until its first continue-as-new (100 rounds
// of 5 minutes) with slot k bad when bad(k); the activities are mocked,
// the observations kept in memory and evaluated with the real math. It
// returns the final status, the breaches reported and the commands.
func sloRun(t *testing.T, design sloDesign, bad func(k int) bool, slackPosts int) (SLOEvalStatus, []activities.SLOBreach, sloCommands) {
	t.Helper()
	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	env.SetStartTime(sloStart)
	// As StartSLOEval starts it.
	if err := env.SetTypedSearchAttributesOnStart(temporal.NewSearchAttributes(
		KindKey.ValueSet(KindSLOEval), DatasetKey.ValueSet("orders"), StatusKey.ValueSet(SLOStatusOK))); err != nil {
		t.Fatal(err)
	}
	var a *activities.SLOs
	var n *activities.Notify
	var stored []slo.Observation
	var breaches []activities.SLOBreach
	measure := func(at time.Time) activities.Measurement {
		if bad(int(at.Sub(sloStart) / (5 * time.Minute))) {
			return activities.Measurement{Good: 0, Total: 1, Detail: "stale"}
		}
		return activities.Measurement{Good: 1, Total: 1, Detail: "fresh"}
	}
	if design == sloActivityPerStep {
		env.OnGetVersion(SLORoundChangeID, workflow.DefaultVersion, 1).Return(workflow.DefaultVersion)
		env.OnActivity(a.SLOIncidentOpen, mock.Anything, "orders").Return(func(context.Context, string) (bool, error) {
			return len(breaches) > 0, nil
		})
		env.OnActivity(a.MeasureSLI, mock.Anything, mock.Anything).Return(func(_ context.Context, in activities.MeasureSLIInput) (activities.Measurement, error) {
			return measure(in.At), nil
		})
		env.OnActivity(a.RecordSLO, mock.Anything, mock.Anything).Return(func(_ context.Context, in activities.RecordSLOInput) (slo.Evaluation, error) {
			stored = append(stored, in.Obs)
			return slo.Evaluate(stored, in.Objective, in.Rules, in.Obs.At), nil
		})
	} else {
		env.OnActivity(a.EvaluateSLORound, mock.Anything, mock.Anything).Return(func(_ context.Context, in activities.SLORoundInput) (activities.SLORoundResult, error) {
			res := activities.SLORoundResult{Incident: len(breaches) > 0}
			for _, due := range in.SLOs {
				m := measure(due.At)
				stored = append(stored, slo.Observation{At: due.At, Good: m.Good, Total: m.Total, Incident: res.Incident})
				res.Readings = append(res.Readings, activities.SLOReading{SLO: due.Name, Measurement: m, Evaluation: slo.Evaluate(stored, due.Objective, due.Rules, due.At)})
			}
			return res, nil
		})
	}
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
	cmds := sloCount(env)
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
	return st, breaches, *cmds
}

// sloCount listens to the commands of the environment's run.
func sloCount(env *testsuite.TestWorkflowEnvironment) *sloCommands {
	c := &sloCommands{activities: map[string]int{}}
	env.SetOnActivityStartedListener(func(info *activity.Info, _ context.Context, _ converter.EncodedValues) {
		c.activities[info.ActivityType.Name]++
	})
	env.SetOnTimerScheduledListener(func(string, time.Duration) { c.timers++ })
	env.OnUpsertTypedSearchAttributes(mock.Anything).Run(func(args mock.Arguments) {
		status, _ := args.Get(0).(temporal.SearchAttributes).GetKeyword(StatusKey)
		c.upserts = append(c.upserts, status)
	}).Return()
	return c
}

func TestSLOEvalPagesOnceAndStopsAfterRecovery(t *testing.T) {
	for _, design := range sloDesigns {
		t.Run(string(design), func(t *testing.T) {
			// Stale for slots 10 to 14, fresh before and after.
			st, breaches, _ := sloRun(t, design, func(k int) bool { return k >= 10 && k < 15 }, 0)
			checkPagedOnceAndRecovered(t, st, breaches)
		})
	}
}

func checkPagedOnceAndRecovered(t *testing.T, st SLOEvalStatus, breaches []activities.SLOBreach) {
	t.Helper()
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
	for _, design := range sloDesigns {
		t.Run(string(design), func(t *testing.T) {
			// One stale slot in twenty from slot 19: a 5× burn, too slow to page.
			st, breaches, _ := sloRun(t, design, func(k int) bool { return k%20 == 19 }, 1)
			if len(breaches) != 0 || st.Tickets != 1 || st.SLOs[0].Level != slo.Ticket || st.Status != SLOFrozen {
				t.Errorf("pages %d, tickets %d, level %s, status %s; want no page, one ticket, level ticket, frozen budget",
					len(breaches), st.Tickets, st.SLOs[0].Level, st.Status)
			}
		})
	}
}

// TestSLOEvalRoundIsOneActivityAndOneTimer counts the commands of the
// paging run: each round is one activity and each wait one timer, and the
// search attributes change once (ok to frozen), where the design before
// SLORoundChangeID ran three activities a round and upserted every round.
func TestSLOEvalRoundIsOneActivityAndOneTimer(t *testing.T) {
	rounds := sloRoundsPerRun + 1
	bad := func(k int) bool { return k >= 10 && k < 15 }
	st, _, got := sloRun(t, sloOneActivity, bad, 0)
	if !st.OneActivityRounds || st.Rounds != rounds {
		t.Fatalf("status: one-activity rounds %v, rounds %d; want true, %d", st.OneActivityRounds, st.Rounds, rounds)
	}
	want := map[string]int{"EvaluateSLORound": rounds, "BootstrapSLOHistory": 1, "ReportSLOBreach": 1}
	if !maps.Equal(got.activities, want) {
		t.Errorf("activities %v; want %v: one a round, plus the bootstrap and the page", got.activities, want)
	}
	if got.timers != rounds-1 {
		t.Errorf("%d timers; want one between rounds (%d)", got.timers, rounds-1)
	}
	if !slices.Equal(got.upserts, []string{SLOFrozen}) {
		t.Errorf("search attributes upserted with DreStatus %q; want once, when the status became frozen", got.upserts)
	}
	_, _, old := sloRun(t, sloActivityPerStep, bad, 0)
	if old.activities["MeasureSLI"] != rounds || old.activities["RecordSLO"] != rounds || old.activities["SLOIncidentOpen"] != rounds || len(old.upserts) != rounds {
		t.Errorf("before SLORoundChangeID: activities %v, %d upserts; want three activities and an upsert every round", old.activities, len(old.upserts))
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
