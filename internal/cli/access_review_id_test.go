package cli

import "testing"

func TestReviewWorkflowIDTakesAPeriodOrAScheduledRunID(t *testing.T) {
	if got := reviewWorkflowID("2026Q4"); got != "access-review/2026Q4" {
		t.Errorf("period: %s", got)
	}
	if got := reviewWorkflowID("access-review/scheduled-2027-01-01T09:00:00Z"); got != "access-review/scheduled-2027-01-01T09:00:00Z" {
		t.Errorf("workflow ID: %s", got)
	}
}
