package activities

import (
	"context"
	"fmt"
)

// StepAudit writes the audit records of activities that log their own
// destructive steps (Deprecations.Audit) into the same chained log as
// the access workflows. The actor is "dre": the step was decided earlier,
// and the decision has its own record.
type StepAudit struct {
	Audit *Audit
}

// Record appends one step; it fails when the log cannot be written, so
// the calling activity is retried rather than leave the step unrecorded.
// Without a state database nothing is recorded.
func (s StepAudit) Record(ctx context.Context, r AuditRecord) error {
	details := make(map[string]string, len(r.Details))
	for k, v := range r.Details {
		details[k] = fmt.Sprint(v)
	}
	_, err := s.Audit.Record(ctx, AuditEntry{Actor: "dre", Action: r.Action, Target: r.Subject, Details: details})
	return err
}
