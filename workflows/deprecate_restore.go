package workflows

import (
	"fmt"
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/dre-dev/dre/activities"
	"github.com/dre-dev/dre/internal/warehouse"
)

// restore puts the table back exactly as it was before the deprecation:
// its name, comment, labels, PII tags and grants, read back and compared
// by the activity. Grants and PII tags are those of just before the soft
// delete, so changes others made during the grace period survive; the
// comment and labels are those from before the announce.
func (d *deprecation) restore(ctx workflow.Context) error {
	d.s.Status = DeprecateCancelling
	d.setPhase(ctx, DeprecateRestore, time.Time{})
	if d.s.Original == nil {
		d.finishRestore(ctx, "cancelled before the announce: the table was never touched")
		return nil
	}
	var a *activities.Deprecations
	var got warehouse.TableMeta
	in := activities.DeprecateRestoreInput{DeprecateTable: d.target(), Archived: d.s.Archived, Meta: d.restoreMeta()}
	if err := d.act(ctx, "restore "+d.s.Table, a.DeprecateRestoreTable, in, &got); err != nil {
		return err
	}
	d.s.Archived = ""
	d.finishRestore(ctx, fmt.Sprintf("restored and verified: name, comment, %d labels, %d PII tags, %d grants",
		len(got.Labels), len(got.PII), len(got.Grants)))
	d.tellOwner(ctx, fmt.Sprintf(":leftwards_arrow_with_hook: The deprecation of %s was cancelled; the table is back as it was.", d.s.Table))
	return nil
}

// restoreMeta is what a restore puts back: the comment and labels from
// before the announce (which rewrote them), the grants and PII tags from
// just before the soft delete. Only call it once the announce has set
// Original.
func (d *deprecation) restoreMeta() warehouse.TableMeta {
	want := *d.s.Original
	if d.atSoftDelete != nil {
		want.Grants, want.PII = d.atSoftDelete.Grants, d.atSoftDelete.PII
	}
	return want
}

func (d *deprecation) finishRestore(ctx workflow.Context, what string) {
	d.s.Status = DeprecateRestored
	d.record(ctx, what, "")
	d.setPhase(ctx, DeprecateDone, time.Time{})
}
