package workflows

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/dre-dev/dre/activities"
)

// EscalationStep is one step of an escalation policy (dre.yaml
// triage.*.escalation.steps).
type EscalationStep struct {
	// After is the wait since the previous step (the first: since the
	// page) without an ack; 0 means the severity's EscalateAfter.
	After time.Duration `json:"after,omitempty"`
	// Mention is who the step mentions in the thread, in Slack markup
	// ("<@U0123>", "<!subteam^S0123>", "<!here>").
	Mention []string `json:"mention,omitempty"`
	// EscalatePagerDuty moves the PagerDuty incident to PagerDutyLevel,
	// or when that is 0 to the level after the last one a step moved it
	// to (starting from 1, the level paged first).
	EscalatePagerDuty bool `json:"escalatePagerDuty,omitempty"`
	PagerDutyLevel    int  `json:"pagerDutyLevel,omitempty"`
	// PageService pages another PagerDuty service by its name under
	// pagerduty.services (the worker holds its routing key).
	PageService string `json:"pageService,omitempty"`
}

// triageEscalationStepsChange is the GetVersion ID of escalation steps;
// a run recorded before them replays the default escalation.
const triageEscalationStepsChange = "triage-escalation-steps"

// usesSteps reports whether this incident escalates by steps. Only inputs
// with steps ask, so runs without them record no marker.
func (t *triage) usesSteps(ctx workflow.Context) bool {
	return len(t.policy.Steps) > 0 &&
		workflow.GetVersion(ctx, triageEscalationStepsChange, workflow.DefaultVersion, 1) >= 1
}

// totalEscalations is how many escalations the policy allows.
func (t *triage) totalEscalations(ctx workflow.Context) int {
	if t.usesSteps(ctx) {
		return len(t.policy.Steps) * (1 + t.policy.Repeat)
	}
	return t.policy.MaxEscalations
}

// nextStep is the step the next escalation runs.
func (t *triage) nextStep() EscalationStep {
	return t.policy.Steps[t.escalations%len(t.policy.Steps)]
}

// escalationDelay is the wait before the next escalation.
func (t *triage) escalationDelay(ctx workflow.Context) time.Duration {
	after := t.policy.escalateAfter(t.severity)
	if after > 0 && t.usesSteps(ctx) && t.nextStep().After > 0 {
		return t.nextStep().After
	}
	return after
}

// runStep runs the next escalation step: one thread message with its
// mentions, then the PagerDuty escalation and the other service's page.
func (t *triage) runStep(ctx workflow.Context, by, why string) {
	step := t.nextStep()
	t.escalations++
	total := t.totalEscalations(ctx)
	t.record(ctx, "escalated", by, fmt.Sprintf("step %d/%d: %s", t.escalations, total, why))
	mention := strings.Join(step.Mention, " ")
	t.post(ctx, strings.TrimSpace(fmt.Sprintf(":rotating_light: %s Escalation %d/%d of this sev%d incident: %s.",
		mention, t.escalations, total, t.severity, why)))
	if step.EscalatePagerDuty {
		t.escalatePagerDuty(ctx, step)
	}
	if step.PageService != "" {
		t.pageService(ctx, step.PageService, why)
	}
	t.armEscalation(ctx)
}

// escalatePagerDuty moves the incident's PagerDuty incident to the step's
// level through the REST API: a re-trigger would notify nobody new.
func (t *triage) escalatePagerDuty(ctx workflow.Context, step EscalationStep) {
	if t.pages == 0 {
		t.post(ctx, fmt.Sprintf(":information_source: No PagerDuty incident to escalate: dre has not paged for this sev%d incident.", t.severity))
		return
	}
	level := step.PagerDutyLevel
	if level == 0 {
		level = max(t.pagerDutyLevel, 1) + 1
	}
	var n *activities.Notify
	var res activities.EscalateResult
	req := activities.EscalateRequest{DedupKey: t.id, Level: level}
	err := workflow.ExecuteActivity(notifyOptions(ctx, fmt.Sprintf("PagerDuty escalation to level %d", level)), n.EscalatePagerDuty, req).Get(ctx, &res)
	switch {
	case err != nil:
		t.record(ctx, "page-failed", "", err.Error())
		t.post(ctx, ":warning: PagerDuty escalation failed: "+err.Error())
	case !res.Sent:
		t.record(ctx, "page-failed", "", res.Reason)
		t.post(ctx, ":warning: PagerDuty not escalated: "+res.Reason)
	default:
		t.pagerDutyLevel = res.Level
		t.record(ctx, "paged", "", fmt.Sprintf("PagerDuty incident %s escalated to level %d", res.IncidentID, res.Level))
		t.post(ctx, fmt.Sprintf(":pager: PagerDuty incident escalated to level %d.", res.Level))
	}
}

// pageService pages another PagerDuty service, under its own dedup key so
// that the ack and the resolution reach it too.
func (t *triage) pageService(ctx workflow.Context, service, why string) {
	ds := t.in.Dataset
	req := activities.PageRequest{
		Service: service, DedupKey: t.serviceDedupKey(service), Source: "dre/" + ds.Name, Severity: pagerDutySeverity(t.severity),
		Summary: fmt.Sprintf("sev%d %s (%s), escalated: %s", t.severity, ds.Name, ds.Table, t.in.Report.Description),
		Details: map[string]any{"workflowId": t.id, "reason": why},
	}
	if t.sendPage(ctx, req) {
		if !slices.Contains(t.servicesPaged, service) {
			t.servicesPaged = append(t.servicesPaged, service)
		}
		t.record(ctx, "paged", "", "service "+service+": "+why)
		t.post(ctx, fmt.Sprintf(":pager: Paged PagerDuty service %s.", service))
	}
}

// serviceDedupKey is the dedup key of the incident on another service.
func (t *triage) serviceDedupKey(service string) string { return t.id + "/" + service }

// servicesAction acknowledges or resolves the other services' pages.
func (t *triage) servicesAction(ctx workflow.Context, action string) {
	for _, s := range t.servicesPaged {
		t.sendPage(ctx, activities.PageRequest{Service: s, Action: action, DedupKey: t.serviceDedupKey(s), Summary: t.in.Dataset.Name})
	}
}
