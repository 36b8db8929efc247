package workflows

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/dre-dev/dre/activities"
	"github.com/dre-dev/dre/internal/catalog"
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
		Acknowledged: !t.ackedAt.IsZero(), Decisions: t.decisions(), CanBackfill: t.canBackfill(),
		CanCommand: t.room.channel != "",
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
		appendf(&b, ": %s", activities.SlackEscape(r.Description))
	}
	appendf(&b, "\nOwner: %s · Reporters: %s", orNoneText(ds.Owner.Team), activities.SlackEscape(strings.Join(t.reporters, ", ")))
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

// diagnosisOptions gives each check two minutes and a few attempts: a
// diagnosis that cannot reach the warehouse says so rather than hold up
// the incident.
func diagnosisOptions(ctx workflow.Context, check string) workflow.Context {
	return workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 2 * time.Minute,
		RetryPolicy:         &temporal.RetryPolicy{InitialInterval: time.Second, MaximumAttempts: 3},
		Summary:             "diagnose " + check,
	})
}

// diagnosisChecks maps each check to its activity.
func diagnosisChecks() []struct {
	name string
	run  any
} {
	var d *activities.Diagnosis
	return []struct {
		name string
		run  any
	}{
		{activities.CheckFreshness, d.DiagnoseFreshness},
		{activities.CheckVolume, d.DiagnoseVolume},
		{activities.CheckNulls, d.DiagnoseNulls},
		{activities.CheckSchema, d.DiagnoseSchema},
		{activities.CheckDuplicates, d.DiagnoseDuplicates},
	}
}

// startDiagnosis runs every check at once; each posts its finding to the
// thread as soon as it arrives, so the first answer does not wait for the
// slowest query.
func (t *triage) startDiagnosis(ctx workflow.Context) {
	in := diagnoseInput(t.in.Dataset, t.policy)
	for _, c := range diagnosisChecksOf(ctx) {
		workflow.Go(ctx, func(ctx workflow.Context) {
			var f activities.Finding
			err := workflow.ExecuteActivity(diagnosisOptions(ctx, c.name), c.run, in).Get(ctx, &f)
			if err != nil {
				f = activities.Finding{Check: c.name, Table: in.Table, Problem: true, Summary: "the check failed: " + err.Error(), At: workflow.Now(ctx)}
			}
			t.addFinding(ctx, f)
		})
	}
}

// addFinding records a finding and posts it to the thread.
func (t *triage) addFinding(ctx workflow.Context, f activities.Finding) {
	t.findings = append(t.findings, f)
	t.record(ctx, "finding", "dre", f.Check+": "+f.Summary)
	if !f.Skipped {
		t.post(ctx, findingIcon(f)+" *"+f.Check+"*: "+f.Summary)
	}
	t.offerBackfill(ctx, f)
}

func findingIcon(f activities.Finding) string {
	if f.Problem {
		return ":warning:"
	}
	return ":white_check_mark:"
}

// diagnoseInput gathers what the checks need from the catalog entry.
func diagnoseInput(ds catalog.Dataset, p TriagePolicy) activities.DiagnoseInput {
	in := activities.DiagnoseInput{
		Dataset: ds.Name, Warehouse: ds.Warehouse, Table: ds.Table, FreshnessColumn: ds.FreshnessColumn,
		MaxLag: freshnessThreshold(ds), BaselineDays: p.BaselineDays, MADFactor: p.MADFactor,
		UniqueKey: p.UniqueKey, MaxNullRates: map[string]float64{},
	}
	if ds.Partition != nil {
		in.PartitionColumn, in.Granularity = ds.Partition.Column, ds.Partition.Granularity
	}
	for _, slo := range ds.SLOs {
		switch slo.Kind {
		case catalog.Volume:
			in.MinRows, in.MaxRows = slo.MinRows, slo.MaxRows
		case catalog.Completeness:
			if slo.Column != "" {
				in.MaxNullRates[slo.Column] = slo.MaxNullRate
			}
		}
	}
	in.ExpectedColumns = expectedColumns(in, ds)
	return in
}

// expectedColumns lists every column the catalog names, once, sorted.
func expectedColumns(in activities.DiagnoseInput, ds catalog.Dataset) []string {
	cols := append([]string{in.FreshnessColumn, in.PartitionColumn}, in.UniqueKey...)
	cols = append(cols, workflow.DeterministicKeys(in.MaxNullRates)...)
	cols = append(cols, workflow.DeterministicKeys(ds.PII.Columns)...)
	cols = slices.DeleteFunc(cols, func(c string) bool { return c == "" })
	slices.Sort(cols)
	return slices.Compact(cols)
}

