package workflows

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/testsuite"

	"github.com/dre-dev/dre/activities"
	"github.com/dre-dev/dre/internal/catalog"
	"github.com/dre-dev/dre/internal/people"
)

// triageStart is the test clock's start and the first report's time, so
// that durations in the timeline are exact.
var triageStart = time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)

// triageHarness runs Triage in the test environment with Slack, PagerDuty
// and the diagnosis mocked, recording what was posted and paged.
type triageHarness struct {
	t   *testing.T
	env *testsuite.TestWorkflowEnvironment

	mu    sync.Mutex // activities run on their own goroutines
	posts []activities.SlackMessage
	// incidents are the posts and updates of the incident message.
	incidents []activities.IncidentMessage
	pages     []activities.PageRequest
	// escalations are the PagerDuty REST escalations asked for.
	escalations []activities.EscalateRequest
	// stale makes the freshness check report a problem; it is read at
	// each call, so a test can make the table recover.
	stale bool
	// broken are problem findings by check, read at each call like stale.
	broken map[string]activities.Finding
	// rejected collects the rejections of update, by label.
	rejected map[string]error
	updates  int
	// downstream is what the worker's lineage answers for every dataset.
	downstream []catalog.Dataset
	pictures   map[string]string // the lineage picture per dataset
	// policy is the worker's dre.yaml decisions are checked against:
	// unsigned clicks allowed unless a test says otherwise.
	policy *activities.Policy
	// audited are the audit records written.
	audited []activities.AuditEntry
}

func newTriageHarness(t *testing.T) *triageHarness {
	var s testsuite.WorkflowTestSuite
	h := &triageHarness{t: t, env: s.NewTestWorkflowEnvironment(), stale: true, rejected: map[string]error{}}
	h.env.SetStartTime(triageStart)
	h.env.SetStartWorkflowOptions(client.StartWorkflowOptions{ID: TriageWorkflowID("orders")})
	h.policy = &activities.Policy{People: people.NewDirectory(nil, nil), AllowUnsigned: true}
	h.env.RegisterActivity(h.policy)
	var a *activities.Audit
	h.env.OnActivity(a.Record, mock.Anything, mock.Anything).Return(h.audit)
	var n *activities.Notify
	h.env.OnActivity(n.PostSlack, mock.Anything, mock.Anything).Return(h.postSlack)
	h.env.OnActivity(n.Page, mock.Anything, mock.Anything).Return(h.page)
	h.env.OnActivity(n.PostIncident, mock.Anything, mock.Anything).Return(h.postIncident)
	h.env.OnActivity(n.EscalatePagerDuty, mock.Anything, mock.Anything).Return(h.escalatePagerDuty)
	var l *activities.Lineage
	h.env.OnActivity(l.DownstreamDatasets, mock.Anything, mock.Anything).Return(func(context.Context, string) ([]catalog.Dataset, error) {
		h.mu.Lock()
		defer h.mu.Unlock()
		return h.downstream, nil
	})
	h.env.OnActivity(l.Neighbourhood, mock.Anything, mock.Anything).Return(func(_ context.Context, in activities.NeighbourhoodInput) (string, error) {
		h.mu.Lock()
		defer h.mu.Unlock()
		return h.pictures[in.Dataset], nil
	})
	var d *activities.Diagnosis
	for check, fn := range map[string]any{
		activities.CheckFreshness: d.DiagnoseFreshness, activities.CheckVolume: d.DiagnoseVolume,
		activities.CheckNulls: d.DiagnoseNulls, activities.CheckSchema: d.DiagnoseSchema,
		activities.CheckDuplicates: d.DiagnoseDuplicates, activities.CheckUnpublished: d.DiagnoseUnpublished,
	} {
		h.env.OnActivity(fn, mock.Anything, mock.Anything).Return(func(_ context.Context, in activities.DiagnoseInput) (activities.Finding, error) {
			return h.finding(check, in), nil
		})
	}
	return h
}

// audit keeps the audit records the incident writes.
func (h *triageHarness) audit(_ context.Context, e activities.AuditEntry) (activities.AuditRecorded, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.audited = append(h.audited, e)
	return activities.AuditRecorded{Recorded: true}, nil
}

func (h *triageHarness) postSlack(_ context.Context, m activities.SlackMessage) (activities.SlackPosted, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.posts = append(h.posts, m)
	return activities.SlackPosted{Sent: true, Channel: m.Channel, TS: "1700000000.000100"}, nil
}

func (h *triageHarness) postIncident(_ context.Context, m activities.IncidentMessage) (activities.SlackPosted, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.incidents = append(h.incidents, m)
	return activities.SlackPosted{Sent: true, Channel: m.Channel, TS: "1700000000.000100"}, nil
}

func (h *triageHarness) page(_ context.Context, p activities.PageRequest) (activities.PageResult, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.pages = append(h.pages, p)
	return activities.PageResult{Sent: true, DedupKey: p.DedupKey}, nil
}

