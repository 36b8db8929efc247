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
	"github.com/dre-dev/dre/internal/authz"
)

// registerHandlers answers the status query, the report update (which
// waits for the scan) and the tag update, whose validator keeps
// unauthorized and stale approvals out of the history.
func (s *piiScan) registerHandlers(ctx workflow.Context) error {
	if err := workflow.SetQueryHandler(ctx, StatusQuery, func() (PIIScanReport, error) { return s.report(), nil }); err != nil {
		return err
	}
	if err := workflow.SetUpdateHandler(ctx, PIIScanReportUpdate, s.onReport); err != nil {
		return err
	}
	return workflow.SetUpdateHandlerWithOptions(ctx, PIIScanTagUpdate, s.onTag,
		workflow.UpdateHandlerOptions{Validator: s.validateTag})
}

// onReport returns the report once every dataset has been scanned.
func (s *piiScan) onReport(ctx workflow.Context) (PIIScanReport, error) {
	err := workflow.Await(ctx, func() bool { return s.status != "" && s.status != PIIScanScanning })
	return s.report(), err
}

// validateTag accepts only an open offer approved by one of the dataset's
// PII approvers.
func (s *piiScan) validateTag(ctx workflow.Context, r PIITagRequest) error {
	if r.Approver == "" && r.Via == "" {
		return errors.New("say who approves: PIITagRequest.Approver is empty (a Slack user ID from the dataset's pii.approvers)")
	}
	if s.status != PIIScanAwaiting {
		return fmt.Errorf("the scan %s is %s and takes no approvals; run a new scan with dre pii scan %s", s.id, s.status, r.Dataset)
	}
	col, err := s.offer(r.Dataset, r.Column)
	if err != nil {
		return err
	}
	if r.Kind != "" && !r.Kind.Valid() {
		return fmt.Errorf("PII kind %q is not a catalog kind; the scan found %s", r.Kind, col.Found)
	}
	approvers := s.approvers(r.Dataset)
	if len(approvers) == 0 {
		return fmt.Errorf("dataset %s has no PII approvers in the worker's dre.yaml; add pii.approvers to it there", r.Dataset)
	}
	if err := s.guard.ready(); err != nil {
		return err
	}
	if s.guard.policy != nil {
		_, err := s.guard.check(ctx, s.claim(r), authz.PIITag, s.tagFacts(r.Dataset))
		return err
	}
	if by := legacyDecider(r.Approver, r.Proof); !slices.Contains(approvers, by) {
		return fmt.Errorf("%s is not a PII approver of %s; ask one of %s", by, r.Dataset, strings.Join(approvers, ", "))
	}
	return nil
}

// offer finds the untagged PII column a request names, if still on offer.
func (s *piiScan) offer(dataset, column string) (activities.PIIColumn, error) {
	for _, d := range s.scans {
		if d.Dataset != dataset {
			continue
		}
		for _, c := range d.Untagged {
			if c.Column != column {
				continue
			}
			if s.isTagged(dataset, column) || s.inFlight[dataset+"/"+column] {
				return c, fmt.Errorf("%s.%s is already tagged or being tagged", dataset, column)
			}
			return c, nil
		}
		return activities.PIIColumn{}, fmt.Errorf("the scan found no untagged PII in %s.%s; see the report for the columns on offer", dataset, column)
	}
	return activities.PIIColumn{}, fmt.Errorf("dataset %q is not in this scan (scope %s)", dataset, s.in.Scope)
}

// onTag tags the column in the warehouse and verifies the tag. A failure
// fails the update only: the offer stays open for another try.
func (s *piiScan) onTag(ctx workflow.Context, r PIITagRequest) (PIITagged, error) {
	col, err := s.offer(r.Dataset, r.Column)
	if err != nil && s.guard.policy != nil {
		return PIITagged{}, err // a second approval accepted in the same task
	}
	who, err := s.guard.accept(ctx, s.claim(r))
	if err != nil {
		return PIITagged{}, err
	}
	if r.Kind == "" {
		r.Kind = col.Found
	}
	key := r.Dataset + "/" + r.Column
	s.inFlight[key] = true
	defer delete(s.inFlight, key)
	d := s.byName[r.Dataset]
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: time.Minute,
		RetryPolicy:         &temporal.RetryPolicy{InitialInterval: time.Second, MaximumAttempts: 5},
		Summary:             fmt.Sprintf("tag %s.%s as %s", d.Table, r.Column, r.Kind),
	})
	var a *activities.PIIScans
	var res activities.PIITagResult
	in := activities.PIITagInput{Warehouse: d.Warehouse, Table: d.Table, Column: r.Column, Kind: r.Kind}
	if err := workflow.ExecuteActivity(ctx, a.TagColumn, in).Get(ctx, &res); err != nil {
		return PIITagged{}, fmt.Errorf("tagging %s.%s failed, the offer stays open: %s", r.Dataset, r.Column, failureReason(err))
	}
	t := PIITagged{Dataset: r.Dataset, Column: r.Column, Kind: res.Tag, Approver: who.name, At: workflow.Now(ctx), VerifiedKey: who.evidence}
	s.tagged = append(s.tagged, t)
	s.auditTag(ctx, t)
	s.settleNotice(ctx, r.Dataset)
	return t, nil
}

func (s *piiScan) isTagged(dataset, column string) bool {
	_, ok := s.tagOf(dataset, column)
	return ok
}

// tagOf returns a column's approved tag, if any.
func (s *piiScan) tagOf(dataset, column string) (PIITagged, bool) {
	i := slices.IndexFunc(s.tagged, func(t PIITagged) bool { return t.Dataset == dataset && t.Column == column })
	if i < 0 {
		return PIITagged{}, false
	}
	return s.tagged[i], true
}
