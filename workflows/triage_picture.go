package workflows

import (
	"go.temporal.io/sdk/workflow"

	"github.com/dre-dev/dre/activities"
)

// triagePictureChange is the GetVersion ID of the lineage picture in the
// postmortem; incidents resolved before it have none.
const triagePictureChange = "triage-postmortem-lineage"

// lineagePicture draws the incident dataset's neighbourhood, two edges
// up and down, from the worker's catalog, for the postmortem. A picture
// that cannot be drawn is left out: the postmortem matters more.
func (t *triage) lineagePicture(ctx workflow.Context) string {
	if workflow.GetVersion(ctx, triagePictureChange, workflow.DefaultVersion, 1) == workflow.DefaultVersion {
		return ""
	}
	var l *activities.Lineage
	var picture string
	in := activities.NeighbourhoodInput{Dataset: t.in.Dataset.Name}
	if err := workflow.ExecuteActivity(diagnosisOptions(ctx, "lineage picture"), l.Neighbourhood, in).Get(ctx, &picture); err != nil {
		workflow.GetLogger(ctx).Warn("triage: no lineage picture for the postmortem", "error", err)
		return ""
	}
	return picture
}
