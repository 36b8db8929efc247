package workflows

import (
	"fmt"
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/dre-dev/dre/activities"
)

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
	t.statusChanged(ctx)
	tl := t.timeline()
	tl.Postmortem = postmortem(tl)
	t.meterClosed(ctx, tl)
	t.post(ctx, summaryText(tl))
	t.post(ctx, "```\n"+tl.Postmortem+"```")
	return tl, nil
}

// timeline snapshots the incident.
func (t *triage) timeline() TriageTimeline {
	tl := TriageTimeline{
		WorkflowID: t.id, Dataset: t.in.Dataset.Name, Severity: t.severity, Status: t.status,
		Reporters: t.reporters, Channel: t.channel, ThreadTS: t.threadTS,
		DetectedAt: t.detectedAt, AcknowledgedAt: t.ackedAt, MitigatedAt: t.mitigatedAt, ResolvedAt: t.resolvedAt,
		AcknowledgedBy: t.ackedBy, ResolvedBy: t.resolvedBy,
		Pages: t.pages, Escalations: t.escalations, Findings: t.findings, Events: t.events,
	}
	if !t.ackedAt.IsZero() {
		tl.TimeToAck = t.ackedAt.Sub(t.detectedAt)
	}
	if !t.resolvedAt.IsZero() {
		tl.TimeToResolve = t.resolvedAt.Sub(t.detectedAt)
	}
	return tl
}
