package workflows

import (
	"go.temporal.io/sdk/workflow"

	"github.com/dre-dev/dre/activities"
)

// triageUnpublishedChange is the GetVersion ID of the diagnosis check for
// partitions that failed write-audit-publish validation; triages started
// before it keep the checks they had, so their histories replay.
const triageUnpublishedChange = "triage-unpublished-partitions"

// diagnosisChecksOf is the diagnosis checks this triage runs.
func diagnosisChecksOf(ctx workflow.Context) []struct {
	name string
	run  any
} {
	checks := diagnosisChecks()
	if workflow.GetVersion(ctx, triageUnpublishedChange, workflow.DefaultVersion, 1) >= 1 {
		var d *activities.Diagnosis
		checks = append(checks, struct {
			name string
			run  any
		}{activities.CheckUnpublished, d.DiagnoseUnpublished})
	}
	return checks
}
