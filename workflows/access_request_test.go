package workflows

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/testsuite"

	"github.com/dre-dev/dre/activities"
	"github.com/dre-dev/dre/internal/catalog"
	"github.com/dre-dev/dre/internal/warehouse"
)

// accessHarness runs AccessRequest or AccessReview with the warehouse,
// the audit log and Slack mocked, recording what they were asked to do.
type accessHarness struct {
	t   *testing.T
	env *testsuite.TestWorkflowEnvironment

	mu       sync.Mutex
	granted  []activities.AccessGrant
	revoked  []activities.AccessGrant
	audited  []activities.AuditEntry
	posts    []activities.SlackMessage
	rejected []error
	// revokeFailures fails that many revocations first, as a warehouse
	// that is down would.
	revokeFailures int
	// refuse, when set, fails a grant or revocation ("grant", "revoke")
	// for good with the error it returns.
	refuse func(action string, g activities.AccessGrant) error
	// policy is the worker's dre.yaml the request fetches: the catalog
	// with customersDataset, testPeople's directory, unsigned allowed.
	policy *activities.Policy
	people *testPeople
	// acl is the warehouse's access control list: what GrantAccess and
	// RevokeAccess change, and AccessHeld and AccessRemaining read back.
	acl []warehouse.Grant
	// sticky grants survive a revocation that reports success, as a
	// privilege another grantor gave does.
	sticky []warehouse.Grant
	// incidentOpen answers AccessIncidentOpen; nil means open.
	incidentOpen func() bool
}

func newAccessHarness(t *testing.T) *accessHarness {
	h := newAccessHarnessFor(t, customersDataset())
	h.mockWarehouse()
	return h
}

// newAccessHarnessFor is the harness with ds in the worker's catalog and
// no warehouse: the caller mocks one (mockWarehouse) or registers the
// real access activities on one.
func newAccessHarnessFor(t *testing.T, ds catalog.Dataset) *accessHarness {
	var s testsuite.WorkflowTestSuite
	h := &accessHarness{t: t, env: s.NewTestWorkflowEnvironment()}
	h.env.SetStartTime(time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC))
	h.env.SetStartWorkflowOptions(client.StartWorkflowOptions{ID: testRequestID})
	h.people = newTestPeople(t)
	h.policy = &activities.Policy{People: h.people.dir, Catalog: catalog.New([]catalog.Dataset{ds}), AllowUnsigned: true}
	h.env.RegisterActivity(h.policy)
	h.mockNotices()
	return h
}

// mockWarehouse stands in for the warehouse with an in-memory ACL.
func (h *accessHarness) mockWarehouse() {
	var a *activities.Access
	h.env.OnActivity(a.GrantAccess, mock.Anything, mock.Anything).Return(func(_ context.Context, g activities.AccessGrant) error {
		h.mu.Lock()
		defer h.mu.Unlock()
		if err := h.refused("grant", g); err != nil {
			return err
		}
		h.granted = append(h.granted, g)
		h.acl = append(h.acl, g.Grant)
		return nil
	})
	h.env.OnActivity(a.RevokeAccess, mock.Anything, mock.Anything).Return(func(_ context.Context, g activities.AccessGrant) error {
		h.mu.Lock()
		defer h.mu.Unlock()
		if h.revokeFailures > 0 {
			h.revokeFailures--
			return errors.New("connection refused")
		}
		if err := h.refused("revoke", g); err != nil {
			return err
		}
		h.revoked = append(h.revoked, g)
		h.acl = slices.DeleteFunc(h.acl, func(held warehouse.Grant) bool {
			// As in PostgreSQL, revoking on the table revokes on every column too.
			cascades := g.Grant.Column == "" && held.Column != "" && held.Principal == g.Grant.Principal && held.Privilege == g.Grant.Privilege
			return (activities.SameGrant(held, g.Grant) || cascades) &&
				!slices.ContainsFunc(h.sticky, func(s warehouse.Grant) bool { return activities.SameGrant(s, g.Grant) })
		})
		return nil
	})
	h.env.OnActivity(a.AccessHeld, mock.Anything, mock.Anything).Return(func(_ context.Context, in activities.AccessHeldInput) ([]warehouse.Grant, error) {
		h.mu.Lock()
		defer h.mu.Unlock()
		var held []warehouse.Grant
		for _, g := range h.acl {
			if g.Principal == in.Principal && g.Table.String() == in.Table {
				held = append(held, g)
			}
		}
		return held, nil
	})
	h.env.OnActivity(a.AccessIncidentOpen, mock.Anything, mock.Anything).Return(func(context.Context, string) (bool, error) {
		return h.incidentOpen == nil || h.incidentOpen(), nil
	})
	h.env.OnActivity(a.AccessRemaining, mock.Anything, mock.Anything).Return(func(_ context.Context, grants []activities.AccessGrant) ([]activities.AccessGrant, error) {
		h.mu.Lock()
		defer h.mu.Unlock()
		var left []activities.AccessGrant
		for _, g := range grants {
			if slices.ContainsFunc(h.acl, func(held warehouse.Grant) bool { return activities.SameGrant(held, g.Grant) }) {
				left = append(left, g)
			}
		}
		return left, nil
	})
}

