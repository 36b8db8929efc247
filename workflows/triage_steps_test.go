package workflows

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/dre-dev/dre/activities"
)

// escalatedAt lists when the timeline says the incident escalated.
func escalatedAt(tl TriageTimeline) []time.Duration {
	var at []time.Duration
	for _, e := range tl.Events {
		if e.Kind == "escalated" {
			at = append(at, e.At.Sub(triageStart))
		}
	}
	return at
}

func TestTriageEscalationStepsRunInOrder(t *testing.T) {
	h := newTriageHarness(t)
	in := ordersIncident(1)
	in.Policy = TriagePolicy{Steps: []EscalationStep{
		{After: 5 * time.Minute, Mention: []string{"<@U0SECOND>"}},
		{After: 10 * time.Minute, EscalatePagerDuty: true},
		{After: 10 * time.Minute, PageService: "platform"},
	}}
	h.at(time.Hour, func() { h.mustUpdate(TriageAckUpdate, TriageAction{By: "U0BOB"}) })
	h.at(2*time.Hour, func() { h.mustUpdate(TriageResolveUpdate, TriageAction{By: "U0BOB"}) })
	tl := h.run(in)

	if at := escalatedAt(tl); !slices.Equal(at, []time.Duration{5 * time.Minute, 15 * time.Minute, 25 * time.Minute}) {
		t.Errorf("escalated at %v, want [5m 15m 25m]: each step after the previous one, then no more", at)
	}
	if len(h.postsContaining("<@U0SECOND> Escalation 1/3")) != 1 {
		t.Errorf("want one mention of U0SECOND by the first step")
	}
	if len(h.escalations) != 1 || h.escalations[0].Level != 2 || h.escalations[0].DedupKey != TriageWorkflowID("orders") {
		t.Errorf("PagerDuty escalations %+v, want one to level 2 of the incident's key", h.escalations)
	}
	triggers, actions := h.triggers()
	var services []string
	for _, p := range triggers {
		services = append(services, p.Service)
	}
	if !slices.Equal(services, []string{"", "platform"}) {
		t.Errorf("triggers on services %q, want the page and the platform page only: a re-trigger notifies nobody", services)
	}
	if !slices.Equal(actions, []string{"acknowledge", "acknowledge", "resolve", "resolve"}) {
		t.Errorf("PagerDuty actions %v, want both pages acknowledged, then both resolved", actions)
	}
}

func TestTriageEscalationStepsStopAtAck(t *testing.T) {
	h := newTriageHarness(t)
	in := ordersIncident(1)
	in.Policy = TriagePolicy{Steps: []EscalationStep{{Mention: []string{"<!here>"}}, {EscalatePagerDuty: true}}}
	h.at(7*time.Minute, func() { h.mustUpdate(TriageAckUpdate, TriageAction{By: "pagerduty:Jane Doe"}) })
	h.at(time.Hour, func() { h.mustUpdate(TriageResolveUpdate, TriageAction{By: "U0BOB"}) })
	tl := h.run(in)

	if at := escalatedAt(tl); !slices.Equal(at, []time.Duration{5 * time.Minute}) {
		t.Errorf("escalated at %v, want only [5m]: the first step at sev1's escalate_after, none after the ack", at)
	}
	if len(h.escalations) != 0 {
		t.Errorf("PagerDuty escalated %d times after the ack, want none", len(h.escalations))
	}
}

func TestTriageEscalationStepsRepeatToTheNextLevels(t *testing.T) {
	h := newTriageHarness(t)
	in := ordersIncident(2) // sev2: escalate_after 15m
	in.Policy = TriagePolicy{Steps: []EscalationStep{{EscalatePagerDuty: true}}, Repeat: 1}
	h.at(3*time.Hour, func() { h.mustUpdate(TriageResolveUpdate, TriageAction{By: "U0BOB"}) })
	tl := h.run(in)

	if at := escalatedAt(tl); !slices.Equal(at, []time.Duration{15 * time.Minute, 30 * time.Minute}) {
		t.Errorf("escalated at %v, want [15m 30m]: one step, run twice", at)
	}
	var levels []int
	for _, e := range h.escalations {
		levels = append(levels, e.Level)
	}
	if !slices.Equal(levels, []int{2, 3}) {
		t.Errorf("escalated to levels %v, want [2 3]", levels)
	}
}

func TestTriageEscalationStepsSkipSeveritiesThatNeverEscalate(t *testing.T) {
	h := newTriageHarness(t)
	in := ordersIncident(3) // sev3 never escalates by default
	in.Policy = TriagePolicy{Steps: []EscalationStep{{After: time.Minute, Mention: []string{"<!here>"}}}}
	h.at(time.Hour, func() { h.mustUpdate(TriageResolveUpdate, TriageAction{By: "U0BOB"}) })
	if tl := h.run(in); tl.Escalations != 0 {
		t.Errorf("%d escalations of a sev3, want none", tl.Escalations)
	}
}

func TestTriageMessageShowsDecisionsInPlaceOfButtons(t *testing.T) {
	h := newTriageHarness(t)
	h.at(7*time.Minute, func() { h.mustUpdate(TriageAckUpdate, TriageAction{By: "U0BOB"}) })
	h.at(time.Hour, func() { h.mustUpdate(TriageResolveUpdate, TriageAction{By: "U0CAROL"}) })
	h.run(ordersIncident(2))

	var acked, resolved *activities.IncidentMessage
	for i, m := range h.incidents {
		if m.Acknowledged && !m.Resolved && acked == nil {
			acked = &h.incidents[i]
		}
		if m.Resolved {
			resolved = &h.incidents[i]
		}
	}
	if acked == nil || len(acked.Decisions) != 1 || !strings.Contains(acked.Decisions[0], "Acknowledged by <@U0BOB> at") ||
		!strings.Contains(acked.Decisions[0], "2026-11-23 09:07 UTC") {
		t.Fatalf("message after the ack %+v, want the Ack button replaced by who acknowledged and when", acked)
	}
	if resolved == nil || len(resolved.Decisions) != 2 || !strings.Contains(resolved.Decisions[1], "Resolved by <@U0CAROL>") {
		t.Fatalf("message after the resolution %+v, want both decisions", resolved)
	}
}
