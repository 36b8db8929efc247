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
)

// piiHarness runs PIIScan with the scan, the tagging and Slack mocked.
type piiHarness struct {
	env   *testsuite.TestWorkflowEnvironment
	mu    sync.Mutex
	tags  []activities.PIITagInput
	posts []activities.SlackMessage
	sent  int // updates sent, for unique update IDs
	// extra are more untagged columns the scan reports, likely its
	// "likely PII" columns.
	extra  []activities.PIIColumn
	likely []activities.PIIHint
	// people and policy are the worker's dre.yaml the guard loads:
	// testPeople's directory, unsigned approvals allowed.
	people *testPeople
	policy *activities.Policy
	audit  *auditLog
}

var piiSignups = catalog.Dataset{
	Name: "signups", Warehouse: "local", Table: "growth.signups",
	Owner: catalog.Owner{Team: "growth", SlackChannel: "#growth"},
	PII:   catalog.PII{Columns: map[string]catalog.PIIKind{"phone": catalog.PIIPhone}, Approvers: []string{"U0OWNER"}},
}

func newPIIHarness(t *testing.T) *piiHarness {
	var s testsuite.WorkflowTestSuite
	h := &piiHarness{env: s.NewTestWorkflowEnvironment()}
	h.env.SetStartWorkflowOptions(client.StartWorkflowOptions{ID: PIIScanWorkflowID("signups")})
	h.people = newTestPeople(t)
	h.policy = registerPolicy(h.env, h.people.dir, true)
	h.audit = recordAudit(h.env)
	var a *activities.PIIScans
	h.env.OnActivity(a.ScanDataset, mock.Anything, mock.Anything).Return(func(_ context.Context, in activities.PIIScanInput) (activities.PIIDatasetScan, error) {
		if in.Tagged["phone"] != catalog.PIIPhone || in.Limit != DefaultPIISampleLimit {
			t.Errorf("scan input %+v: want the catalog's tags and the default limit", in)
		}
		return activities.PIIDatasetScan{Dataset: in.Dataset, Table: in.Table, Columns: 3,
			Untagged:    append([]activities.PIIColumn{{Column: "contact", Found: catalog.PIIEmail, Ratio: 1, Confidence: 0.95, Sampled: 50}}, h.extra...),
			Unconfirmed: []activities.PIIColumn{{Column: "phone", Tagged: catalog.PIIPhone, Sampled: 50}},
			Likely:      h.likely, SampleMethod: "TABLESAMPLE BERNOULLI (1.2%) of about 50000 rows"}, nil
	})
	h.env.OnActivity(a.TagColumn, mock.Anything, mock.Anything).Return(func(_ context.Context, in activities.PIITagInput) (activities.PIITagResult, error) {
		h.mu.Lock()
		defer h.mu.Unlock()
		h.tags = append(h.tags, in)
		return activities.PIITagResult{Column: in.Column, Tag: in.Kind}, nil
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
	return h
}

// tag sends a tag update after delay and returns where its outcome lands.
func (h *piiHarness) tag(delay time.Duration, r PIITagRequest) *piiTagOutcome {
	out := &piiTagOutcome{}
	h.sent++
	id := fmt.Sprintf("tag-%d", h.sent)
	h.env.RegisterDelayedCallback(func() {
		h.env.UpdateWorkflow(PIIScanTagUpdate, id, &testsuite.TestUpdateCallback{
			OnReject:   func(err error) { out.rejected = err },
			OnAccept:   func() { out.accepted = true },
			OnComplete: func(_ any, err error) { out.err = err },
		}, r)
	}, delay)
	return out
}

type piiTagOutcome struct {
	accepted bool
	rejected error
	err      error
}

// run runs the scan of in. Unless a test gave the worker a catalog of its
// own, the worker's catalog is in's datasets, as when the CLI and the
// worker read the same dre.yaml.
func (h *piiHarness) run(t *testing.T, in PIIScanInput) PIIScanReport {
	t.Helper()
	if h.policy.Catalog.Len() == 0 {
		h.policy.Catalog = catalog.New(in.Datasets)
	}
	h.env.ExecuteWorkflow(PIIScan, in)
	if err := h.env.GetWorkflowError(); err != nil {
		t.Fatalf("PIIScan failed: %v", err)
	}
	var r PIIScanReport
	if err := h.env.GetWorkflowResult(&r); err != nil {
		t.Fatal(err)
	}
	return r
}

func TestPIIScanApproverTagsAndNonApproverIsRejected(t *testing.T) {
	h := newPIIHarness(t)
	stranger := h.tag(time.Hour, PIITagRequest{Dataset: "signups", Column: "contact", Approver: "U0STRANGER"})
	owner := h.tag(2*time.Hour, PIITagRequest{Dataset: "signups", Column: "contact", Approver: "U0OWNER"})
	r := h.run(t, PIIScanInput{Scope: "signups", Datasets: []catalog.Dataset{piiSignups}})

	if stranger.accepted || stranger.rejected == nil || !strings.Contains(stranger.rejected.Error(), "may not tag a PII column (pii.tag): it is limited to approvers (U0OWNER)") {
		t.Errorf("non-approver: accepted %v, rejection %v; want a rejection naming the approvers", stranger.accepted, stranger.rejected)
	}
	if !owner.accepted || owner.err != nil {
		t.Fatalf("approver: accepted %v, error %v; want the tag applied", owner.accepted, owner.err)
	}
	want := activities.PIITagInput{Warehouse: "local", Table: "growth.signups", Column: "contact", Kind: catalog.PIIEmail}
	if len(h.tags) != 1 || h.tags[0] != want {
		t.Errorf("tags written %+v; want exactly %+v (the detected kind)", h.tags, want)
	}
	if r.Status != PIIScanDone || len(r.Tagged) != 1 || r.Tagged[0].Approver != "U0OWNER" {
		t.Errorf("report %+v; want done with one tag approved by U0OWNER", r)
	}
	for _, s := range []string{"| signups | `contact` | is email | 100% of 50 | 0.95 | - | tagged email, approved by U0OWNER |", "| signups | `phone` | phone | 50 |"} {
		if !strings.Contains(r.Markdown, s) {
			t.Errorf("report lacks %q:\n%s", s, r.Markdown)
		}
	}
	if len(h.posts) != 3 || h.posts[0].Channel != "#growth" || !strings.Contains(h.posts[0].Text, "dre pii tag signups contact --workflow pii-scan/signups") ||
		h.posts[1].UpdateTS == "" || !strings.Contains(h.posts[2].Text, "# PII scan: signups") {
		t.Errorf("posts %+v; want the owner's notice with the tag command, its update, then the report, in #growth", h.posts)
	}
}

func TestPIIScanLeavesColumnsUntaggedAtTheDeadline(t *testing.T) {
	h := newPIIHarness(t)
	late := h.tag(49*time.Hour, PIITagRequest{Dataset: "signups", Column: "contact", Approver: "U0OWNER"})
	r := h.run(t, PIIScanInput{Scope: "signups", Datasets: []catalog.Dataset{piiSignups}, ApprovalTimeout: 48 * time.Hour, ReportChannel: "#privacy"})
	if len(h.tags) != 0 || len(r.Tagged) != 0 {
		t.Errorf("tags %+v written without an approval", h.tags)
	}
	if !strings.Contains(r.Markdown, "**not tagged**: no approval before the deadline") {
		t.Errorf("report does not state the default:\n%s", r.Markdown)
	}
	if late.accepted {
		t.Error("an approval after the workflow closed was accepted")
	}
	if last := h.posts[len(h.posts)-1]; last.Channel != "#privacy" {
		t.Errorf("report posted to %s, want the report channel #privacy", last.Channel)
	}
}

func TestPIIScanRejectsUnknownColumnsAndBadKinds(t *testing.T) {
	h := newPIIHarness(t)
	h.extra = []activities.PIIColumn{{Column: "ip", Found: catalog.PIIIP, Ratio: 1, Sampled: 50}} // keeps the offers open
	other := h.tag(time.Hour, PIITagRequest{Dataset: "signups", Column: "plan", Approver: "U0OWNER"})
	kind := h.tag(time.Hour, PIITagRequest{Dataset: "signups", Column: "contact", Kind: "mail", Approver: "U0OWNER"})
	h.tag(2*time.Hour, PIITagRequest{Dataset: "signups", Column: "contact", Kind: catalog.PIIOther, Approver: "U0OWNER"})
	again := h.tag(3*time.Hour, PIITagRequest{Dataset: "signups", Column: "contact", Approver: "U0OWNER"})
	r := h.run(t, PIIScanInput{Scope: "signups", Datasets: []catalog.Dataset{piiSignups}})
	for name, o := range map[string]*piiTagOutcome{"unknown column": other, "bad kind": kind, "second tag": again} {
		if o.accepted || o.rejected == nil {
			t.Errorf("%s: accepted; want a rejection", name)
		}
	}
	if len(r.Tagged) != 1 || r.Tagged[0].Kind != catalog.PIIOther {
		t.Errorf("tagged %+v; want the approver's explicit kind, other", r.Tagged)
	}
}

func TestPIIScanWithoutFindingsFinishesAtOnce(t *testing.T) {
	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	registerPolicy(env, nil, true)
	var a *activities.PIIScans
	env.OnActivity(a.ScanDataset, mock.Anything, mock.Anything).Return(activities.PIIDatasetScan{Dataset: "signups", Columns: 2}, nil)
	env.ExecuteWorkflow(PIIScan, PIIScanInput{Scope: "signups", Datasets: []catalog.Dataset{piiSignups}})
	var r PIIScanReport
	if err := env.GetWorkflowResult(&r); err != nil || r.Status != PIIScanDone || !strings.Contains(r.Markdown, "None found.") {
		t.Fatalf("result %+v, %v; want done with no untagged PII", r, err)
	}
}

func TestPIIScanScheduleIsDailyAndBoundsApprovals(t *testing.T) {
	o := PIIScanSchedule(PIIScanInput{Scope: "all"}, 0, "")
	iv := o.Spec.Intervals
	if o.ID != "pii-scan/all" || len(iv) != 1 || iv[0].Every != 24*time.Hour || iv[0].Offset != 3*time.Hour {
		t.Fatalf("schedule %+v; want pii-scan/all daily at 03:00", o)
	}
	act := o.Action.(*client.ScheduleWorkflowAction)
	in := act.Args[0].(PIIScanInput)
	if act.Workflow != PIIScanWorkflowName || act.TaskQueue != TaskQueue || in.ApprovalTimeout >= 24*time.Hour {
		t.Errorf("action %+v; want the PII scan on dre's queue with approvals closing before the next run", act)
	}
	if PIIScanScope([]string{"orders", "customers", "orders"}) != "customers,orders" || PIIScanScope(nil) != PIIScanAllScope {
		t.Error("PIIScanScope must sort and deduplicate names, and scope no names as all")
	}
}

func TestPIIScanReportShowsPathsMentionsLikelyPIIAndTheSample(t *testing.T) {
	h := newPIIHarness(t)
	h.extra = []activities.PIIColumn{
		{Column: "payload", Path: "payload.user.email", Mode: "is", Found: catalog.PIIEmail, Ratio: 1, Confidence: 0.95, Sampled: 40},
		{Column: "payload", Path: "payload.user.name", Mode: "is", Found: catalog.PIIName, Ratio: 0.9, Confidence: 0.8, Sampled: 40,
			Reasons: []string{"90% are shaped like names", "45% hold a listed given name or surname"}},
		{Column: "note", Mode: "contains", Found: catalog.PIIPhone, Ratio: 0.33, Confidence: 0.83, Sampled: 60,
			Reasons: []string{"33% of values mention a phone number"}},
	}
	h.likely = []activities.PIIHint{{Column: "ssn", Kind: catalog.PIINationalID, Reason: `column name "ssn"`}}
	r := h.run(t, PIIScanInput{Scope: "signups", Datasets: []catalog.Dataset{piiSignups}, ContainsThreshold: 0.25})
	for _, s := range []string{
		"| signups | `payload.user.email` | is email | 100% of 40 | 0.95 | - |",
		"| signups | `payload.user.name` | is name | 90% of 40 | 0.80 | 90% are shaped like names; 45% hold a listed given name or surname |",
		"| signups | `note` | mentions phone | 33% of 60 | 0.83 | 33% of values mention a phone number |",
		"## Likely PII, check", "| signups | `ssn` | national_id | column name \"ssn\" | 0 |",
		"- signups: TABLESAMPLE BERNOULLI (1.2%) of about 50000 rows", "when 25% of its rows mention one",
	} {
		if !strings.Contains(r.Markdown, s) {
			t.Errorf("report lacks %q:\n%s", s, r.Markdown)
		}
	}
	if len(h.posts) == 0 || len(h.posts[0].Actions) != 1 || len(h.posts[0].Actions[0].Buttons) != 3 {
		t.Fatalf("owner notice %+v; want one tag button per column (contact, payload, note)", h.posts)
	}
}

func TestPIIScanRefusesABadContainsThreshold(t *testing.T) {
	h := newPIIHarness(t)
	h.env.ExecuteWorkflow(PIIScan, PIIScanInput{Scope: "signups", Datasets: []catalog.Dataset{piiSignups}, ContainsThreshold: 1.5})
	if err := h.env.GetWorkflowError(); err == nil || !strings.Contains(err.Error(), "contains threshold 1.5") {
		t.Fatalf("a contains threshold of 1.5: %v; want a refusal that names it", err)
	}
}