// mockNotices records what would go to the audit log and Slack.
func (h *accessHarness) mockNotices() {
	var au *activities.Audit
	h.env.OnActivity(au.Record, mock.Anything, mock.Anything).Return(func(_ context.Context, e activities.AuditEntry) (activities.AuditRecorded, error) {
		h.mu.Lock()
		defer h.mu.Unlock()
		h.audited = append(h.audited, e)
		return activities.AuditRecorded{Recorded: true}, nil
	})
	var n *activities.Notify
	h.env.OnActivity(n.PostSlack, mock.Anything, mock.Anything).Return(func(_ context.Context, m activities.SlackMessage) (activities.SlackPosted, error) {
		h.mu.Lock()
		defer h.mu.Unlock()
		h.posts = append(h.posts, m)
		// As Slack does: an update keeps its ts, a post gets a new one.
		ts := m.UpdateTS
		if ts == "" {
			ts = fmt.Sprintf("1700000000.%06d", len(h.posts))
		}
		return activities.SlackPosted{Sent: true, Channel: m.Channel, TS: ts}, nil
	})
}

func (h *accessHarness) refused(action string, g activities.AccessGrant) error {
	if h.refuse == nil {
		return nil
	}
	return h.refuse(action, g)
}

// update sends an update after d, recording a rejection.
func (h *accessHarness) update(d time.Duration, name string, arg any) {
	h.env.RegisterDelayedCallback(func() {
		h.env.UpdateWorkflow(name, "", &testsuite.TestUpdateCallback{
			OnReject:   func(err error) { h.rejected = append(h.rejected, err) },
			OnAccept:   func() {},
			OnComplete: func(any, error) {},
		}, arg)
	}, d)
}

func (h *accessHarness) actions() []string {
	var out []string
	for _, e := range h.audited {
		out = append(out, e.Action+":"+e.Actor)
	}
	return out
}

func customersDataset() catalog.Dataset {
	return catalog.Dataset{Name: "customers", Warehouse: "local", Table: "public.customers",
		Owner: catalog.Owner{SlackChannel: "#crm-data"},
		PII: catalog.PII{Columns: map[string]catalog.PIIKind{"email": catalog.PIIEmail}, Approvers: []string{"UOWNER", "UALICE"},
			MaxAccess: catalog.Duration{Duration: 7 * 24 * time.Hour}}}
}

func aliceRequest() AccessRequestInput {
	return AccessRequestInput{Dataset: customersDataset(), Requester: "UALICE", Principal: "alice", Columns: []string{"email"},
		Duration: 4 * time.Hour, Reason: "refund ticket 4711"}
}

