package workflows

import (
	"fmt"
	"strings"

	"go.temporal.io/sdk/workflow"

	"github.com/dre-dev/dre/activities"
)

// open publishes the incident: search attributes, then the opening
// message, whose ts becomes the thread for everything else.
func (t *triage) open(ctx workflow.Context) error {
	r := t.in.Report
	t.record(ctx, "opened", r.Reporter, fmt.Sprintf("sev%d: %s", t.severity, r.Description))
	t.meterOpened(ctx)
	if err := t.publishStatus(ctx); err != nil {
		return err
	}
	t.threadTS = t.sendIncident(ctx).TS
	return nil
}

// statusChanged publishes a new status or severity: search attributes,
// and the incident message, which Slack updates in place.
func (t *triage) statusChanged(ctx workflow.Context) {
	if err := t.publishStatus(ctx); err != nil {
		workflow.GetLogger(ctx).Warn("triage: search attributes not updated", "error", err)
	}
	if t.threadTS != "" {
		t.sendIncident(ctx)
	}
}

// sendIncident posts the incident's Block Kit message, or updates it once
// posted. Like every Slack call here, a failure is logged, not fatal.
func (t *triage) sendIncident(ctx workflow.Context) activities.SlackPosted {
	if t.channel == "" {
		workflow.GetLogger(ctx).Warn("triage: no Slack channel; set owner.slack_channel in the catalog", "dataset", t.in.Dataset.Name)
		return activities.SlackPosted{}
	}
	m := activities.IncidentMessage{
		Channel: t.channel, TS: t.threadTS, Text: t.openingText(), Status: t.status, WorkflowID: t.id,
		RunURL: t.in.RunURL, Resolved: t.status == TriageResolved, HasRunbook: t.in.Runbook != nil,
	}
	var n *activities.Notify
	var posted activities.SlackPosted
	err := workflow.ExecuteActivity(notifyOptions(ctx, "incident message in "+t.channel), n.PostIncident, m).Get(ctx, &posted)
	if err != nil {
		workflow.GetLogger(ctx).Warn("triage: incident message failed", "channel", t.channel, "error", err)
		t.record(ctx, "slack-failed", "", err.Error())
	}
	return posted
}

// openingText is the incident's top-level message.
func (t *triage) openingText() string {
	ds, r := t.in.Dataset, t.in.Report
	var b strings.Builder
	appendf(&b, ":rotating_light: *sev%d incident on %s* (`%s`), reported by %s", t.severity, ds.Name, ds.Table, slackMention(r.Reporter))
	if r.Description != "" {
		appendf(&b, ": %s", r.Description)
	}
	appendf(&b, "\nOwner: %s · Reporters: %s", orNoneText(ds.Owner.Team), strings.Join(t.reporters, ", "))
	b.WriteString("\nDiagnosis, paging and the timeline follow in this thread.")
	return b.String()
}

// post adds a message to the incident's thread.
func (t *triage) post(ctx workflow.Context, text string) {
	t.send(ctx, activities.SlackMessage{Channel: t.channel, Text: text, ThreadTS: t.threadTS})
}

// send posts to Slack. A failure is logged and recorded, never fatal: an
// incident without Slack still pages and escalates.
func (t *triage) send(ctx workflow.Context, m activities.SlackMessage) activities.SlackPosted {
	if m.Channel == "" {
		workflow.GetLogger(ctx).Warn("triage: no Slack channel; set owner.slack_channel in the catalog", "dataset", t.in.Dataset.Name)
		return activities.SlackPosted{}
	}
	posted, err := sendSlack(ctx, "post to "+m.Channel, m)
	if err != nil {
		workflow.GetLogger(ctx).Warn("triage: Slack post failed", "channel", m.Channel, "error", err)
		t.record(ctx, "slack-failed", "", err.Error())
	}
	return posted
}

// pageIfDue triggers PagerDuty when the severity pages, and starts the
// escalation clock while nobody has acknowledged.
func (t *triage) pageIfDue(ctx workflow.Context, why string) {
	if t.policy.pages(t.severity) {
		t.trigger(ctx, why)
	}
	t.armEscalation(ctx)
}

// trigger sends a PagerDuty trigger with the workflow ID as dedup key, so
// that a re-page updates the same PagerDuty incident.
func (t *triage) trigger(ctx workflow.Context, why string) {
	ds := t.in.Dataset
	req := activities.PageRequest{
		DedupKey: t.id, Summary: fmt.Sprintf("sev%d %s (%s): %s", t.severity, ds.Name, ds.Table, t.in.Report.Description),
		Source: "dre/" + ds.Name, Severity: pagerDutySeverity(t.severity),
		Details: map[string]any{"workflowId": t.id, "reason": why, "reporters": strings.Join(t.reporters, ", ")},
	}
	if t.sendPage(ctx, req) {
		t.pages++
		t.record(ctx, "paged", "", why)
		t.post(ctx, fmt.Sprintf(":pager: Paged on-call (sev%d, %s).", t.severity, why))
	}
}

// pageAction sends acknowledge or resolve for the incident's dedup key.
func (t *triage) pageAction(ctx workflow.Context, action string) {
	t.sendPage(ctx, activities.PageRequest{Action: action, DedupKey: t.id, Summary: t.in.Dataset.Name})
}

// sendPage reports whether PagerDuty took the event; failures are
// recorded and the Slack thread says so, because a page that silently did
// not go out is the worst outcome.
func (t *triage) sendPage(ctx workflow.Context, req activities.PageRequest) bool {
	var n *activities.Notify
	var res activities.PageResult
	err := workflow.ExecuteActivity(notifyOptions(ctx, "PagerDuty "+orText(req.Action, "trigger")), n.Page, req).Get(ctx, &res)
	if err == nil && !res.Sent {
		err = fmt.Errorf("%s", res.Reason)
	}
	if err != nil {
		t.record(ctx, "page-failed", "", err.Error())
		t.post(ctx, ":warning: PagerDuty "+orText(req.Action, "trigger")+" failed: "+err.Error())
		return false
	}
	return true
}

// publishStatus writes the search attributes and the run's current details.
func (t *triage) publishStatus(ctx workflow.Context) error {
	workflow.SetCurrentDetails(ctx, fmt.Sprintf("sev%d %s: %s", t.severity, t.in.Dataset.Name, t.status))
	return workflow.UpsertTypedSearchAttributes(ctx,
		KindKey.ValueSet(KindTriage), DatasetKey.ValueSet(t.in.Dataset.Name),
		SeverityKey.ValueSet(int64(t.severity)), StatusKey.ValueSet(t.status),
		RequesterKey.ValueSet(t.in.Report.Reporter))
}

// pagerDutySeverity maps sev1..4 to PagerDuty's severities.
func pagerDutySeverity(sev int) string {
	switch sev {
	case 1:
		return "critical"
	case 2:
		return "error"
	case 3:
		return "warning"
	}
	return "info"
}
