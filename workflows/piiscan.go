package workflows

import (
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
	if err := s.registerHandlers(ctx); err != nil {
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
			Limit: s.in.SampleLimit, Threshold: s.in.Threshold,
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
	s.deadline = workflow.Now(ctx).Add(s.in.ApprovalTimeout)
	if err := s.setStatus(ctx, PIIScanAwaiting); err != nil {
		return err
	}
	s.notifyOwners(ctx)
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