func (h *accessHarness) runRequest(in AccessRequestInput) AccessRequestState {
	h.t.Helper()
	h.env.ExecuteWorkflow(AccessRequest, in)
	if err := h.env.GetWorkflowError(); err != nil {
		h.t.Fatalf("AccessRequest failed: %v", err)
	}
	var st AccessRequestState
	if err := h.env.GetWorkflowResult(&st); err != nil {
		h.t.Fatal(err)
	}
	return st
}

func TestAccessRequestSelfApprovalIsRejected(t *testing.T) {
	h := newAccessHarness(t)
	h.update(time.Minute, AccessApproveUpdate, AccessDecision{By: "ualice"}) // the requester, in other case
	h.update(2*time.Minute, AccessApproveUpdate, AccessDecision{By: "USTRANGER"})
	h.update(3*time.Minute, AccessApproveUpdate, AccessDecision{By: "UOWNER"})
	st := h.runRequest(aliceRequest())
	if len(h.rejected) != 2 || !strings.Contains(h.rejected[0].Error(), "separation of duties") || !strings.Contains(h.rejected[1].Error(), "may not approve access") {
		t.Fatalf("rejections = %v; want the self-approval and the stranger refused", h.rejected)
	}
	if st.DecidedBy != "UOWNER" || st.Status != AccessExpired || len(h.granted) != 1 || h.granted[0].Grant.Column != "email" {
		t.Fatalf("state %+v, granted %+v; want UOWNER's approval, one column grant, then expiry", st, h.granted)
	}
}

func TestAccessRequestExpiryRevokesUntilVerified(t *testing.T) {
	h := newAccessHarness(t)
	h.revokeFailures = 3
	h.update(time.Minute, AccessApproveUpdate, AccessDecision{By: "UOWNER"})
	st := h.runRequest(aliceRequest())
	if st.Status != AccessExpired || len(h.revoked) != 1 || h.revoked[0].Grant != h.granted[0].Grant {
		t.Fatalf("state %+v, revoked %+v; want the grant revoked at expiry after the failed attempts", st, h.revoked)
	}
	if got := st.EndedAt.Sub(st.GrantedAt); got < 4*time.Hour {
		t.Errorf("access ended %s after the grant; want no earlier than the 4h asked for", got)
	}
	want := []string{"access.requested:UALICE", "access.approved:UOWNER", "access.granted:UOWNER", "access.expired:expiry"}
	if got := h.actions(); strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("audit = %v; want %v", got, want)
	}
}

func TestAccessRequestEarlyRevokeAndTimeoutDenial(t *testing.T) {
	h := newAccessHarness(t)
	h.update(time.Minute, AccessApproveUpdate, AccessDecision{By: "UOWNER"})
	h.update(time.Hour, AccessRevokeUpdate, AccessDecision{By: "USTRANGER"})
	h.update(2*time.Hour, AccessRevokeUpdate, AccessDecision{By: "UALICE", Note: "done"})
	st := h.runRequest(aliceRequest())
	if st.Status != AccessRevoked || st.EndedBy != "UALICE" || len(h.rejected) != 1 || len(h.revoked) != 1 {
		t.Fatalf("state %+v, rejected %v; want the stranger refused and the requester's revoke applied", st, h.rejected)
	}

	h = newAccessHarness(t)
	st = h.runRequest(aliceRequest())
	if st.Status != AccessDenied || st.DecidedBy != "timeout" || len(h.granted) != 0 {
		t.Fatalf("undecided request: state %+v, granted %v; want denied at the timeout, nothing granted", st, h.granted)
	}
}

func TestAccessRequestPolicyRefusesLongAccess(t *testing.T) {
	in := aliceRequest()
	in.Duration = 8 * 24 * time.Hour
	if err := in.Validate(); err == nil || !strings.Contains(err.Error(), "up to 168h") {
		t.Fatalf("Validate(8d) = %v; want the 7d maximum named", err)
	}
	in = aliceRequest()
	in.Dataset.PII.Approvers = nil
	if err := in.Validate(); err == nil || !strings.Contains(err.Error(), "approvers") {
		t.Fatalf("Validate(no approvers) = %v; want the missing approvers named", err)
	}
}
