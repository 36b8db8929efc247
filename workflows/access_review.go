package workflows

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/dre-dev/dre/activities"
	"github.com/dre-dev/dre/internal/catalog"
)

// AccessReviewDecideUpdate records an approver's keep or revoke.
const AccessReviewDecideUpdate = "decide"

// Review decisions. ReviewAll as the grant of a decision applies it to
// every undecided grant the approver may decide.
const (
	ReviewKeep   = "keep"
	ReviewRevoke = "revoke"
	ReviewAll    = "all"
)

// Access review defaults.
const (
	DefaultReviewDeadline = 14 * 24 * time.Hour
	DefaultReviewReminder = 3 * 24 * time.Hour
)

// AccessReviewInput starts the review of one period.
type AccessReviewInput struct {
	// Period is the quarter reviewed, like 2026Q4; "" (a scheduled run)
	// means the quarter the run starts in.
	Period string `json:"period"`
	// Datasets are the catalog datasets with PII columns.
	Datasets []catalog.Dataset `json:"datasets"`
	// Ignore lists principals not reviewed: the warehouse's service roles,
	// which own the tables.
	Ignore []string `json:"ignore,omitempty"`
	// Deadline is how long approvers have (default 14d); RemindEvery is
	// how often the undecided are reminded (default 3d).
	Deadline    time.Duration `json:"deadline,omitempty"`
	RemindEvery time.Duration `json:"remindEvery,omitempty"`
	// ComplianceChannel receives the report.
	ComplianceChannel string `json:"complianceChannel,omitempty"`
}

// ReviewDecision is the argument of the decide update. A signed decision
// proves who sent it: Signature is an armored SSH signature by one of By's
// keys over decision.Decision{WorkflowID: the review's ID, Action:
// AccessReviewDecideUpdate, Target: ReviewDecisionTarget(decision),
// Decider: By, At, Nonce}. Without one it counts only where the worker's
// dre.yaml sets decisions.allow_unsigned, and is recorded as unverified.
type ReviewDecision struct {
	// By is who decides: their person ID under people: in dre.yaml (for
	// unsigned decisions also a Slack user ID or cli:<name>).
	By       string `json:"by"`
	Grant    string `json:"grant"` // a ReviewItem ID, or ReviewAll
	Decision string `json:"decision"`
	Note     string `json:"note,omitempty"`
	// Proof proves By sent it; its fields are inline in the JSON.
	Proof
}

// ReviewItem is one grant under review and what became of it.
type ReviewItem struct {
	ID      string `json:"id"`
	Dataset string `json:"dataset"`
	activities.AccessGrant
	Approvers []string `json:"approvers"`
	// Default is applied when nobody decides by the deadline.
	Default   string `json:"default"`
	Decision  string `json:"decision,omitempty"`
	DecidedBy string `json:"decidedBy,omitempty"` // "default" when nobody did
	// DecisionKey is the evidence of the decision: the fingerprint of the
	// key that signed it, or "unverified"; empty for a default.
	DecisionKey string `json:"decisionKey,omitempty"`
	Note        string `json:"note,omitempty"`
	Revoked     bool   `json:"revoked,omitempty"`
	// NotRevoked is why a grant decided revoke is still in place, once
	// its bounded retries are spent.
	NotRevoked string `json:"notRevoked,omitempty"`
}

// AccessReviewResult answers the status query and is the result.
type AccessReviewResult struct {
	Period   string       `json:"period"`
	Status   string       `json:"status"`
	Deadline time.Time    `json:"deadline,omitzero"`
	Items    []ReviewItem `json:"items"`
	Markdown string       `json:"markdown,omitempty"`
	CSV      string       `json:"csv,omitempty"`
}

var periodPattern = regexp.MustCompile(`^[0-9]{4}Q[1-4]$`)

// AccessReview reviews every grant on PII: each grant's approvers keep or
// revoke it; at the deadline the undecided get their dataset's default
// (revoke unless pii.review_default says keep); revocations are executed
// and verified, every decision is audited, and a report is posted.
func AccessReview(ctx workflow.Context, in AccessReviewInput) (AccessReviewResult, error) {
	if in.Period == "" { // started by the schedule: the quarter it runs in
		now := workflow.Now(ctx).UTC()
		in.Period = fmt.Sprintf("%dQ%d", now.Year(), (int(now.Month())+2)/3)
	}
	if !periodPattern.MatchString(in.Period) {
		return AccessReviewResult{}, temporal.NewNonRetryableApplicationError(
			fmt.Sprintf("period %q: write a quarter like 2026Q4", in.Period), ErrInvalidInput, nil)
	}
	r := &review{in: in, res: AccessReviewResult{Period: in.Period, Status: "enumerating"}}
	r.guard.start(ctx)
	if err := r.registerHandlers(ctx); err != nil {
		return r.res, err
	}
	// A review spans datasets: the general rules apply, with each
	// dataset's overrides (authz.datasets) per grant.
	if err := r.guard.load(ctx, ""); err != nil {
		return r.res, err
	}
	if err := r.enumerate(ctx); err != nil {
		return r.res, err
	}
	if err := r.loadDeciders(ctx); err != nil {
		return r.res, err
	}
	r.startSettling(ctx)
	if err := r.collect(ctx); err != nil {
		return r.res, err
	}
	if err := r.settleDefaults(ctx); err != nil {
		return r.res, err
	}
	if err := r.execute(ctx); err != nil {
		return r.res, err
	}
	r.report(ctx)
	return r.res, nil
}