// maxTriageRechecks bounds auto-resolve rechecks, and so the history:
// after that many, a human resolves.
const maxTriageRechecks = 1000

// autoResolveState tracks the quiet period of auto-resolve.
type autoResolveState struct {
	next       time.Time // when the next recheck is due
	quietSince time.Time // since when every recheck passed; zero if the last failed
	rechecks   int
}

// autoResolveOn reports whether rechecks are configured and still allowed.
func (t *triage) autoResolveOn() bool {
	return t.policy.AutoResolveAfter > 0 && t.autoResolve.rechecks < maxTriageRechecks && t.status != TriageResolved
}

// armRecheck schedules the first recheck, one interval after opening.
func (t *triage) armRecheck(ctx workflow.Context) {
	t.autoResolve.next = workflow.Now(ctx).Add(t.policy.RecheckEvery)
}

// recheck reruns the freshness and volume checks in parallel. The first
// pass marks the incident mitigated; passing for AutoResolveAfter resolves it.
func (t *triage) recheck(ctx workflow.Context) {
	in := diagnoseInput(t.in.Dataset, t.policy)
	var d *activities.Diagnosis
	futures := []workflow.Future{
		workflow.ExecuteActivity(diagnosisOptions(ctx, "recheck freshness"), d.DiagnoseFreshness, in),
		workflow.ExecuteActivity(diagnosisOptions(ctx, "recheck volume"), d.DiagnoseVolume, in),
	}
	passed := true
	for _, fut := range futures {
		var f activities.Finding
		if err := fut.Get(ctx, &f); err != nil || f.Problem {
			passed = false
		}
	}
	now := workflow.Now(ctx)
	t.autoResolve.rechecks++
	t.autoResolve.next = now.Add(t.policy.RecheckEvery)
	if !passed {
		t.autoResolve.quietSince = time.Time{}
		return
	}
	if t.autoResolve.quietSince.IsZero() {
		t.autoResolve.quietSince = now
		t.mitigate(ctx, "dre", "freshness and volume checks pass again")
	}
	if quiet := now.Sub(t.autoResolve.quietSince); quiet >= t.policy.AutoResolveAfter {
		t.resolve(ctx, "dre", fmt.Sprintf("checks passed for %s", quiet))
	}
}

// mitigate records the first sign of recovery.
func (t *triage) mitigate(ctx workflow.Context, by, why string) {
	if !t.mitigatedAt.IsZero() || t.status == TriageResolved {
		return
	}
	t.mitigatedAt = workflow.Now(ctx)
	t.setStatus(TriageMitigated)
	t.record(ctx, "mitigated", by, why)
	t.statusChanged(ctx)
	t.post(ctx, ":adhesive_bandage: Mitigated: "+why+".")
}

// close finishes a resolved incident: PagerDuty resolved, status
// published, summary and postmortem skeleton posted.
func (t *triage) close(ctx workflow.Context) (TriageTimeline, error) {
	t.runPending(ctx)
	if t.pages > 0 && !fromPagerDuty(t.resolvedBy) {
		t.pageAction(ctx, "resolve")
	}
	t.servicesAction(ctx, "resolve")
	t.statusChanged(ctx)
	tl := t.timeline()
	tl.Lineage = t.lineagePicture(ctx)
	tl.Postmortem = postmortem(tl)
	t.meterClosed(ctx, tl)
	t.post(ctx, summaryText(tl))
	t.toRoom(ctx, summaryText(tl))
	t.post(ctx, "```\n"+activities.SlackEscape(tl.Postmortem)+"```")
	return tl, nil
}

// timeline snapshots the incident.
func (t *triage) timeline() TriageTimeline {
	tl := TriageTimeline{
		WorkflowID: t.id, Dataset: t.in.Dataset.Name, Severity: t.severity, Status: t.status,
		Reporters: t.reporters, Channel: t.channel, ThreadTS: t.threadTS,
		DetectedAt: t.detectedAt, AcknowledgedAt: t.ackedAt, MitigatedAt: t.mitigatedAt, ResolvedAt: t.resolvedAt,
		AcknowledgedBy: t.ackedBy, ResolvedBy: t.resolvedBy,
		Pages: t.pages, Escalations: t.escalations, NextEscalationAt: t.escalateAt, Findings: t.findings, Events: t.events,
		Alerts: t.alerts, AlertsNotListed: t.alertsNotListed,
		Room: t.room.channel, RoomName: t.room.name, Commander: t.room.commander,
	}
	if !t.ackedAt.IsZero() {
		tl.TimeToAck = t.ackedAt.Sub(t.detectedAt)
	}
	if !t.resolvedAt.IsZero() {
		tl.TimeToResolve = t.resolvedAt.Sub(t.detectedAt)
	}
	return tl
}

