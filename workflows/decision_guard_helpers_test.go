package workflows

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/testsuite"

	"github.com/dre-dev/dre/activities"
	"github.com/dre-dev/dre/internal/catalog"
	"github.com/dre-dev/dre/internal/decision"
	"github.com/dre-dev/dre/internal/people"
)

// registerPolicy gives env the worker's dre.yaml the decision guard
// loads: dir (nil: nobody), datasets as its catalog, and whether unsigned
// decisions count.
func registerPolicy(env *testsuite.TestWorkflowEnvironment, dir *people.Directory, allowUnsigned bool, datasets ...catalog.Dataset) *activities.Policy {
	if dir == nil {
		dir = people.NewDirectory(nil, nil)
	}
	p := &activities.Policy{People: dir, Catalog: catalog.New(datasets), AllowUnsigned: allowUnsigned}
	env.RegisterActivity(p)
	return p
}

// auditLog keeps the audit records a workflow under test writes.
type auditLog struct {
	mu      sync.Mutex
	entries []activities.AuditEntry
}

// recordAudit answers env's audit activity, keeping the records.
func recordAudit(env *testsuite.TestWorkflowEnvironment) *auditLog {
	l := &auditLog{}
	var au *activities.Audit
	env.OnActivity(au.Record, mock.Anything, mock.Anything).Return(func(_ context.Context, e activities.AuditEntry) (activities.AuditRecorded, error) {
		l.mu.Lock()
		defer l.mu.Unlock()
		l.entries = append(l.entries, e)
		return activities.AuditRecorded{Recorded: true}, nil
	}).Maybe()
	return l
}

// keyOf returns the verified_key of the records of action, in order.
func (l *auditLog) keyOf(action string) []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []string
	for _, e := range l.entries {
		if e.Action == action {
			out = append(out, e.Actor+" "+e.Details["verified_key"])
		}
	}
	return out
}

// signed is the Proof of by's decision on workflowID, signed with
// signer's key at the time at.
func (tp *testPeople) signed(t *testing.T, signer, by, workflowID, action, target string, at time.Time, nonce string) Proof {
	t.Helper()
	return tp.proof(t, signer, decision.Decision{WorkflowID: workflowID, Action: action, Target: target, Decider: by, At: at, Nonce: nonce})
}
