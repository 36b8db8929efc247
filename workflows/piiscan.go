package workflows

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/dre-dev/dre/activities"
	"github.com/dre-dev/dre/internal/catalog"
)

// piiScanConcurrency bounds the tables sampled at once, so that a scan of
// the whole catalog does not crowd a warehouse.
const piiScanConcurrency = 4

// PIIScan samples every column of each dataset, runs the PII detectors,
// reports untagged PII and tags that found nothing, and offers the
// owners "tag as PII": the tag update, accepted only from the dataset's
// PII approvers, tags the column in the warehouse and verifies the tag.
// Offers stay open until each is taken or ApprovalTimeout passes; then
// the report is posted and returned.
//
// The history grows by about six events per dataset and three per tag,
// so even a catalog of a thousand tables stays far below Temporal's limit.
func PIIScan(ctx workflow.Context, in PIIScanInput) (PIIScanReport, error) {
	if err := in.validate(); err != nil {
		return PIIScanReport{}, temporal.NewNonRetryableApplicationError(err.Error(), ErrInvalidInput, nil)
	}
	s := newPIIScan(ctx, in)
	s.guard.start(ctx)
	if err := s.registerHandlers(ctx); err != nil {
		return s.report(), err
	}
	// A scan spans datasets: the general rules apply, with each dataset's
	// overrides (authz.datasets) per tag.
	if err := s.guard.load(ctx, ""); err != nil {
		return s.report(), err
	}
	if err := s.setStatus(ctx, PIIScanScanning); err != nil {
		return s.report(), err
	}
	s.scanAll(ctx)
	if err := s.awaitApprovals(ctx); err != nil {
		return s.report(), err
	}
	if err := s.setStatus(ctx, PIIScanDone); err != nil {
		return s.report(), err
	}
	s.postReport(ctx)
	return s.report(), nil
}

// piiScan is the state of one scan. The tag handler runs its activity
// itself: tags are independent of each other and of the main loop.
type piiScan struct {
	in       PIIScanInput
	id       string
	status   string
	started  time.Time
	deadline time.Time
	byName   map[string]catalog.Dataset
	scans    []activities.PIIDatasetScan
	failed   []PIIScanFailure
	tagged   []PIITagged
	inFlight map[string]bool // dataset/column tags being written
	// guard proves who approves a tag and applies the authz: policy; its
	// policy is nil in runs recorded before it.
	guard decisionGuard
	// settle rewrites the owners' notices as columns are tagged.
	settle piiSettle
}

func newPIIScan(ctx workflow.Context, in PIIScanInput) *piiScan {
	if in.SampleLimit == 0 {
		in.SampleLimit = DefaultPIISampleLimit
	}
	if in.ApprovalTimeout == 0 {
		in.ApprovalTimeout = DefaultPIIApprovalTimeout
	}
	s := &piiScan{in: in, id: workflow.GetInfo(ctx).WorkflowExecution.ID, started: workflow.Now(ctx),
		byName: map[string]catalog.Dataset{}, inFlight: map[string]bool{}}
	for _, d := range in.Datasets {
		s.byName[d.Name] = d
	}
	return s
}

// scanAll scans the datasets, piiScanConcurrency at a time, in catalog
// order so that the report's order does not depend on timing.
func (s *piiScan) scanAll(ctx workflow.Context) {
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 10 * time.Minute,
		RetryPolicy:         &temporal.RetryPolicy{InitialInterval: 5 * time.Second, MaximumAttempts: 3},
	})
	var a *activities.PIIScans
	futures := make([]workflow.Future, len(s.in.Datasets))
	for i, d := range s.in.Datasets {
		if i >= piiScanConcurrency {
			s.collect(ctx, s.in.Datasets[i-piiScanConcurrency], futures[i-piiScanConcurrency])
		}
		futures[i] = workflow.ExecuteActivity(ctx, a.ScanDataset, activities.PIIScanInput{
			Dataset: d.Name, Warehouse: d.Warehouse, Table: d.Table, Tagged: d.PII.Columns,
			Limit: s.in.SampleLimit, Threshold: s.in.Threshold, ContainsThreshold: s.in.ContainsThreshold,
		})
	}
	for i := max(0, len(futures)-piiScanConcurrency); i < len(futures); i++ {
		s.collect(ctx, s.in.Datasets[i], futures[i])
	}
}

