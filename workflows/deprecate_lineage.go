package workflows

import (
	"fmt"
	"slices"
	"strings"

	"go.temporal.io/sdk/workflow"

	"github.com/dre-dev/dre/internal/catalog"
)

// What a deprecation does with the datasets the lineage puts downstream
// of its table (DeprecateInput.Downstream): their owners are consumers,
// and the usage gate holds for them.

// deprecateDownstreamGate is the GetVersion ID of the usage gate holding
// for downstream datasets. It is asked only when the input lists some,
// which no deprecation started before the change does.
const deprecateDownstreamGate = "usage-gate-downstream"

// holdsForDownstream reports whether the gate holds for the downstream
// datasets of the input.
func (d *deprecation) holdsForDownstream(ctx workflow.Context) bool {
	return len(d.in.Downstream) > 0 &&
		workflow.GetVersion(ctx, deprecateDownstreamGate, workflow.DefaultVersion, 1) == 1
}

// deprecateDownstreamOwnersChange is the GetVersion ID of announcing to
// the owners of downstream datasets; asked only when the input lists some.
const deprecateDownstreamOwnersChange = "announce-downstream-owners"

// addDownstreamOwners makes the Slack channel of each downstream dataset's
// owner a consumer, so that it hears the announcement and the reminders.
func (d *deprecation) addDownstreamOwners(ctx workflow.Context) {
	if len(d.in.Downstream) == 0 ||
		workflow.GetVersion(ctx, deprecateDownstreamOwnersChange, workflow.DefaultVersion, 1) == workflow.DefaultVersion {
		return
	}
	for _, ds := range d.in.Downstream {
		ch := ds.Owner.SlackChannel
		if ch != "" && ch != d.in.Dataset.Owner.SlackChannel && !slices.Contains(d.s.Consumers, ch) {
			d.s.Consumers = append(d.s.Consumers, ch)
		}
	}
	slices.Sort(d.s.Consumers)
}

// downstreamReason says which datasets still read table, and who owns them.
func downstreamReason(table string, downstream []catalog.Dataset) string {
	names := make([]string, len(downstream))
	for i, ds := range downstream {
		names[i] = fmt.Sprintf("%s (%s)", ds.Name, orText(ds.Owner.Team, orText(ds.Owner.SlackChannel, "no owner")))
	}
	return fmt.Sprintf("%s still feeds %d downstream datasets: %s", table, len(downstream), strings.Join(names, ", "))
}
