package workflows

import (
	"fmt"
	"slices"
	"strings"

	"go.temporal.io/sdk/workflow"

	"github.com/dre-dev/dre/activities"
	"github.com/dre-dev/dre/internal/catalog"
)

// triageImpactChange is the GetVersion ID of the downstream impact a new
// incident lists; runs opened before it list none.
const triageImpactChange = "triage-downstream-impact"

// startImpact lists, beside the diagnosis, the datasets computed from the
// incident's dataset: the incident may spread to them. It asks the
// worker's catalog, so however the triage was started the answer is the
// same. The list goes to the thread and the timeline, and each downstream
// owner's channel hears of the incident once.
func (t *triage) startImpact(ctx workflow.Context) {
	if workflow.GetVersion(ctx, triageImpactChange, workflow.DefaultVersion, 1) == workflow.DefaultVersion {
		return
	}
	workflow.Go(ctx, func(ctx workflow.Context) {
		var l *activities.Lineage
		var downstream []catalog.Dataset
		err := workflow.ExecuteActivity(diagnosisOptions(ctx, "downstream impact"), l.DownstreamDatasets, t.in.Dataset.Name).Get(ctx, &downstream)
		if err != nil {
			workflow.GetLogger(ctx).Warn("triage: downstream datasets not known", "error", err)
			return
		}
		if len(downstream) == 0 {
			return
		}
		text := impactText(t.in.Dataset.Name, downstream)
		t.record(ctx, "impact", "dre", text)
		t.post(ctx, ":ocean: *Downstream impact*: "+activities.SlackEscape(text))
		t.tellDownstreamOwners(ctx, downstream)
	})
}

// impactText lists the datasets downstream of dataset with their owners.
func impactText(dataset string, downstream []catalog.Dataset) string {
	parts := make([]string, len(downstream))
	for i, ds := range downstream {
		parts[i] = fmt.Sprintf("%s (%s)", ds.Name, orText(ds.Owner.Team, orText(ds.Owner.SlackChannel, "no owner")))
	}
	return fmt.Sprintf("%d datasets are computed from %s: %s", len(downstream), dataset, strings.Join(parts, ", "))
}

// tellDownstreamOwners posts a heads-up to each downstream owner's
// channel, once per channel and never to the incident's own channel,
// which has the thread.
func (t *triage) tellDownstreamOwners(ctx workflow.Context, downstream []catalog.Dataset) {
	byChannel := map[string][]string{}
	var channels []string
	for _, ds := range downstream {
		ch := ds.Owner.SlackChannel
		if ch == "" || ch == t.channel {
			continue
		}
		if _, seen := byChannel[ch]; !seen {
			channels = append(channels, ch)
		}
		byChannel[ch] = append(byChannel[ch], ds.Name)
	}
	slices.Sort(channels)
	ds := t.in.Dataset
	for _, ch := range channels {
		text := fmt.Sprintf(":ocean: Heads-up: sev%d incident on *%s* (`%s`), upstream of your %s. Follow it in %s.",
			t.severity, ds.Name, ds.Table, strings.Join(byChannel[ch], ", "), orText(t.channel, t.id))
		t.send(ctx, activities.SlackMessage{Channel: ch, Text: text})
	}
}