func (h *triageHarness) escalatePagerDuty(_ context.Context, r activities.EscalateRequest) (activities.EscalateResult, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.escalations = append(h.escalations, r)
	return activities.EscalateResult{Sent: true, IncidentID: "PINC1", Level: r.Level}, nil
}

func (h *triageHarness) finding(check string, in activities.DiagnoseInput) activities.Finding {
	h.mu.Lock()
	defer h.mu.Unlock()
	if f, ok := h.broken[check]; ok {
		f.Check, f.Table, f.Problem = check, in.Table, true
		return f
	}
	f := activities.Finding{Check: check, Table: in.Table, Summary: in.Table + " " + check + " ok"}
	if check == activities.CheckFreshness && h.stale {
		f.Problem, f.Summary = true, in.Table+" is stale: newest loaded_at is 30h0m0s old"
	}
	return f
}

// at runs f at offset d of the test clock.
func (h *triageHarness) at(d time.Duration, f func()) { h.env.RegisterDelayedCallback(f, d) }

// update sends an update under a fresh ID; the test environment delivers
// it asynchronously, so the outcome lands in rejected[label] ("" stays
// absent when accepted) by the end of the run.
func (h *triageHarness) update(label, name string, a TriageAction) {
	h.updates++
	h.env.UpdateWorkflow(name, fmt.Sprintf("%s-%d", name, h.updates), &testsuite.TestUpdateCallback{
		OnAccept: func() {},
		OnReject: func(err error) {
			h.mu.Lock()
			defer h.mu.Unlock()
			h.rejected[label] = err
		},
		OnComplete: func(any, error) {},
	}, a)
}

// mustUpdate sends an update that must be accepted.
func (h *triageHarness) mustUpdate(name string, a TriageAction) {
	h.updates++ // first, so that no update before it had the same ID
	h.env.UpdateWorkflow(name, fmt.Sprintf("%s-%d", name, h.updates), &testsuite.TestUpdateCallback{
		OnAccept:   func() {},
		OnReject:   func(err error) { h.t.Errorf("update %s by %s rejected: %v", name, a.By, err) },
		OnComplete: func(any, error) {},
	}, a)
}

// run executes the workflow and returns its timeline.
func (h *triageHarness) run(in TriageInput) TriageTimeline {
	h.t.Helper()
	h.env.ExecuteWorkflow(Triage, in)
	if !h.env.IsWorkflowCompleted() {
		h.t.Fatal("Triage did not complete")
	}
	var tl TriageTimeline
	if err := h.env.GetWorkflowResult(&tl); err != nil {
		h.t.Fatalf("Triage failed: %v", err)
	}
	return tl
}

// triggers returns the PagerDuty triggers, and actions the other events.
func (h *triageHarness) triggers() (triggers []activities.PageRequest, actions []string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, p := range h.pages {
		if p.Action == "" || p.Action == "trigger" {
			triggers = append(triggers, p)
		} else {
			actions = append(actions, p.Action)
		}
	}
	return triggers, actions
}

// postsContaining returns the posts whose text contains s.
func (h *triageHarness) postsContaining(s string) []activities.SlackMessage {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []activities.SlackMessage
	for _, p := range h.posts {
		if strings.Contains(p.Text, s) {
			out = append(out, p)
		}
	}
	return out
}

// ordersIncident is a report of the demo catalog's orders dataset.
func ordersIncident(sev int) TriageInput {
	return TriageInput{
		Dataset: catalog.Dataset{
			Name: "orders", Warehouse: "local", Table: "public.orders", FreshnessColumn: "loaded_at",
			Owner:     catalog.Owner{Team: "commerce-data", SlackChannel: "#commerce-data"},
			Partition: &catalog.Partition{Column: "order_date", Granularity: catalog.Day},
			SLOs:      []catalog.SLO{{Name: "fresh", Kind: catalog.Freshness, Threshold: catalog.Duration{Duration: 26 * time.Hour}}},
		},
		Report: TriageReport{Reporter: "U0ALICE", Severity: sev, Description: "late rows", Source: "slack", ReportedAt: triageStart},
	}
}

// newPolicyEnv is a test environment whose worker has a dre.yaml policy
// that accepts unsigned decisions, as the demo's does, and whose catalog
// makes alice of the owner team of the backfill tests' orders; tests of
// the policy itself set their own.
func newPolicyEnv(s *testsuite.WorkflowTestSuite) *testsuite.TestWorkflowEnvironment {
	env := s.NewTestWorkflowEnvironment()
	orders := backfillDataset()
	orders.Owner.Team = "orders-owners"
	env.RegisterActivity(&activities.Policy{
		People:  people.NewDirectory(map[string]people.Person{"alice": {}}, map[string]people.Group{"orders-owners": {People: []string{"alice"}}}),
		Catalog: catalog.New([]catalog.Dataset{orders}), AllowUnsigned: true,
	})
	return env
}
