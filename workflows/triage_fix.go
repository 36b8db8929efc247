package workflows

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/dre-dev/dre/activities"
	"github.com/dre-dev/dre/internal/authz"
	"github.com/dre-dev/dre/internal/uilink"
)

// TriageBackfillUpdate is the "Backfill affected partitions" button and
// `dre triage backfill`: it backfills exactly the partitions the findings
// name, as a child Backfill, then reruns the failing checks.
const TriageBackfillUpdate = "backfill"

// triageBackfillChange is the GetVersion ID of the fix flow: the incident
// message is refreshed when a finding first names partitions, so that it
// offers the button; triages started before it keep their history.
const triageBackfillChange = "triage-backfill-fix"

// triageFix is the state of the incident's backfill-and-recheck.
type triageFix struct {
	running bool
	offered bool // the incident message was refreshed to show the button
}

// validateBackfill accepts a fix only when the findings name partitions,
// the dataset can be recomputed, and no fix of this incident is running.
func (t *triage) validateBackfill(ctx workflow.Context, a TriageAction) error {
	if err := t.validateOpen(ctx, a); err != nil {
		return err
	}
	if t.fix.running {
		return errors.New("a backfill from this incident is already running; wait for its re-check in the thread")
	}
	if err := t.backfillable(); err != nil {
		return err
	}
	if _, err := t.affectedPartitions(); err != nil {
		return err
	}
	return t.authorize(ctx, TriageBackfillUpdate, authz.TriageBackfill, a)
}

// backfillable says why the dataset cannot be backfilled, if it cannot.
func (t *triage) backfillable() error {
	ds := t.in.Dataset
	if ds.Partition == nil || ds.Partition.Column == "" || !ds.Partition.Granularity.Valid() {
		return fmt.Errorf("dataset %s has no partitioning to backfill; add partition: {column: <date column>, granularity: hour|day|month} to its entry in dre.yaml", ds.Name)
	}
	if ds.Source == nil || (ds.Source.Select == "" && ds.Source.Table == "") {
		return fmt.Errorf("dataset %s has no source to recompute partitions from; add source: {select: ...} or source: {table: ...} to its entry in dre.yaml, or backfill by hand with dre backfill start %s --select <query>", ds.Name, ds.Name)
	}
	return nil
}

// affectedPartitions are the partitions the problem findings name, each
// once, oldest first.
func (t *triage) affectedPartitions() ([]time.Time, error) {
	var parts []time.Time
	for _, f := range t.findings {
		if !f.Problem || f.Skipped {
			continue
		}
		for _, p := range f.Partitions {
			start, err := time.Parse(time.RFC3339, p)
			if err != nil {
				return nil, fmt.Errorf("the %s finding names partition %q, which is not an RFC 3339 time; backfill by hand with dre backfill start %s", f.Check, p, t.in.Dataset.Name)
			}
			if !slices.ContainsFunc(parts, start.Equal) {
				parts = append(parts, start.UTC())
			}
		}
	}
	if len(parts) == 0 {
		return nil, fmt.Errorf("no finding of this incident names a partition; backfill by hand with dre backfill start %s --from <date> --to <date>", t.in.Dataset.Name)
	}
	slices.SortFunc(parts, time.Time.Compare)
	return parts, nil
}

// canBackfill reports whether the incident message offers the button.
func (t *triage) canBackfill() bool {
	if t.fix.running || t.backfillable() != nil {
		return false
	}
	_, err := t.affectedPartitions()
	return err == nil
}

// offerBackfill refreshes the incident message once, when a finding first
// names partitions, so that it shows the backfill button.
func (t *triage) offerBackfill(ctx workflow.Context, f activities.Finding) {
	if t.fix.offered || !f.Problem || len(f.Partitions) == 0 || t.threadTS == "" || !t.canBackfill() {
		return
	}
	if workflow.GetVersion(ctx, triageBackfillChange, workflow.DefaultVersion, 1) == workflow.DefaultVersion {
		return
	}
	t.fix.offered = true
	t.sendIncident(ctx)
}

func (t *triage) onBackfill(ctx workflow.Context, a TriageAction) (string, error) {
	a.By = t.actor(ctx, TriageBackfillUpdate, a)
	parts, err := t.affectedPartitions()
	if err != nil { // the validator saw the same findings; kept for safety
		return t.status, err
	}
	t.fix.running = true
	t.record(ctx, "backfill", a.By, fmt.Sprintf("started %s of %s", BackfillWorkflowID(t.in.Dataset.Name), t.partitionList(parts)))
	t.later(func(ctx workflow.Context) {
		workflow.Go(ctx, func(ctx workflow.Context) { t.runFix(ctx, a.By, parts) })
	})
	return t.status, nil
}

// runFix backfills the partitions as a child, then reruns the failing
// checks; passing checks mitigate the incident, and resolve it when the
// policy says so.
func (t *triage) runFix(ctx workflow.Context, by string, parts []time.Time) {
	defer func() { t.fix.running = false }()
	t.statusChanged(ctx) // the button goes while the backfill runs
	id := BackfillWorkflowID(t.in.Dataset.Name)
	link := t.siblingLink(id)
	t.post(ctx, fmt.Sprintf(":hammer_and_wrench: %s started a backfill of %s: %s", slackMention(by), t.partitionList(parts), link))
	report, err := t.backfillChild(ctx, by, parts)
	if err == nil && report.Status != BackfillDone {
		err = fmt.Errorf("the backfill ended %s with %d of %d partitions done", report.Status, report.Done, report.Total)
	}
	if err != nil {
		t.record(ctx, "backfill-failed", "dre", err.Error()+" "+link)
		t.post(ctx, fmt.Sprintf(":x: The backfill did not fix the incident: %s. See %s", err, link))
		t.statusChanged(ctx)
		return
	}
	t.record(ctx, "backfill-done", "dre", fmt.Sprintf("%d partitions, %d rows %s", report.Done, report.Rows, link))
	t.afterFix(ctx, by, len(parts))
}

