package workflows

import (
	"context"
	"maps"
	"slices"
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

// deprecateStart is the test clock's start: the morning of deprecate_on.
var deprecateStart = time.Date(2027, 3, 1, 9, 0, 0, 0, time.UTC)

// fakeTable is the warehouse side of a deprecation, kept by the mocked
// activities: where the table is and its metadata.
type fakeTable struct {
	home, archived, snapshot bool
	dropped                  bool
	meta                     warehouse.TableMeta
	reads                    int64
	readers                  []string
	unread                   string // why usage could not be read
}

// deprecateHarness runs Deprecate in the time-skipping test environment
// over a fake table, recording Slack posts.
type deprecateHarness struct {
	t   *testing.T
	env *testsuite.TestWorkflowEnvironment

	mu       sync.Mutex // activities run on their own goroutines
	table    fakeTable
	posts    []activities.SlackMessage
	restored *activities.DeprecateRestoreInput
	rejected map[string]error
	// active are the running access requests the ledger reports.
	active []activities.ActiveAccess
	// people and policy are the worker's dre.yaml the guard loads:
	// testPeople's directory, no catalog, unsigned decisions allowed.
	people *testPeople
	policy *activities.Policy
	audit  *auditLog
}

// ActiveAccess is the harness's access ledger.
func (h *deprecateHarness) ActiveAccess(context.Context, string) ([]activities.ActiveAccess, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Clone(h.active), nil
}

// deprecateOriginal is the table's metadata before anything happens.
func deprecateOriginal() warehouse.TableMeta {
	return warehouse.TableMeta{
		Comment: "Web sessions of the old tracker.",
		Labels:  map[string]string{"tier": "bronze"},
		PII:     map[string]string{"email": "email"},
		Grants: []warehouse.Grant{
			{Principal: "owner", Privilege: "SELECT"}, {Principal: "owner", Privilege: "TRUNCATE"},
			{Principal: "analyst", Privilege: "SELECT"}, {Principal: "bi", Privilege: "SELECT", Column: "session_id"},
		},
	}
}

// deprecateDataset is legacy_sessions with a full lifecycle.
func deprecateDataset() catalog.Dataset {
	return catalog.Dataset{
		Name: "legacy_sessions", Warehouse: "local", Table: "public.legacy_sessions",
		Owner: catalog.Owner{Team: "analytics", SlackChannel: "#product-analytics"},
		Lifecycle: &catalog.Lifecycle{
			DeprecateOn: catalog.DateOf(deprecateStart), Replacement: "public.events",
			GracePeriod: days(30), RemindEvery: days(7), SoftDeleteRetention: days(30),
			UsageGate: days(14), FinalAction: catalog.FinalDrop, Snapshot: true,
			Approvers: []string{"U0OWNER"},
		},
	}
}

func days(n int) catalog.Duration {
	return catalog.Duration{Duration: time.Duration(n) * 24 * time.Hour}
}

func newDeprecateHarness(t *testing.T) *deprecateHarness {
	var s testsuite.WorkflowTestSuite
	h := &deprecateHarness{t: t, env: s.NewTestWorkflowEnvironment(), rejected: map[string]error{},
		table: fakeTable{home: true, meta: deprecateOriginal(), readers: []string{"U0READER1", "U0READER2"}}}
	h.env.SetStartTime(deprecateStart)
	h.env.SetStartWorkflowOptions(client.StartWorkflowOptions{ID: DeprecateWorkflowID("legacy_sessions")})
	h.people = newTestPeople(t)
	h.policy = registerPolicy(h.env, h.people.dir, true)
	h.audit = recordAudit(h.env)
	var n *activities.Notify
	h.env.OnActivity(n.PostSlack, mock.Anything, mock.Anything).Return(h.postSlack)
	var a *activities.Deprecations
	h.env.OnActivity(a.DeprecateReadMetadata, mock.Anything, mock.Anything).Return(h.readMetadata)
	h.env.OnActivity(a.DeprecateMark, mock.Anything, mock.Anything).Return(h.mark)
	h.env.OnActivity(a.DeprecateReadUsage, mock.Anything, mock.Anything).Return(h.usage)
	h.env.OnActivity(a.DeprecateRevokeReads, mock.Anything, mock.Anything).Return(h.revokeReads)
	h.env.OnActivity(a.DeprecateGrantBack, mock.Anything, mock.Anything).Return(h.grantBack)
	h.env.OnActivity(a.DeprecateArchive, mock.Anything, mock.Anything).Return(h.archive)
	h.env.OnActivity(a.DeprecateSnapshot, mock.Anything, mock.Anything).Return(h.snapshot)
	h.env.OnActivity(a.DeprecateDrop, mock.Anything, mock.Anything).Return(h.drop)
	h.env.OnActivity(a.DeprecateRestoreTable, mock.Anything, mock.Anything).Return(h.restore)
	h.env.OnActivity(a.DeprecateAllowedGrants, mock.Anything, mock.Anything).Return(func(ctx context.Context, in activities.DeprecateAllowedInput) (activities.DeprecateAllowed, error) {
		return (&activities.Deprecations{Ledger: h}).DeprecateAllowedGrants(ctx, in)
	})
	return h
}

func (h *deprecateHarness) postSlack(_ context.Context, m activities.SlackMessage) (activities.SlackPosted, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.posts = append(h.posts, m)
	return activities.SlackPosted{Sent: true, Channel: m.Channel}, nil
}

func (h *deprecateHarness) readMetadata(context.Context, activities.DeprecateTable) (warehouse.TableMeta, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return cloneMeta(h.table.meta), nil
}

func (h *deprecateHarness) mark(_ context.Context, in activities.DeprecateMarkInput) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.table.meta.Comment = in.Comment
	maps.Copy(h.table.meta.Labels, in.Labels)
	return nil
}

