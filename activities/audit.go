package activities

import (
	"context"
	"sync"

	"go.temporal.io/sdk/activity"

	"github.com/dre-dev/dre/internal/audit"
)

// Audit writes dre's audit log in the state database. Without a state
// database (DSN "") it records nothing and says so, so workflows run on a
// laptop without one; a nil *Audit behaves the same.
type Audit struct {
	// DSN is the state database's; the log is opened on first use, so a
	// worker whose state database is down still runs everything else. Its
	// connections live as long as the worker process.
	DSN string
	// CheckpointDir is audit.checkpoint_dir: its newest file keeps a
	// dropped log from being re-created empty when the checkpoints table
	// was dropped with it.
	CheckpointDir string

	mu  sync.Mutex
	log *audit.Log
}

// AuditEntry is one decision or action to log. The workflow and run IDs
// are taken from the calling activity.
type AuditEntry struct {
	Actor   string            `json:"actor"`
	Action  string            `json:"action"`
	Target  string            `json:"target"`
	Reason  string            `json:"reason,omitempty"`
	Details map[string]string `json:"details,omitempty"`
}

// AuditRecorded says where the entry went, or why it was not recorded.
type AuditRecorded struct {
	Recorded bool   `json:"recorded"`
	Seq      int64  `json:"seq,omitempty"`
	Hash     string `json:"hash,omitempty"`
	Reason   string `json:"reason,omitempty"`
}

// Record appends the entry to the audit log. The append is keyed by the
// workflow run, the activity ID, the action and the target, so a retried
// activity logs once.
func (a *Audit) Record(ctx context.Context, e AuditEntry) (AuditRecorded, error) {
	if a == nil || a.DSN == "" {
		return AuditRecorded{Reason: "no state database (state.dsn in dre.yaml or DRE_STATE_DSN): the audit log is off"}, nil
	}
	l, err := a.open(ctx)
	if err != nil {
		return AuditRecorded{}, err
	}
	entry := audit.Entry{Actor: e.Actor, Action: e.Action, Target: e.Target, Reason: e.Reason, Details: e.Details}
	if activity.IsActivity(ctx) {
		info := activity.GetInfo(ctx)
		entry.WorkflowID, entry.RunID = info.WorkflowExecution.ID, info.WorkflowExecution.RunID
		// With the action and target, so that an activity recording several
		// steps (StepAudit) keeps one record per step.
		entry.Key = entry.WorkflowID + "/" + entry.RunID + "/" + info.ActivityID + "/" + e.Action + "/" + e.Target
	}
	r, err := l.Append(ctx, entry)
	if err != nil {
		return AuditRecorded{}, err
	}
	return AuditRecorded{Recorded: true, Seq: r.Seq, Hash: r.Hash}, nil
}

// open opens the log once; a failed open is retried on the next call.
func (a *Audit) open(ctx context.Context) (*audit.Log, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.log != nil {
		return a.log, nil
	}
	l, err := audit.OpenWith(ctx, a.DSN, audit.Options{CheckpointDir: a.CheckpointDir})
	if err != nil {
		return nil, err
	}
	a.log = l
	return l, nil
}
