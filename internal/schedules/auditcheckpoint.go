package schedules

import (
	"time"

	"github.com/dre-dev/dre/workflows"
)

// AuditCheckpointID is the schedule of the audit log's signed checkpoints.
// It is under Prefix: dre.yaml's audit.checkpoint_every decides it, so
// sync creates, updates and deletes it.
const AuditCheckpointID = Prefix + "audit-checkpoint"

// AuditCheckpoint returns the checkpoint schedule, a run every `every`,
// or none when every is 0 (audit.checkpoint_every unset). Its input is
// empty: the workers sign with their own key and publish where their
// dre.yaml says.
func AuditCheckpoint(every time.Duration, taskQueue string) []Schedule {
	if every <= 0 {
		return nil
	}
	return []Schedule{{
		ID: AuditCheckpointID, Every: every,
		Workflow: workflows.AuditCheckpointWorkflowName, WorkflowID: workflows.AuditCheckpointWorkflowID("scheduled"), TaskQueue: taskQueue,
		Args:    []any{workflows.AuditCheckpointInput{}},
		Summary: workflows.AuditCheckpointSummary,
	}}
}
