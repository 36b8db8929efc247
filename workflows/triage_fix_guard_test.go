package workflows

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"

	"github.com/dre-dev/dre/activities"
)

// heldFix runs the gap incident whose backfill is held by the guards
// (freeze says why the SLO freeze holds, "" for none) and never approved:
// the child waits its 72h, ends without writing, and a human resolves.
func heldFix(t *testing.T, budget float64, freeze string) (*triageHarness, TriageTimeline, []activities.RewritePartitionInput) {
	h := newTriageHarness(t)
	in := gapIncident(h)
	in.Policy.BackfillBudget = budget
	h.env.RegisterWorkflow(Backfill)
	var s *activities.SLOs
	h.env.OnActivity(s.FreezeReason, mock.Anything, mock.Anything).Return(freeze, nil)
	estimateMock(h.env) // 60 units a partition: 120 for the two named
	var seen []activities.RewritePartitionInput
	onBatches(h.env, time.Minute, func(in activities.RewritePartitionInput) (activities.RewritePartitionResult, error) {
		h.mu.Lock()
		defer h.mu.Unlock()
		seen = append(seen, in)
		return activities.RewritePartitionResult{}, nil
	})
	h.at(time.Minute, func() { h.mustUpdate(TriageBackfillUpdate, TriageAction{By: "U0BOB"}) })
	h.at(100*time.Hour, func() { h.mustUpdate(TriageResolveUpdate, TriageAction{By: "U0BOB"}) })
	return h, h.run(in), seen
}

func TestTriageBackfillOverThePolicysBudgetWaitsForApproval(t *testing.T) {
	h, tl, seen := heldFix(t, 100, "")
	if len(seen) != 0 {
		t.Fatalf("%d partitions written by a backfill over budget nobody approved", len(seen))
	}
	if !hasEvent(tl, "backfill-budget", "100") || !hasEvent(tl, "backfill-failed", "not-approved") {
		t.Errorf("timeline %+v; want the budget and the backfill ending not approved", tl.Events)
	}
	if len(h.postsContaining("backfill_budget of 100 it waits for `dre backfill approve orders`")) != 1 {
		t.Error("the thread was not told the backfill waits for approval over budget")
	}
}

func TestTriageBackfillUnderTheBudgetRuns(t *testing.T) {
	_, tl, seen := heldFix(t, 1000, "")
	if len(seen) != 2 || !hasEvent(tl, "backfill-done", "2 partitions") {
		t.Errorf("%d writes, timeline %+v; want both partitions written under the budget", len(seen), tl.Events)
	}
}

func TestTriageBackfillHeldByTheSLOFreeze(t *testing.T) {
	h, tl, seen := heldFix(t, 0, "the SLO error budget of orders is exhausted")
	if len(seen) != 0 || !hasEvent(tl, "backfill-held", "exhausted") || !hasEvent(tl, "backfill-failed", "not-approved") {
		t.Errorf("%d writes, timeline %+v; want the freeze hold and nothing written", len(seen), tl.Events)
	}
	if len(h.postsContaining(":ice_cube: The backfill waits for an approval before it writes anything: the SLO error budget of orders is exhausted")) != 1 {
		t.Error("the thread was not told the freeze holds the backfill")
	}
}

func hasEvent(tl TriageTimeline, kind, text string) bool {
	return slices.ContainsFunc(tl.Events, func(e TimelineEvent) bool { return e.Kind == kind && strings.Contains(e.Text, text) })
}
