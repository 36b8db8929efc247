package workflows

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"github.com/dre-dev/dre/activities"
	"github.com/dre-dev/dre/internal/catalog"
	"github.com/dre-dev/dre/internal/warehouse"
)

// reconcileHarness runs AccessReconcile with its activities mocked: each
// table read yields one orphan, and the batch holding failTable fails.
type reconcileHarness struct {
	env       *testsuite.TestWorkflowEnvironment
	mu        sync.Mutex
	batches   [][]activities.ReconcileTable
	revoked   []activities.ReconcileRevokeInput
	posts     []activities.SlackMessage
	failTable string
}

func newReconcileHarness(t *testing.T, activeErr error) *reconcileHarness {
	var s testsuite.WorkflowTestSuite
	h := &reconcileHarness{env: s.NewTestWorkflowEnvironment()}
	h.env.SetStartWorkflowOptions(client.StartWorkflowOptions{ID: AccessReconcileWorkflowID("test")})
	var a *activities.AccessReconcile
	h.env.OnActivity(a.ReconcileListActive, mock.Anything, mock.Anything).Return(
		[]activities.ActiveGrant{{Dataset: "d1", Principal: "alice"}}, activeErr)
	h.env.OnActivity(a.ReconcileReadGrants, mock.Anything, mock.Anything).Return(func(_ context.Context, in activities.ReconcileReadInput) (activities.ReconcileReadResult, error) {
		h.mu.Lock()
		defer h.mu.Unlock()
		h.batches = append(h.batches, in.Tables)
		var res activities.ReconcileReadResult
		for _, tb := range in.Tables {
			if tb.Dataset == h.failTable {
				return res, temporal.NewNonRetryableApplicationError("warehouse down", "Test", nil)
			}
			res.Checked++
			res.Orphans = append(res.Orphans, activities.Orphan{Dataset: tb.Dataset, Warehouse: tb.Warehouse,
				Grant: warehouse.Grant{Principal: "mallory", Privilege: "SELECT"}, ReportOnly: tb.ReportOnly})
		}
		return res, nil
	})
	h.env.OnActivity(a.ReconcileRevoke, mock.Anything, mock.Anything).Return(func(_ context.Context, in activities.ReconcileRevokeInput) ([]activities.OrphanOutcome, error) {
		h.mu.Lock()
		defer h.mu.Unlock()
		h.revoked = append(h.revoked, in)
		out := make([]activities.OrphanOutcome, len(in.Orphans))
		for i, o := range in.Orphans {
			out[i] = activities.OrphanOutcome{Orphan: o, Action: activities.OrphanRevoked}
		}
		return out, nil
	})
	var n *activities.Notify
	h.env.OnActivity(n.PostSlack, mock.Anything, mock.Anything).Return(func(_ context.Context, m activities.SlackMessage) (activities.SlackPosted, error) {
		h.mu.Lock()
		defer h.mu.Unlock()
		h.posts = append(h.posts, m)
		return activities.SlackPosted{Sent: true, Channel: m.Channel}, nil
	})
	return h
}

// reconcileCatalog is n PII datasets d1..dn owned by #crm, and one
// without PII that the pass must leave out.
func reconcileCatalog(n int) []catalog.Dataset {
	out := []catalog.Dataset{{Name: "plain", Warehouse: "wh", Table: "public.plain"}}
	for i := 1; i <= n; i++ {
		out = append(out, catalog.Dataset{Name: fmt.Sprintf("d%d", i), Warehouse: "wh", Table: fmt.Sprintf("public.d%d", i),
			Owner: catalog.Owner{SlackChannel: "#crm"}, PII: catalog.PII{Columns: map[string]catalog.PIIKind{"email": catalog.PIIEmail}}})
	}
	return out
}

func (h *reconcileHarness) run(t *testing.T, in AccessReconcileInput) (AccessReconcileReport, error) {
	t.Helper()
	h.env.ExecuteWorkflow(AccessReconcile, in)
	if !h.env.IsWorkflowCompleted() {
		t.Fatal("the pass did not complete")
	}
	var r AccessReconcileReport
	err := h.env.GetWorkflowResult(&r)
	return r, err
}

