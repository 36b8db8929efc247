package workflows

import (
	"slices"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/dre-dev/dre/runbooks"
)

func TestTriageEscalatesWithoutAckUpToTheLimit(t *testing.T) {
	h := newTriageHarness(t)
	in := ordersIncident(1) // sev1 escalates after 5m by default
	in.Policy = TriagePolicy{MaxEscalations: 2, EscalationMention: "<!subteam^S0ONCALL>"}
	h.at(time.Hour, func() { h.mustUpdate(TriageResolveUpdate, TriageAction{By: "U0ALICE"}) })
	tl := h.run(in)

	if tl.Escalations != 2 || len(h.postsContaining("<!subteam^S0ONCALL> Escalation")) != 2 {
		t.Errorf("%d escalations, %d mentions; want 2 of each", tl.Escalations, len(h.postsContaining("<!subteam^S0ONCALL>")))
	}
	if triggers, _ := h.triggers(); len(triggers) != 3 {
		t.Errorf("%d triggers, want 3: the first page and one per escalation", len(triggers))
	}
	var at []time.Duration
	for _, e := range tl.Events {
		if e.Kind == "escalated" {
			at = append(at, e.At.Sub(triageStart))
		}
	}
	if !slices.Equal(at, []time.Duration{5 * time.Minute, 10 * time.Minute}) {
		t.Errorf("escalated at %v, want [5m 10m]", at)
	}
}

func TestTriageAckStopsEscalation(t *testing.T) {
	h := newTriageHarness(t)
	in := ordersIncident(1)
	h.at(7*time.Minute, func() { h.mustUpdate(TriageAckUpdate, TriageAction{By: "pagerduty:Jane Doe"}) })
	h.at(2*time.Hour, func() { h.mustUpdate(TriageResolveUpdate, TriageAction{By: "pagerduty:Jane Doe"}) })
	tl := h.run(in)

	if tl.Escalations != 1 {
		t.Errorf("%d escalations, want 1: at 5m, none after the ack at 7m", tl.Escalations)
	}
	if _, actions := h.triggers(); len(actions) != 0 {
		t.Errorf("PagerDuty actions %v, want none: PagerDuty itself acked and resolved", actions)
	}
	if tl.TimeToAck != 7*time.Minute || tl.TimeToResolve != 2*time.Hour {
		t.Errorf("time to ack %s, to resolve %s; want 7m and 2h", tl.TimeToAck, tl.TimeToResolve)
	}
}

func TestTriageValidatorsRejectBadTransitions(t *testing.T) {
	h := newTriageHarness(t)
	h.at(time.Minute, func() {
		h.mustUpdate(TriageAckUpdate, TriageAction{By: "U0BOB"})
		h.update("second ack", TriageAckUpdate, TriageAction{By: "U0CAROL"})
		h.update("anonymous escalate", TriageEscalateUpdate, TriageAction{})
		h.update("runbook without one", TriageRunRunbookUpdate, TriageAction{By: "U0BOB"})
		h.mustUpdate(TriageResolveUpdate, TriageAction{By: "U0BOB"})
		h.update("resolve twice", TriageResolveUpdate, TriageAction{By: "U0BOB"})
		h.update("ack after resolve", TriageAckUpdate, TriageAction{By: "U0DAVE"})
	})
	tl := h.run(ordersIncident(2))

	want := map[string]string{
		"second ack": "already acknowledged by U0BOB", "anonymous escalate": "By is empty",
		"runbook without one": "has no runbook", "resolve twice": "resolved by U0BOB", "ack after resolve": "resolved by U0BOB",
	}
	for name, substr := range want {
		if err := h.rejected[name]; err == nil || !strings.Contains(err.Error(), substr) {
			t.Errorf("%s: rejection %v, want one saying %q", name, err, substr)
		}
	}
	if tl.AcknowledgedBy != "U0BOB" || tl.ResolvedBy != "U0BOB" {
		t.Errorf("acked by %q, resolved by %q; rejected updates must change nothing", tl.AcknowledgedBy, tl.ResolvedBy)
	}
}

func TestTriageAutoResolvesAfterAQuietPeriod(t *testing.T) {
	h := newTriageHarness(t)
	in := ordersIncident(3)
	in.Policy = TriagePolicy{AutoResolveAfter: 30 * time.Minute, RecheckEvery: 10 * time.Minute}
	h.at(15*time.Minute, func() { h.mu.Lock(); h.stale = false; h.mu.Unlock() }) // the load caught up
	tl := h.run(in)

	// Rechecks at 10m (stale), 20m (passes: mitigated), 30m, 40m, 50m (quiet for 30m: resolved).
	if tl.ResolvedBy != "dre" || tl.MitigatedAt.Sub(triageStart) != 20*time.Minute || tl.TimeToResolve != 50*time.Minute {
		t.Errorf("resolved by %q, mitigated at +%s, resolved after %s; want dre, +20m, 50m",
			tl.ResolvedBy, tl.MitigatedAt.Sub(triageStart), tl.TimeToResolve)
	}
}

func TestTriageRunsTheRunbookAndMitigates(t *testing.T) {
	h := newTriageHarness(t)
	var got RunbookInput
	h.env.RegisterWorkflowWithOptions(func(_ workflow.Context, in RunbookInput) (RunbookStatus, error) {
		got = in
		return RunbookStatus{Status: RunbookOK}, nil
	}, workflow.RegisterOptions{Name: RunbookWorkflowName})
	in := ordersIncident(2)
	in.Runbook = &RunbookInput{Runbook: runbooks.Runbook{Name: "stale-table"}, Dataset: "orders"}
	h.at(time.Minute, func() { h.mustUpdate(TriageRunRunbookUpdate, TriageAction{By: "U0BOB"}) })
	h.at(10*time.Minute, func() { h.mustUpdate(TriageResolveUpdate, TriageAction{By: "U0BOB"}) })
	tl := h.run(in)

	if got.Runbook.Name != "stale-table" || got.Requester != "U0BOB" {
		t.Errorf("runbook child got %+v, want stale-table requested by U0BOB", got)
	}
	if tl.MitigatedAt.IsZero() || len(h.postsContaining("Mitigated: runbook stale-table finished")) != 1 {
		t.Errorf("mitigated at %v; want the runbook's success to mitigate and say so", tl.MitigatedAt)
	}
}
