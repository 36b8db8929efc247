package workflows

import (
	"fmt"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/dre-dev/dre/activities"
)

// AuditCheckpoint publishes one signed checkpoint of the audit log's head,
// on the audit-checkpoint schedule. The worker signs with its own key
// (audit.checkpoint_key in its dre.yaml), records the checkpoint in the
// state database, writes it to audit.checkpoint_dir, and this workflow
// posts it to audit.checkpoint_channel. A head that has not moved since
// the last checkpoint is skipped, and a log that lost checkpointed
// records fails the run instead of being signed over.
func AuditCheckpoint(ctx workflow.Context, _ AuditCheckpointInput) (AuditCheckpointReport, error) {
	r := &auditCheckpoint{report: AuditCheckpointReport{WorkflowID: workflow.GetInfo(ctx).WorkflowExecution.ID, StartedAt: workflow.Now(ctx)}}
	if err := workflow.SetQueryHandler(ctx, StatusQuery, func() (AuditCheckpointReport, error) { return r.report, nil }); err != nil {
		return r.report, err
	}
	r.setStatus(ctx, AuditCheckpointSigning)
	res, err := r.take(ctx)
	if err != nil {
		r.report.Failure = failureReason(err)
		r.setStatus(ctx, AuditCheckpointFailed)
		return r.report, err
	}
	r.report.Checkpoint = res
	if res.Skipped {
		r.setStatus(ctx, AuditCheckpointSkipped)
		return r.report, nil
	}
	r.post(ctx, res)
	r.setStatus(ctx, AuditCheckpointPublished)
	return r.report, nil
}

// AuditCheckpoint statuses, also written to DreStatus.
const (
	AuditCheckpointSigning   = "signing"
	AuditCheckpointPublished = "published"
	AuditCheckpointSkipped   = "skipped"
	AuditCheckpointFailed    = "failed"
)

// AuditCheckpointInput is empty: what to sign with and where to publish
// is the worker's configuration, so that no key is in a workflow input.
type AuditCheckpointInput struct{}

// AuditCheckpointReport is the run's outcome: the status query's answer
// and the workflow's result.
type AuditCheckpointReport struct {
	WorkflowID string    `json:"workflowId"`
	Status     string    `json:"status"`
	StartedAt  time.Time `json:"startedAt"`
	// Checkpoint is what the worker published, or why it skipped.
	Checkpoint activities.AuditCheckpointResult `json:"checkpoint"`
	// Posted is the Slack message's ts; PostFailure why there is none
	// although a channel is configured.
	Posted      string `json:"posted,omitempty"`
	PostFailure string `json:"postFailure,omitempty"`
	Failure     string `json:"failure,omitempty"`
}

// auditCheckpoint is the state of one run.
type auditCheckpoint struct {
	report AuditCheckpointReport
}

// take asks the worker to check, sign, record and write the checkpoint.
// Refusals (bad key, lost records) are final; database hiccups retry.
func (r *auditCheckpoint) take(ctx workflow.Context) (activities.AuditCheckpointResult, error) {
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 2 * time.Minute,
		RetryPolicy:         &temporal.RetryPolicy{InitialInterval: 5 * time.Second, MaximumAttempts: 5},
		Summary:             "sign and record a checkpoint of the audit log's head",
	})
	var a *activities.AuditCheckpoints
	var res activities.AuditCheckpointResult
	err := workflow.ExecuteActivity(ctx, a.PublishCheckpoint, activities.AuditCheckpointRequest{At: workflow.Now(ctx)}).Get(ctx, &res)
	return res, err
}

// post puts the checkpoint in the configured Slack channel; a failed
// post is reported, not fatal: the checkpoint is recorded already.
func (r *auditCheckpoint) post(ctx workflow.Context, res activities.AuditCheckpointResult) {
	if res.Channel == "" {
		return
	}
	posted, err := sendSlack(ctx, "post the audit checkpoint to "+res.Channel, activities.SlackMessage{Channel: res.Channel, Text: checkpointText(res)})
	switch {
	case err != nil:
		r.report.PostFailure = failureReason(err)
	case !posted.Sent:
		r.report.PostFailure = posted.Reason
	default:
		r.report.Posted = posted.TS
	}
}

// checkpointText is the Slack message: the head in words, then the signed
// document to save as a file for dre audit verify --checkpoint.
func checkpointText(res activities.AuditCheckpointResult) string {
	return fmt.Sprintf("Audit log checkpoint: record %d, head `%s`, signed by %s (%s).\n"+
		"Save the document below as a file; `dre audit verify --checkpoint <file>` shows any record deleted or rewritten since.\n```\n%s```",
		res.Seq, res.Head, activities.SlackEscape(res.Signer), res.Fingerprint, activities.SlackEscape(res.Document))
}

func (r *auditCheckpoint) setStatus(ctx workflow.Context, status string) {
	r.report.Status = status
	details := fmt.Sprintf("Audit checkpoint: %s", status)
	if c := r.report.Checkpoint; c.Seq > 0 {
		details += fmt.Sprintf("; record %d, head %s", c.Seq, c.Head)
	}
	workflow.SetCurrentDetails(ctx, details)
	if err := workflow.UpsertTypedSearchAttributes(ctx, KindKey.ValueSet(KindAuditCheckpoint), StatusKey.ValueSet(status)); err != nil {
		workflow.GetLogger(ctx).Warn("search attributes not updated", "error", err)
	}
}
