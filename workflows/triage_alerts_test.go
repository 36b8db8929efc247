package workflows

import (
	"strings"
	"testing"
	"time"
)

// alertReport is a report made by an Alertmanager alert.
func alertReport(fingerprint, status string, at time.Time) TriageReport {
	return TriageReport{
		Reporter: "alertmanager", Severity: 3, Description: "FreshnessSLO on orders", Source: "alert", ReportedAt: at,
		Alerts: []TriageAlert{{Source: "alertmanager", Fingerprint: fingerprint, Name: "FreshnessSLO", Status: status, StartsAt: at}},
	}
}

func alertIncident() TriageInput {
	in := ordersIncident(3)
	in.Report = alertReport("aaaa", AlertFiring, triageStart)
	return in
}

func TestTriageListsEveryAlertOnceAndRecordsResolves(t *testing.T) {
	h := newTriageHarness(t)
	in := alertIncident()
	h.at(0, func() { h.env.SignalWorkflow(TriageReportSignal, in.Report) }) // signal-with-start's copy
	h.at(time.Minute, func() { h.env.SignalWorkflow(TriageReportSignal, alertReport("bbbb", AlertFiring, triageStart)) })
	h.at(2*time.Minute, func() { h.env.SignalWorkflow(TriageReportSignal, alertReport("bbbb", AlertFiring, triageStart)) })
	h.at(3*time.Minute, func() { h.env.SignalWorkflow(TriageReportSignal, alertReport("aaaa", AlertResolved, triageStart)) })
	h.at(4*time.Minute, func() { h.env.SignalWorkflow(TriageReportSignal, alertReport("bbbb", AlertResolved, triageStart)) })
	h.at(10*time.Minute, func() { h.mustUpdate(TriageResolveUpdate, TriageAction{By: "U0ALICE"}) })
	tl := h.run(in)

	if len(tl.Alerts) != 2 || tl.Alerts[0].Status != AlertResolved || tl.Alerts[1].Status != AlertResolved {
		t.Fatalf("alerts %+v, want aaaa and bbbb, both resolved", tl.Alerts)
	}
	if n := len(h.postsContaining("also reported")); n != 1 {
		t.Errorf("%d 'also reported' posts, want 1: a repeat of bbbb is not a new report", n)
	}
	if len(h.postsContaining("resolved at their source")) != 1 {
		t.Error("the thread was not told once that every alert resolved")
	}
	if tl.ResolvedBy != "U0ALICE" {
		t.Errorf("resolved by %q, want U0ALICE: without the policy a human resolves", tl.ResolvedBy)
	}
	if got := countEvents(tl, "alert-resolved"); got != 2 {
		t.Errorf("%d alert-resolved events, want 2", got)
	}
}

func TestTriageResolvesWithAlertsByPolicy(t *testing.T) {
	h := newTriageHarness(t)
	in := alertIncident()
	in.Policy.ResolveWithAlerts = true
	h.at(time.Minute, func() { h.env.SignalWorkflow(TriageReportSignal, alertReport("aaaa", AlertResolved, triageStart)) })
	tl := h.run(in)

	if tl.Status != TriageResolved || tl.ResolvedBy != "alerts" {
		t.Errorf("status %s by %q, want resolved by alerts", tl.Status, tl.ResolvedBy)
	}
}

func TestTriageTakesAlertsThatArriveTogether(t *testing.T) {
	h := newTriageHarness(t)
	in := alertIncident()
	batch := alertReport("bbbb", AlertFiring, triageStart.Add(time.Minute))
	batch.Alerts = append(batch.Alerts, in.Report.Alerts[0], TriageAlert{Source: "alertmanager", Fingerprint: "cccc", Name: "VolumeDrop", Summary: "no rows", Status: AlertFiring})
	h.at(time.Minute, func() { h.env.SignalWorkflow(TriageReportSignal, batch) })
	h.at(10*time.Minute, func() { h.mustUpdate(TriageResolveUpdate, TriageAction{By: "U0ALICE"}) })
	tl := h.run(in)

	if len(tl.Alerts) != 3 {
		t.Fatalf("alerts %+v, want aaaa, bbbb and cccc", tl.Alerts)
	}
	posts := h.postsContaining("also reported")
	if len(posts) != 1 || !strings.Contains(posts[0].Text, "VolumeDrop: no rows") || strings.Count(posts[0].Text, "FreshnessSLO") != 1 {
		t.Errorf("posts %+v, want one naming the two new alerts only", posts)
	}
}

func TestTriageIgnoresMalformedAlerts(t *testing.T) {
	h := newTriageHarness(t)
	in := alertIncident()
	bad := alertReport("", AlertFiring, triageStart.Add(time.Minute))
	h.at(time.Minute, func() { h.env.SignalWorkflow(TriageReportSignal, bad) })
	h.at(2*time.Minute, func() { h.env.SignalWorkflow(TriageReportSignal, alertReport("dddd", "pending", triageStart)) })
	h.at(10*time.Minute, func() { h.mustUpdate(TriageResolveUpdate, TriageAction{By: "U0ALICE"}) })
	tl := h.run(in)
	if len(tl.Alerts) != 1 || countEvents(tl, "reported") != 0 {
		t.Errorf("alerts %+v and %d reports, want only the opening alert", tl.Alerts, countEvents(tl, "reported"))
	}

	h = newTriageHarness(t)
	in.Report.Alerts[0].Status = "pending"
	h.env.ExecuteWorkflow(Triage, in)
	if err := h.env.GetWorkflowError(); err == nil || !strings.Contains(err.Error(), "status of firing or resolved") {
		t.Errorf("an opening alert without a status: %v", err)
	}
}

func countEvents(tl TriageTimeline, kind string) int {
	n := 0
	for _, e := range tl.Events {
		if e.Kind == kind {
			n++
		}
	}
	return n
}

// An alert on a downstream dataset that the gateway joined to this
// incident is listed with the dataset it concerns, and the timeline names
// the downstream and this incident's dataset as the suspected cause.
func TestTriageNamesTheDownstreamOfAJoinedAlert(t *testing.T) {
	h := newTriageHarness(t)
	in := alertIncident()
	downstream := alertReport("dddd", AlertFiring, triageStart.Add(time.Minute))
	downstream.Alerts[0].Name, downstream.Alerts[0].Summary = "VolumeDrop", "no rows today"
	downstream.Alerts[0].Dataset, downstream.Alerts[0].SuspectedCause = "orders_daily", "orders"
	h.at(time.Minute, func() { h.env.SignalWorkflow(TriageReportSignal, downstream) })
	h.at(10*time.Minute, func() { h.mustUpdate(TriageResolveUpdate, TriageAction{By: "U0ALICE"}) })
	tl := h.run(in)

	if len(tl.Alerts) != 2 || tl.Alerts[1].Dataset != "orders_daily" {
		t.Fatalf("alerts %+v; want the incident's own and the downstream's, marked orders_daily", tl.Alerts)
	}
	want := "VolumeDrop on downstream orders_daily (suspected cause: upstream orders): no rows today"
	named := false
	for _, e := range tl.Events {
		named = named || (e.Kind == "reported" && strings.Contains(e.Text, want))
	}
	if !named {
		t.Errorf("timeline %+v; want a report naming %q", tl.Events, want)
	}
}