// backfillChild runs backfill/<dataset> over exactly parts, under the
// policy's cost budget and the SLO freeze (see guardFix), and its ledger
// writes each partition once. It is abandoned, not terminated, if the
// incident closes first: a half-written backfill is worse than a whole one.
func (t *triage) backfillChild(ctx workflow.Context, by string, parts []time.Time) (BackfillReport, error) {
	ds := t.in.Dataset
	in := BackfillInput{Dataset: ds, Partitions: parts, Requester: by}.withDerivedRange()
	t.guardFix(ctx, &in)
	ctx = workflow.WithChildOptions(ctx, workflow.ChildWorkflowOptions{
		WorkflowID:        BackfillWorkflowID(ds.Name),
		ParentClosePolicy: enumspb.PARENT_CLOSE_POLICY_ABANDON,
		StaticSummary:     fmt.Sprintf("Backfill %s (%s) of %d partitions for incident %s", ds.Name, ds.Table, len(parts), t.id),
		StaticDetails:     backfillDetails(in),
		TypedSearchAttributes: temporal.NewSearchAttributes(KindKey.ValueSet(KindBackfill), DatasetKey.ValueSet(ds.Name),
			StatusKey.ValueSet(BackfillPlanning), RequesterKey.ValueSet(by)),
	})
	var report BackfillReport
	err := workflow.ExecuteChildWorkflow(ctx, BackfillWorkflowName, in).Get(ctx, &report)
	var started *temporal.ChildWorkflowExecutionAlreadyStartedError
	if errors.As(err, &started) {
		err = fmt.Errorf("another backfill of %s is running; wait for it to finish, then press again", ds.Name)
	}
	return report, err
}

// afterFix reruns the checks that found problems and says what changed.
func (t *triage) afterFix(ctx workflow.Context, by string, parts int) {
	passed, lines := t.recheckFailing(ctx)
	t.post(ctx, ":mag: Re-check after the backfill:\n"+strings.Join(lines, "\n"))
	if !passed {
		t.record(ctx, "recheck-failed", "dre", "checks still fail after the backfill")
		t.statusChanged(ctx)
		return
	}
	why := fmt.Sprintf("backfill of %d partitions; the failing checks pass", parts)
	t.record(ctx, "recheck-passed", "dre", why)
	t.mitigate(ctx, by, why)
	if t.policy.ResolveAfterFix {
		t.resolve(ctx, "dre", why+" (triage policy resolve_after_fix)")
		return
	}
	t.statusChanged(ctx)
	t.post(ctx, ":white_check_mark: The checks pass again. Press *Resolve* to close the incident.")
}

// recheckFailing reruns, in parallel, each check whose finding was a
// problem, and replaces those findings with the new ones.
func (t *triage) recheckFailing(ctx workflow.Context) (passed bool, lines []string) {
	in := diagnoseInput(t.in.Dataset, t.policy)
	var names []string
	var futures []workflow.Future
	for _, c := range diagnosisChecksOf(ctx) {
		if t.failing(c.name) {
			names = append(names, c.name)
			futures = append(futures, workflow.ExecuteActivity(diagnosisOptions(ctx, "recheck "+c.name), c.run, in))
		}
	}
	passed = true
	for i, fut := range futures {
		var f activities.Finding
		if err := fut.Get(ctx, &f); err != nil {
			f = activities.Finding{Check: names[i], Table: in.Table, Problem: true, Summary: "the check failed: " + err.Error(), At: workflow.Now(ctx)}
		}
		passed = passed && !f.Problem
		t.replaceFinding(f)
		t.record(ctx, "recheck", "dre", f.Check+": "+f.Summary)
		lines = append(lines, findingIcon(f)+" *"+f.Check+"*: "+f.Summary)
	}
	return passed, lines
}

// failing reports whether the check's latest finding is a problem.
func (t *triage) failing(check string) bool {
	return slices.ContainsFunc(t.findings, func(f activities.Finding) bool { return f.Check == check && f.Problem && !f.Skipped })
}

// replaceFinding puts f in place of its check's earlier finding.
func (t *triage) replaceFinding(f activities.Finding) {
	for i := range t.findings {
		if t.findings[i].Check == f.Check {
			t.findings[i] = f
			return
		}
	}
	t.findings = append(t.findings, f)
}

// partitionList names partitions in the dataset's granularity.
func (t *triage) partitionList(parts []time.Time) string {
	labels := make([]string, len(parts))
	for i, p := range parts {
		labels[i] = PartitionLabel(t.in.Dataset.Partition.Granularity, p)
	}
	return fmt.Sprintf("%d partition(s) (%s)", len(parts), strings.Join(labels, ", "))
}

// siblingLink links another workflow in the Temporal UI of this
// incident's link, or names its ID when the incident has no link.
func (t *triage) siblingLink(id string) string {
	if link, ok := uilink.Sibling(t.in.RunURL, t.id, id); ok {
		return "<" + link + "|" + id + ">"
	}
	return "`" + id + "`"
}
