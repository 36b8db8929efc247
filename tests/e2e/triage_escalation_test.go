package e2e

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/dre-dev/dre/activities"
	"github.com/dre-dev/dre/workflows"
)

// TestTriageEscalationReachesTheSecondLevel: an unacknowledged sev1 runs
// its escalation steps over real HTTP with the real go-pagerduty and
// slack-go clients. PagerDuty deduplicates triggers, so only the REST
// escalation reaches the second level, exactly once; the third step
// pages another service. The Ack button stops the escalation,
// acknowledges both pages and replaces itself with who acknowledged.
func TestTriageEscalationReachesTheSecondLevel(t *testing.T) {
	policy := workflows.TriagePolicy{Steps: []workflows.EscalationStep{
		{After: time.Second, EscalatePagerDuty: true, Mention: []string{"<@U0SECOND>"}},
		{After: time.Second, Mention: []string{"<!subteam^S0LEADS>"}},
		{After: time.Second, PageService: "platform"},
	}}
	s := startTriageStackWith(t, "escalation", "dre-e2e-escalation", policy)
	id := workflows.TriageWorkflowID("orders")
	form := "application/x-www-form-urlencoded"
	if st := postSigned(t, s.gateway+"/slack/commands", form, slashCommand("triage orders sev1 revenue dashboard empty", "t-esc"), slackSigner(triageSlackSecret)); st != http.StatusOK {
		t.Fatalf("signed command: %d", st)
	}
	eventually(t, "the third step's page of the platform service", func() bool { return slackSaid(s.slack, "Paged PagerDuty service platform") })

	if n := s.pd.NotifiedAtLevel(2); n != 1 {
		t.Errorf("the second level was notified %d times, want exactly once (by the REST escalation)", n)
	}
	if n := s.pd.Count("trigger"); n != 2 {
		t.Errorf("%d triggers, want 2: the page and the platform page", n)
	}
	incidents := s.pd.Incidents()
	if len(incidents) != 2 || incidents[0].Key != id || incidents[0].Level != 2 || incidents[1].Key != id+"/platform" {
		t.Fatalf("PagerDuty incidents %+v, want the page at level 2 and the platform page", incidents)
	}
	if !slackSaid(s.slack, "<@U0SECOND> Escalation 1/3") || !slackSaid(s.slack, "<!subteam^S0LEADS> Escalation 2/3") {
		t.Errorf("want each step's mention in the thread")
	}
	tl := triageTimeline(t, id)
	if tl.Escalations != 3 || !tl.NextEscalationAt.IsZero() {
		t.Fatalf("%d escalations, next at %v; want 3 and none pending: the steps ran once", tl.Escalations, tl.NextEscalationAt)
	}

	click := url.Values{"payload": {fmt.Sprintf(`{"type":"block_actions","user":{"id":"U0ONCALL"},"actions":[{"block_id":"b","action_id":%q,"value":%q}]}`,
		activities.TriageButtonAck, id)}}.Encode()
	if st := postSigned(t, s.gateway+"/slack/interactions", form, click, slackSigner(triageSlackSecret)); st != http.StatusOK {
		t.Fatalf("Ack button: %d", st)
	}
	eventually(t, "both PagerDuty incidents acknowledged", func() bool {
		for _, inc := range s.pd.Incidents() {
			if inc.Status != "acknowledged" {
				return false
			}
		}
		return true
	})
	msg, ok := s.slack.Message(tl.Channel, tl.ThreadTS)
	if !ok || strings.Contains(msg.Blocks, activities.TriageButtonAck) || !strings.Contains(msg.Blocks, "Acknowledged by") {
		t.Errorf("incident message %+v; want the Ack button replaced by who acknowledged", msg)
	}
	resolveIncident(t, s, id)
	if n := s.pd.NotifiedAtLevel(2); n != 1 {
		t.Errorf("the second level was notified %d times in all, want exactly once", n)
	}
	recordHistory(t, id, "triage-escalation-steps.json")
}

// TestTriageAckStopsEscalationSteps: an ack before the first step's
// deadline leaves no escalation pending and nobody past the first level
// notified.
func TestTriageAckStopsEscalationSteps(t *testing.T) {
	policy := workflows.TriagePolicy{Steps: []workflows.EscalationStep{{After: time.Hour, EscalatePagerDuty: true}}}
	s := startTriageStackWith(t, "escalation_ack", "dre-e2e-escalation-ack", policy)
	id := workflows.TriageWorkflowID("orders")
	form := "application/x-www-form-urlencoded"
	if st := postSigned(t, s.gateway+"/slack/commands", form, slashCommand("triage orders sev1 late", "t-ack"), slackSigner(triageSlackSecret)); st != http.StatusOK {
		t.Fatalf("signed command: %d", st)
	}
	eventually(t, "the page and the escalation deadline", func() bool {
		return s.pd.NotifiedAtLevel(1) == 1 && !triageTimeline(t, id).NextEscalationAt.IsZero()
	})
	ack := fmt.Sprintf(`{"event":{"id":"EV-ACK-ESC","event_type":"incident.acknowledged","occurred_at":%q,"agent":{"summary":"Oncall Ana"},"data":{"id":"PINC1","incident_key":%q,"service":{"id":"PCOMMERCE"}}}}`,
		time.Now().UTC().Format(time.RFC3339), id)
	if st := postSigned(t, s.gateway+"/pagerduty/webhook", "application/json", ack, pagerDutySigner(triagePDSecret)); st != http.StatusOK {
		t.Fatalf("PagerDuty ack webhook: %d", st)
	}
	eventually(t, "the ack to reach the workflow", func() bool { return triageStatus(t, id) == workflows.TriageAcknowledged })
	if tl := triageTimeline(t, id); !tl.NextEscalationAt.IsZero() || tl.Escalations != 0 {
		t.Fatalf("after the ack: next escalation at %v, %d escalations; want none pending", tl.NextEscalationAt, tl.Escalations)
	}
	resolveIncident(t, s, id)
	if n := s.pd.NotifiedAtLevel(2); n != 0 {
		t.Errorf("the second level was notified %d times, want never", n)
	}
}

// resolveIncident clicks Resolve and waits for the incident to close.
func resolveIncident(t *testing.T, s *triageStack, id string) {
	t.Helper()
	click := url.Values{"payload": {fmt.Sprintf(`{"type":"block_actions","user":{"id":"U0ONCALL"},"actions":[{"block_id":"b","action_id":%q,"value":%q}]}`,
		activities.TriageButtonResolve, id)}}.Encode()
	if st := postSigned(t, s.gateway+"/slack/interactions", "application/x-www-form-urlencoded", click, slackSigner(triageSlackSecret)); st != http.StatusOK {
		t.Fatalf("Resolve button: %d", st)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var tl workflows.TriageTimeline
	if err := env.Client.GetWorkflow(ctx, id, "").Get(ctx, &tl); err != nil || tl.Status != workflows.TriageResolved {
		t.Fatalf("incident %s: %v, status %q; want resolved", id, err, tl.Status)
	}
}

// triageTimeline reads the incident through its timeline query.
func triageTimeline(t *testing.T, id string) workflows.TriageTimeline {
	t.Helper()
	var tl workflows.TriageTimeline
	v, err := env.Client.QueryWorkflow(context.Background(), id, "", workflows.TriageTimelineQuery)
	if err == nil {
		err = v.Get(&tl)
	}
	if err != nil {
		return workflows.TriageTimeline{}
	}
	return tl
}