func TestAccessReconcileReadsInBatchesAndOneFailedBatchSparesTheOthers(t *testing.T) {
	h := newReconcileHarness(t, nil)
	h.failTable = "d60"
	r, err := h.run(t, AccessReconcileInput{Datasets: reconcileCatalog(120)})
	if err != nil {
		t.Fatal(err)
	}
	// The batches run at once, so they arrive in any order.
	slices.SortFunc(h.batches, func(a, b []activities.ReconcileTable) int { return len(b) - len(a) })
	if len(h.batches) != 3 || len(h.batches[0]) != 50 || len(h.batches[1]) != 50 || len(h.batches[2]) != 20 {
		t.Fatalf("%d batches; want 50, 50 and 20 tables (plain has no PII)", len(h.batches))
	}
	first := slices.IndexFunc(h.batches, func(b []activities.ReconcileTable) bool { return b[0].Dataset == "d1" })
	if first < 0 || len(h.batches[first][0].Active) != 1 || h.batches[first][0].Active[0].Principal != "alice" || len(h.batches[first][1].Active) != 0 {
		t.Errorf("batches %+v; want alice's running request on d1 only", h.batches)
	}
	if r.Tables != 70 || len(r.Orphans) != 70 || len(r.Failures) != 1 || !strings.Contains(r.Failures[0], "d51 to d100: warehouse down") {
		t.Errorf("report: %d tables, %d orphans, failures %q; want 70, 70 and the batch d51 to d100", r.Tables, len(r.Orphans), r.Failures)
	}
	if len(h.posts) != 1 || h.posts[0].Channel != "#crm" || !strings.Contains(h.posts[0].Text, "70 grant(s)") || !strings.Contains(h.posts[0].Text, "and 50 more") {
		t.Errorf("Slack posts %+v; want one to #crm naming 70 grants, 20 of them listed", h.posts)
	}
	if r.Status != AccessReconcileDone {
		t.Errorf("status %q; want %q", r.Status, AccessReconcileDone)
	}
}

func TestAccessReconcileRevokesNothingWhenRunningRequestsCannotBeRead(t *testing.T) {
	h := newReconcileHarness(t, temporal.NewNonRetryableApplicationError("visibility down", "Test", nil))
	_, err := h.run(t, AccessReconcileInput{Datasets: reconcileCatalog(3)})
	if err == nil || !strings.Contains(err.Error(), "nothing was revoked") {
		t.Errorf("error %v; want the pass to fail saying nothing was revoked", err)
	}
	if len(h.batches) != 0 || len(h.revoked) != 0 || len(h.posts) != 0 {
		t.Errorf("read %d batches, revoked %d, posted %d; want nothing done", len(h.batches), len(h.revoked), len(h.posts))
	}
}

func TestAccessReconcileDryRunPostsNothing(t *testing.T) {
	h := newReconcileHarness(t, nil)
	r, err := h.run(t, AccessReconcileInput{Datasets: reconcileCatalog(2), DryRun: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(h.revoked) != 1 || !h.revoked[0].DryRun || len(h.posts) != 0 || !r.DryRun {
		t.Errorf("revoke inputs %+v, posts %d; want one dry-run batch and no Slack", h.revoked, len(h.posts))
	}
}

func TestAccessReconcileRefusesABadBatchSize(t *testing.T) {
	h := newReconcileHarness(t, nil)
	_, err := h.run(t, AccessReconcileInput{Datasets: reconcileCatalog(1), BatchSize: MaxReconcileBatch + 1})
	var app *temporal.ApplicationError
	if !errors.As(err, &app) || app.Type() != ErrInvalidInput || len(h.batches) != 0 {
		t.Errorf("error %v, %d batches; want InvalidInput before anything is read", err, len(h.batches))
	}
}