// summaryText is the closing message of the thread.
func summaryText(tl TriageTimeline) string {
	var b strings.Builder
	appendf(&b, ":white_check_mark: *Resolved* by %s. sev%d on %s, %d page(s), %d escalation(s).\n",
		slackMention(tl.ResolvedBy), tl.Severity, tl.Dataset, tl.Pages, tl.Escalations)
	appendf(&b, "• Detected: %s\n", timelineStamp(tl.DetectedAt))
	appendf(&b, "• Acknowledged: %s%s\n", timelineStamp(tl.AcknowledgedAt), sinceDetected(tl.TimeToAck, "time to ack"))
	appendf(&b, "• Mitigated: %s\n", timelineStamp(tl.MitigatedAt))
	appendf(&b, "• Resolved: %s%s", timelineStamp(tl.ResolvedAt), sinceDetected(tl.TimeToResolve, "time to resolve"))
	return b.String()
}

// postmortem is a Markdown skeleton prefilled with what the workflow saw;
// the humans fill in the why.
func postmortem(tl TriageTimeline) string {
	var b strings.Builder
	appendf(&b, "# Postmortem: sev%d incident on %s\n\n", tl.Severity, tl.Dataset)
	appendf(&b, "- Workflow: `%s`\n- Reported by: %s\n- Acknowledged by: %s\n- Resolved by: %s\n",
		tl.WorkflowID, strings.Join(tl.Reporters, ", "), orNoneText(tl.AcknowledgedBy), orNoneText(tl.ResolvedBy))
	appendf(&b, "- Time to ack: %s\n- Time to resolve: %s\n\n", roundedDuration(tl.TimeToAck), roundedDuration(tl.TimeToResolve))
	b.WriteString("## Summary\n\n_What happened, in two sentences._\n\n## Findings\n\n")
	for _, f := range tl.Findings {
		if !f.Skipped {
			appendf(&b, "- %s **%s**: %s\n", findingIcon(f), f.Check, f.Summary)
		}
	}
	b.WriteString("\n## Timeline (UTC)\n\n| time | event | by | details |\n|---|---|---|---|\n")
	for _, e := range tl.Events {
		if e.Kind != "finding" {
			appendf(&b, "| %s | %s | %s | %s |\n", e.At.UTC().Format(time.DateTime), e.Kind, e.By, strings.ReplaceAll(e.Text, "|", "\\|"))
		}
	}
	b.WriteString("\n## Root cause\n\n_Why did it happen?_\n\n## Impact\n\n_Who and what was affected, for how long?_\n\n")
	if tl.Lineage != "" {
		// A ~~~ fence, which GitHub draws like ```, keeps the Slack copy's
		// ``` block whole.
		appendf(&b, "## Lineage\n\nTwo steps up and down from %s (dre.yaml `upstream:`):\n\n~~~mermaid\n%s~~~\n\n", tl.Dataset, tl.Lineage)
	}
	b.WriteString("## Action items\n\n- [ ] _Prevent it:_\n- [ ] _Detect it sooner:_\n\n")
	appendf(&b, "Keep each as a follow-up, posted weekly to the owner channel until done:\n`dre triage followups add %s --owner <person> --incident %s \"<action>\"`\n", tl.Dataset, tl.WorkflowID)
	return b.String()
}

func timelineStamp(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.UTC().Format(time.DateTime) + " UTC"
}

func sinceDetected(d time.Duration, what string) string {
	if d == 0 {
		return ""
	}
	return fmt.Sprintf(" (%s %s)", what, d.Round(time.Second))
}

func roundedDuration(d time.Duration) string {
	if d == 0 {
		return "—"
	}
	return d.Round(time.Second).String()
}

// appendf formats into a builder. It stands in for fmt.Fprintf, which
// workflowcheck cannot prove free of I/O because it takes any io.Writer.
func appendf(b *strings.Builder, format string, args ...any) {
	b.WriteString(fmt.Sprintf(format, args...))
}

// decisions are the ack and the resolution so far, for the incident
// message, where they replace the buttons that made them.
func (t *triage) decisions() []string {
	var out []string
	if !t.ackedAt.IsZero() {
		out = append(out, decidedText(":eyes: Acknowledged", t.ackedBy, t.ackedAt))
	}
	if t.room.commander != "" {
		out = append(out, decidedText(":military_helmet: Commanded", t.room.commander, t.room.commandedAt))
	}
	if !t.resolvedAt.IsZero() {
		out = append(out, decidedText(":white_check_mark: Resolved", t.resolvedBy, t.resolvedAt))
	}
	return out
}