func (h *deprecateHarness) usage(context.Context, activities.DeprecateUsageInput) (warehouse.Usage, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return warehouse.Usage{Reads: h.table.reads, Readers: h.table.readers, Unread: h.table.unread}, nil
}

func (h *deprecateHarness) revokeReads(_ context.Context, in activities.DeprecateGrantsInput) ([]warehouse.Grant, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	reads := activities.ReadGrants(in.Grants)
	h.table.meta.Grants = slices.DeleteFunc(h.table.meta.Grants, func(g warehouse.Grant) bool { return slices.Contains(reads, g) })
	return reads, nil
}

func (h *deprecateHarness) grantBack(_ context.Context, in activities.DeprecateGrantsInput) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.table.meta.Grants = append(h.table.meta.Grants, in.Grants...)
	return nil
}

func (h *deprecateHarness) archive(context.Context, activities.DeprecateMoveInput) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.table.home, h.table.archived = false, true
	return nil
}

func (h *deprecateHarness) snapshot(context.Context, activities.DeprecateMoveInput) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.table.snapshot = true
	return nil
}

func (h *deprecateHarness) drop(context.Context, activities.DeprecateMoveInput) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.table.archived, h.table.dropped = false, true
	return nil
}

func (h *deprecateHarness) restore(_ context.Context, in activities.DeprecateRestoreInput) (warehouse.TableMeta, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.restored = &in
	h.table.home, h.table.archived, h.table.meta = true, false, cloneMeta(in.Meta)
	return cloneMeta(in.Meta), nil
}

func cloneMeta(m warehouse.TableMeta) warehouse.TableMeta {
	m.Labels, m.PII, m.Grants = maps.Clone(m.Labels), maps.Clone(m.PII), slices.Clone(m.Grants)
	return m
}

// at runs fn when the test clock has advanced by after from the start.
func (h *deprecateHarness) at(after time.Duration, fn func()) {
	h.env.RegisterDelayedCallback(fn, after)
}

// update sends an update, recording a rejection under label.
func (h *deprecateHarness) update(label, name string, a DeprecateAction) {
	h.env.UpdateWorkflow(name, label, &testsuite.TestUpdateCallback{
		OnReject: func(err error) { h.rejected[label] = err },
		OnAccept: func() {},
		OnComplete: func(any, error) {
		},
	}, a)
}

// status queries the running workflow.
func (h *deprecateHarness) status() DeprecateStatus {
	h.t.Helper()
	v, err := h.env.QueryWorkflow(StatusQuery)
	if err != nil {
		h.t.Fatal(err)
	}
	var s DeprecateStatus
	if err := v.Get(&s); err != nil {
		h.t.Fatal(err)
	}
	return s
}

// run executes the workflow to its end and returns its result.
func (h *deprecateHarness) run(ds catalog.Dataset) DeprecateStatus {
	h.t.Helper()
	return h.runInput(DeprecateInput{Dataset: ds, Requester: "cli:alice"})
}

// runInput runs Deprecate with in to its end and returns its result.
func (h *deprecateHarness) runInput(in DeprecateInput) DeprecateStatus {
	h.t.Helper()
	h.env.ExecuteWorkflow(Deprecate, in)
	if !h.env.IsWorkflowCompleted() {
		h.t.Fatal("the workflow did not complete")
	}
	var s DeprecateStatus
	if err := h.env.GetWorkflowResult(&s); err != nil {
		h.t.Fatal(err)
	}
	return s
}

// postsTo lists the texts posted to channel.
func (h *deprecateHarness) postsTo(channel string) []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []string
	for _, p := range h.posts {
		if p.Channel == channel {
			out = append(out, p.Text)
		}
	}
	return out
}

// timeline renders the timeline's events as "phase: what".
func timeline(s DeprecateStatus) []string {
	var out []string
	for _, e := range s.Timeline {
		out = append(out, e.Phase+": "+e.What)
	}
	return out
}