// review is the state of one review.
type review struct {
	in  AccessReviewInput
	res AccessReviewResult
	// guard proves who decides and applies the authz: policy; its policy
	// is nil in runs recorded before it.
	guard decisionGuard
	// settle rewrites the asks as grants are decided.
	settle reviewSettle
}

func (r *review) setStatus(ctx workflow.Context, status string) {
	r.res.Status = status
	setAccessStatus(ctx, status, r.res.Deadline)
	if err := workflow.UpsertTypedSearchAttributes(ctx, PhaseKey.ValueSet(status)); err != nil {
		workflow.GetLogger(ctx).Warn("phase not published", "error", err)
	}
}

// enumerate lists the PII grants and turns them into review items.
func (r *review) enumerate(ctx workflow.Context) error {
	r.setStatus(ctx, "enumerating")
	byName := map[string]catalog.Dataset{}
	in := activities.ListPIIGrantsInput{Ignore: r.in.Ignore}
	for _, ds := range r.in.Datasets {
		byName[ds.Name] = ds
		in.Tables = append(in.Tables, activities.PIITable{Dataset: ds.Name, Warehouse: ds.Warehouse, Table: ds.Table, Columns: piiColumns(ds)})
	}
	var a *activities.Access
	actx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{StartToCloseTimeout: 5 * time.Minute, Summary: "list grants on PII"})
	var grants []activities.PIIGrant
	if err := workflow.ExecuteActivity(actx, a.ListPIIGrants, in).Get(ctx, &grants); err != nil {
		return err
	}
	for _, g := range grants {
		ds := byName[g.Dataset]
		r.res.Items = append(r.res.Items, ReviewItem{ID: reviewItemID(g), Dataset: g.Dataset, AccessGrant: g.AccessGrant,
			Approvers: ds.PII.Approvers, Default: reviewDefault(ds)})
	}
	return nil
}

// reviewItemID names a grant in a review: dataset/principal, then the
// column of a column grant. A BigQuery member may hold several roles, on
// the table and on its dataset, so an IAM role adds its last part, after
// "dataset-" when held on the dataset:
// customers/user:ann@example.com/dataset-dataViewer.
func reviewItemID(g activities.PIIGrant) string {
	id := g.Dataset + "/" + g.Grant.Principal
	if g.Grant.Column != "" {
		id += "/" + g.Grant.Column
	}
	if !strings.Contains(g.Grant.Privilege, "/") {
		return id
	}
	role := g.Grant.Privilege[strings.LastIndex(g.Grant.Privilege, "/")+1:]
	if i := strings.LastIndex(role, "."); i >= 0 {
		role = role[i+1:]
	}
	if g.Grant.OnDataset {
		role = "dataset-" + role
	}
	return id + "/" + role
}

// loadDeciders takes each grant's approvers (and its dataset's owner
// team) from the worker's catalog, not from the input a client sent,
// before anyone is asked to decide.
func (r *review) loadDeciders(ctx workflow.Context) error {
	datasets := make([]string, len(r.res.Items))
	for i, it := range r.res.Items {
		datasets[i] = it.Dataset
	}
	if err := r.guard.loadDeciders(ctx, datasets); err != nil {
		return err
	}
	for i := range r.res.Items {
		it := &r.res.Items[i]
		it.Approvers = r.guard.approversOf(it.Dataset, it.Approvers)
	}
	return nil
}

// piiColumns lists a dataset's PII columns in a stable order.
func piiColumns(ds catalog.Dataset) []string {
	cols := make([]string, 0, len(ds.PII.Columns))
	//workflowcheck:ignore the keys are sorted right after
	for c := range ds.PII.Columns {
		cols = append(cols, c)
	}
	slices.Sort(cols)
	return cols
}

func reviewDefault(ds catalog.Dataset) string {
	if ds.PII.ReviewDefault == ReviewKeep {
		return ReviewKeep
	}
	return ReviewRevoke
}
