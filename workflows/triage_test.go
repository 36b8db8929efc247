package workflows

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/temporal"
)

func TestTriageOpensDiagnosesPagesAndResolves(t *testing.T) {
	h := newTriageHarness(t)
	var live TriageTimeline
	h.at(time.Minute, func() {
		v, err := h.env.QueryWorkflow(TriageTimelineQuery)
		if err != nil || v.Get(&live) != nil {
			t.Errorf("timeline query: %v", err)
		}
	})
	h.at(2*time.Minute, func() { h.mustUpdate(TriageAckUpdate, TriageAction{By: "U0BOB"}) })
	h.at(40*time.Minute, func() { h.mustUpdate(TriageResolveUpdate, TriageAction{By: "U0BOB", Note: "reloaded"}) })
	tl := h.run(ordersIncident(2))

	if n := len(h.incidents); n == 0 || h.incidents[0].Channel != "#commerce-data" || h.incidents[0].TS != "" ||
		!strings.Contains(h.incidents[0].Text, "*sev2 incident on orders*") || h.incidents[0].WorkflowID != "triage/orders" {
		t.Fatalf("incident messages = %+v, want a new sev2 message in #commerce-data first", h.incidents)
	}
	var statuses []string
	for _, m := range h.incidents[1:] {
		if m.TS != "1700000000.000100" {
			t.Errorf("incident message update %+v does not replace the opening message", m)
		}
		statuses = append(statuses, m.Status)
	}
	if !slices.Equal(statuses, []string{TriageAcknowledged, TriageResolved}) || !h.incidents[2].Resolved {
		t.Errorf("incident message updated to %v, want [acknowledged resolved] with the buttons gone", statuses)
	}
	stale := h.postsContaining(":warning: *freshness*: public.orders is stale")
	if len(stale) != 1 || stale[0].ThreadTS != "1700000000.000100" {
		t.Errorf("stale finding posts = %+v, want one in the incident's thread", stale)
	}
	if live.Status != TriageOpen || len(live.Findings) != 6 {
		t.Errorf("timeline at 1m: status %q with %d findings, want open with 6", live.Status, len(live.Findings))
	}
	triggers, actions := h.triggers()
	if len(triggers) != 1 || triggers[0].DedupKey != "triage/orders" || triggers[0].Severity != "error" {
		t.Errorf("triggers = %+v, want exactly one sev2 (error) page with dedup key triage/orders", triggers)
	}
	if !slices.Equal(actions, []string{"acknowledge", "resolve"}) {
		t.Errorf("PagerDuty actions = %v, want [acknowledge resolve]", actions)
	}
	if tl.Status != TriageResolved || tl.TimeToAck != 2*time.Minute || tl.TimeToResolve != 40*time.Minute {
		t.Errorf("timeline: status %s, ack %s, resolve %s; want resolved, 2m, 40m", tl.Status, tl.TimeToAck, tl.TimeToResolve)
	}
	if tl.AcknowledgedBy != "U0BOB" || tl.ResolvedBy != "U0BOB" || tl.Escalations != 0 {
		t.Errorf("timeline: acked by %q, resolved by %q, %d escalations", tl.AcknowledgedBy, tl.ResolvedBy, tl.Escalations)
	}
	if !strings.Contains(tl.Postmortem, "public.orders is stale") || !strings.Contains(tl.Postmortem, "| acknowledged | U0BOB |") ||
		!strings.Contains(tl.Postmortem, "dre triage followups add orders --owner <person> --incident triage/orders") {
		t.Errorf("postmortem lacks the finding, the ack or how to keep follow-ups:\n%s", tl.Postmortem)
	}
	if len(h.postsContaining("time to resolve 40m0s")) != 1 {
		t.Error("no summary with the time to resolve was posted")
	}
}

func TestTriageSecondReportJoinsWithoutRepaging(t *testing.T) {
	h := newTriageHarness(t)
	in := ordersIncident(2)
	// Signal-with-start delivers the first report again, as a signal.
	h.at(0, func() { h.env.SignalWorkflow(TriageReportSignal, in.Report) })
	h.at(time.Minute, func() {
		h.env.SignalWorkflow(TriageReportSignal, TriageReport{Reporter: "U0CAROL", Severity: 3, Description: "dashboards empty", ReportedAt: triageStart.Add(time.Minute)})
	})
	h.at(5*time.Minute, func() { h.mustUpdate(TriageResolveUpdate, TriageAction{By: "U0ALICE"}) })
	tl := h.run(in)

	if !slices.Equal(tl.Reporters, []string{"U0ALICE", "U0CAROL"}) || tl.Severity != 2 {
		t.Errorf("reporters %v at sev%d, want [U0ALICE U0CAROL] at sev2", tl.Reporters, tl.Severity)
	}
	if triggers, _ := h.triggers(); len(triggers) != 1 {
		t.Errorf("%d triggers, want 1: a milder report does not re-page", len(triggers))
	}
	if len(h.postsContaining("also reported")) != 1 {
		t.Error("the second reporter was not announced in the thread exactly once")
	}
}

func TestTriageRaisedSeverityRepages(t *testing.T) {
	h := newTriageHarness(t)
	h.at(time.Minute, func() {
		h.env.SignalWorkflow(TriageReportSignal, TriageReport{Reporter: "pagerduty", Severity: 1, ReportedAt: triageStart.Add(time.Minute)})
	})
	h.at(3*time.Minute, func() { h.mustUpdate(TriageResolveUpdate, TriageAction{By: "U0ALICE"}) })
	tl := h.run(ordersIncident(2))

	triggers, _ := h.triggers()
	if len(triggers) != 2 || triggers[1].Severity != "critical" || triggers[1].DedupKey != "triage/orders" {
		t.Errorf("triggers = %+v, want a second, critical page with the same dedup key", triggers)
	}
	if tl.Severity != 1 {
		t.Errorf("severity = %d, want 1", tl.Severity)
	}
}

func TestTriageSev3NotifiesWithoutPaging(t *testing.T) {
	h := newTriageHarness(t)
	h.at(2*time.Hour, func() { h.mustUpdate(TriageResolveUpdate, TriageAction{By: "U0ALICE"}) })
	tl := h.run(ordersIncident(3))
	if len(h.pages) != 0 || tl.Escalations != 0 {
		t.Errorf("sev3 sent %d PagerDuty events and escalated %d times, want none", len(h.pages), tl.Escalations)
	}
	if len(h.incidents) != 2 || !strings.Contains(h.incidents[0].Text, "*sev3 incident on orders*") {
		t.Error("sev3 opening message not posted")
	}
}

func TestTriageInvalidSeverityIsRejected(t *testing.T) {
	h := newTriageHarness(t)
	h.env.ExecuteWorkflow(Triage, ordersIncident(7))
	var appErr *temporal.ApplicationError
	if err := h.env.GetWorkflowError(); !errors.As(err, &appErr) || appErr.Type() != ErrInvalidInput {
		t.Errorf("error = %v, want %s", err, ErrInvalidInput)
	}
}
