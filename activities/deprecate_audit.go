package activities

import (
	"context"
	"fmt"
)

// auditor appends a record to dre's audit log. It is declared here, where
// the deprecation uses it, so that the activities do not depend on the
// audit package: the worker sets Deprecations.Audit to anything with this
// method once the log exists.
type auditor interface {
	Record(ctx context.Context, r AuditRecord) error
}

// AuditRecord is one destructive step, as the audit log keeps it.
type AuditRecord struct {
	// Action is what happened, such as deprecate.drop.
	Action string `json:"action"`
	// Subject is the table acted on.
	Subject string         `json:"subject"`
	Details map[string]any `json:"details,omitempty"`
}

// audit records a step when an audit log is configured. A failure fails
// the activity, which is retried: a destructive step must not go
// unrecorded, and every step is idempotent, so repeating it is safe.
func (d *Deprecations) audit(ctx context.Context, action, subject string, details map[string]any) error {
	if d.Audit == nil {
		return nil
	}
	if err := d.Audit.Record(ctx, AuditRecord{Action: action, Subject: subject, Details: details}); err != nil {
		return fmt.Errorf("writing the audit record of %s on %s (the step itself is done and will be retried with it): %w", action, subject, err)
	}
	return nil
}
