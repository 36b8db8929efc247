package workflows

import (
	"fmt"
	"strings"

	"go.temporal.io/sdk/workflow"

	"github.com/dre-dev/dre/activities"
	"github.com/dre-dev/dre/internal/warehouse"
)

// deprecateAllowedVersion is the GetVersion ID of brownout ends and
// restores that give back only the grants still allowed when they run
// (see activities.DeprecateAllowedGrants). Runs recorded before it gave
// back the grants of the announce or of the soft delete as they were.
const deprecateAllowedVersion = "deprecate-restore-only-allowed"

// allowedNow returns the grants among grants that may come back now, and
// records those withheld, with the reason, in the timeline, the status
// and a message to the owner. when says which step asks ("brownout
// over", "restore"). Runs recorded before the change get grants as given.
func (d *deprecation) allowedNow(ctx workflow.Context, grants []warehouse.Grant, when string, restore bool) ([]warehouse.Grant, error) {
	if workflow.GetVersion(ctx, deprecateAllowedVersion, workflow.DefaultVersion, 1) == workflow.DefaultVersion {
		return grants, nil
	}
	var a *activities.Deprecations
	in := activities.DeprecateAllowedInput{DeprecateTable: d.target(), Dataset: d.in.Dataset, Grants: grants, Restore: restore}
	var got activities.DeprecateAllowed
	if err := d.act(ctx, "which grants on "+d.s.Table+" may come back", a.DeprecateAllowedGrants, in, &got); err != nil {
		return nil, err
	}
	if len(got.Withheld) > 0 {
		d.s.Withheld = append(d.s.Withheld, got.Withheld...)
		text := withheldText(got.Withheld)
		d.record(ctx, when+": not given back: "+text, "")
		d.tellOwner(ctx, fmt.Sprintf(":lock: %s: these grants on %s were not given back: %s. Declare standing access under access.standing in dre.yaml, or ask with `dre access request %s`.",
			when, d.s.Table, activities.SlackEscape(text), d.s.Dataset))
	}
	return got.Allowed, nil
}

// withheldText lists withheld grants with their reasons, for people.
func withheldText(withheld []activities.WithheldGrant) string {
	parts := make([]string, 0, len(withheld))
	for _, w := range withheld {
		parts = append(parts, fmt.Sprintf("%s %s%s (%s)", w.Grant.Principal, w.Grant.Privilege, onColumn(w.Grant.Column), w.Why))
	}
	return strings.Join(parts, "; ")
}