// collect records one dataset's scan, or why it failed; one unreadable
// table does not stop the others' report.
func (s *piiScan) collect(ctx workflow.Context, d catalog.Dataset, f workflow.Future) {
	var res activities.PIIDatasetScan
	if err := f.Get(ctx, &res); err != nil {
		s.failed = append(s.failed, PIIScanFailure{Dataset: d.Name, Error: failureReason(err)})
		return
	}
	s.scans = append(s.scans, res)
}

// awaitApprovals notifies the owners of untagged PII and waits until every
// offer is taken or the deadline passes, then lets a tag being written
// finish.
func (s *piiScan) awaitApprovals(ctx workflow.Context) error {
	if s.offers() == 0 {
		return nil
	}
	if err := s.loadDeciders(ctx); err != nil {
		return err
	}
	s.deadline = workflow.Now(ctx).Add(s.in.ApprovalTimeout)
	if err := s.setStatus(ctx, PIIScanAwaiting); err != nil {
		return err
	}
	s.settle.on = workflow.GetVersion(ctx, piiTagDecidedChange, workflow.DefaultVersion, 1) >= 1
	s.notifyOwners(ctx)
	s.settle.posted = true
	opts := workflow.AwaitOptions{Timeout: s.in.ApprovalTimeout, TimerOptions: workflow.TimerOptions{Summary: "PII tag approval deadline"}}
	if _, err := workflow.AwaitWithOptions(ctx, opts, func() bool { return s.offers() == 0 }); err != nil {
		return err
	}
	s.status = PIIScanDone // the validator turns late approvals away from here on
	return workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) })
}

// offers counts the untagged PII columns not yet tagged.
func (s *piiScan) offers() int {
	n := 0
	for _, d := range s.scans {
		for _, c := range d.Untagged {
			if !s.isTagged(d.Dataset, c.Column) {
				n++
			}
		}
	}
	return n
}

func (s *piiScan) setStatus(ctx workflow.Context, status string) error {
	s.status = status
	workflow.SetCurrentDetails(ctx, "PII scan of "+s.in.Scope+": "+status)
	return workflow.UpsertTypedSearchAttributes(ctx,
		KindKey.ValueSet(KindPIIScan), DatasetKey.ValueSet(s.in.Scope), StatusKey.ValueSet(status))
}

// The PII scan's handlers: TagUpdate is the approval of "tag as PII";
// ReportUpdate answers with the report once the scan is done, which is
// how `dre pii scan` waits for it (update-with-start).
const (
	PIIScanTagUpdate    = "tag"
	PIIScanReportUpdate = "report"
)

// PII scan statuses, also written to the DreStatus search attribute.
const (
	PIIScanScanning = "scanning"
	PIIScanAwaiting = "awaiting-approval"
	PIIScanDone     = "done"
)

// PIIScanAllScope is the scope of a scan of the whole catalog.
const PIIScanAllScope = "all"

// Defaults of PIIScanInput.
const (
	DefaultPIISampleLimit     = 200
	DefaultPIIApprovalTimeout = 7 * 24 * time.Hour
)

// PIIScanInput starts a scan of some catalog datasets.
type PIIScanInput struct {
	// Scope names the scan in its workflow ID: PIIScanAllScope or the
	// dataset names (see PIIScanScope).
	Scope    string            `json:"scope"`
	Datasets []catalog.Dataset `json:"datasets"`
	// SampleLimit is the values sampled per column; 0 means 200.
	SampleLimit int `json:"sampleLimit,omitempty"`
	// Threshold is the match ratio that flags a column; 0 means 0.8.
	Threshold float64 `json:"threshold,omitempty"`
	// ContainsThreshold is the share of a free-text column's rows that
	// must mention one kind to flag it; 0 means 0.2.
	ContainsThreshold float64 `json:"containsThreshold,omitempty"`
	// ApprovalTimeout is how long "tag as PII" stays on offer; 0 means 7
	// days. The stated default when nobody approves: the column stays
	// untagged and the report says so.
	ApprovalTimeout time.Duration `json:"approvalTimeout,omitempty"`
	// ReportChannel receives the whole report; without it each owner's
	// channel receives the part about its datasets.
	ReportChannel string `json:"reportChannel,omitempty"`
}

