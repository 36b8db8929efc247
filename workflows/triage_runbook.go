package workflows

import (
	"errors"
	"fmt"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/workflow"
)

// validateRunbook accepts a run only when the starter prepared the
// dataset's runbook and no run of it is in progress.
func (t *triage) validateRunbook(ctx workflow.Context, a TriageAction) error {
	if err := t.validateOpen(ctx, a); err != nil {
		return err
	}
	if t.in.Runbook == nil {
		return fmt.Errorf("dataset %s has no runbook; set runbook: in its catalog entry and report again", t.in.Dataset.Name)
	}
	if t.runbookRunning {
		return errors.New("the runbook is already running; wait for it to finish")
	}
	return nil
}

func (t *triage) onRunRunbook(ctx workflow.Context, a TriageAction) (string, error) {
	t.runbookRunning = true
	t.runbooks++
	t.record(ctx, "runbook", a.By, "started "+t.in.Runbook.Runbook.Name)
	t.later(func(ctx workflow.Context) { workflow.Go(ctx, func(ctx workflow.Context) { t.runRunbook(ctx, a.By) }) })
	return t.status, nil
}

// runRunbook runs the dataset's runbook as a child; success mitigates.
// The child is abandoned, not terminated, if the incident closes first: a
// half-run remediation is worse than a finished one.
func (t *triage) runRunbook(ctx workflow.Context, by string) {
	defer func() { t.runbookRunning = false }()
	in := *t.in.Runbook
	in.Requester = by
	name := in.Runbook.Name
	ctx = workflow.WithChildOptions(ctx, workflow.ChildWorkflowOptions{
		WorkflowID:        fmt.Sprintf("%s/runbook-%d", t.id, t.runbooks),
		ParentClosePolicy: enumspb.PARENT_CLOSE_POLICY_ABANDON,
		StaticSummary:     fmt.Sprintf("runbook %s for incident %s", name, t.id),
	})
	t.post(ctx, fmt.Sprintf(":runner: %s started runbook `%s`.", slackMention(by), name))
	if err := workflow.ExecuteChildWorkflow(ctx, RunbookWorkflowName, in).Get(ctx, nil); err != nil {
		t.record(ctx, "runbook-failed", "dre", err.Error())
		t.post(ctx, fmt.Sprintf(":x: Runbook `%s` failed: %v", name, err))
		return
	}
	t.record(ctx, "runbook-done", "dre", name)
	t.mitigate(ctx, by, "runbook "+name+" finished")
}
