package gateway

import (
	"context"
	"strings"
	"time"

	"github.com/dre-dev/dre/internal/alerts"
	"github.com/dre-dev/dre/internal/catalog"
	"github.com/dre-dev/dre/workflows"
)

// alertJoinedUpstream prefixes the outcome of alerts that joined the open
// incident of an upstream dataset; the upstream's name follows.
const alertJoinedUpstream = "joined upstream incident: "

// joinUpstream delivers a firing batch on ds to the open incident of one
// of ds's upstream datasets, at any depth and nearest first, opened within
// the group window, so that one broken source opens one incident rather
// than one per affected dataset. Each alert then names ds as the
// downstream it concerns and the upstream as the suspected cause. It
// reports the upstream joined, "" when none of them has such an incident.
func (a *alertRoute) joinUpstream(ctx context.Context, ds catalog.Dataset, batch []alerts.Alert) (string, error) {
	if !a.opts.GroupByUpstream {
		return "", nil
	}
	since := time.Now().Add(-a.groupWindow())
	for _, up := range a.opts.Mapper.Ancestors(ds) {
		report := alertReport(batch)
		for i := range report.Alerts {
			report.Alerts[i].Dataset, report.Alerts[i].SuspectedCause = ds.Name, up.Name
		}
		report.Description = workflows.AlertsDescription(report.Alerts)
		open, err := a.opts.Triage.SignalRecentTriage(ctx, up.Name, since, report)
		if err != nil || open {
			return up.Name, err
		}
	}
	return "", nil
}

// groupWindow applies the default.
func (a *alertRoute) groupWindow() time.Duration {
	if a.opts.GroupWindow > 0 {
		return a.opts.GroupWindow
	}
	return DefaultAlertGroupWindow
}

// incidentOf is the workflow ID of the incident an outcome reached, ""
// when it reached none.
func incidentOf(ds catalog.Dataset, outcome string) string {
	if up, ok := strings.CutPrefix(outcome, alertJoinedUpstream); ok {
		return workflows.TriageWorkflowID(up)
	}
	if outcome == alertReported || outcome == alertResolve {
		return workflows.TriageWorkflowID(ds.Name)
	}
	return ""
}