// PIIScanScope is the scope of a scan of datasets: PIIScanAllScope for
// none (the whole catalog), else their sorted names joined by commas.
func PIIScanScope(datasets []string) string {
	if len(datasets) == 0 {
		return PIIScanAllScope
	}
	names := slices.Sorted(slices.Values(datasets))
	return strings.Join(slices.Compact(names), ",")
}

func (in PIIScanInput) validate() error {
	if in.Scope == "" {
		return errors.New("a PII scan needs a scope (PIIScanScope of its datasets)")
	}
	if len(in.Datasets) == 0 {
		return errors.New("a PII scan needs at least one catalog dataset; is the catalog empty?")
	}
	if in.SampleLimit < 0 || in.SampleLimit > activities.MaxPIISample {
		return fmt.Errorf("sample limit %d: use 1 to %d values per column", in.SampleLimit, activities.MaxPIISample)
	}
	if in.Threshold < 0 || in.Threshold > 1 {
		return fmt.Errorf("threshold %v: use a match ratio between 0 and 1, such as 0.8", in.Threshold)
	}
	if in.ContainsThreshold < 0 || in.ContainsThreshold > 1 {
		return fmt.Errorf("contains threshold %v: use a share of rows between 0 and 1, such as 0.2", in.ContainsThreshold)
	}
	for _, d := range in.Datasets {
		if d.Name == "" || d.Warehouse == "" || d.Table == "" {
			return fmt.Errorf("dataset %q needs a name, a warehouse and a table", d.Name)
		}
	}
	return nil
}

// PIITagRequest approves tagging one column found holding PII.
type PIITagRequest struct {
	Dataset string `json:"dataset"`
	Column  string `json:"column"`
	// Kind is the tag; "" means the kind the scan found.
	Kind catalog.PIIKind `json:"kind,omitempty"`
	// Approver is who approves: their person ID under people: in
	// dre.yaml (for unsigned approvals also a Slack user ID); by default
	// one of the dataset's pii.approvers (authz rule pii.tag).
	Approver string `json:"approver"`
	// Proof proves Approver sent it: a signature over decision.Decision
	// {WorkflowID: the scan's ID, Action: PIIScanTagUpdate, Target:
	// PIITagTarget(request), Decider: Approver, At, Nonce}. Its fields are
	// inline in the JSON.
	Proof
}

// PIITagged is an approved and verified tag.
type PIITagged struct {
	Dataset  string          `json:"dataset"`
	Column   string          `json:"column"`
	Kind     catalog.PIIKind `json:"kind"`
	Approver string          `json:"approver"`
	At       time.Time       `json:"at"`
	// VerifiedKey is the fingerprint of the key that signed the approval,
	// or "unverified"; empty in scans recorded before it was checked.
	VerifiedKey string `json:"verifiedKey,omitempty"`
}

// PIIScanFailure is a dataset the scan could not read.
type PIIScanFailure struct {
	Dataset string `json:"dataset"`
	Error   string `json:"error"`
}

// PIIScanReport is the scan as it stands: the answer to the status query
// and the report update, and the workflow's result.
type PIIScanReport struct {
	WorkflowID string                      `json:"workflowId"`
	Scope      string                      `json:"scope"`
	Status     string                      `json:"status"`
	StartedAt  time.Time                   `json:"startedAt"`
	Deadline   time.Time                   `json:"deadline,omitzero"`
	Datasets   []activities.PIIDatasetScan `json:"datasets,omitempty"`
	Failed     []PIIScanFailure            `json:"failed,omitempty"`
	Tagged     []PIITagged                 `json:"tagged,omitempty"`
	// Markdown renders all of the above for people.
	Markdown string `json:"markdown"`
}
