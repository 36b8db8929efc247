package workflows

import (
	"errors"
	"fmt"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/dre-dev/dre/activities"
	"github.com/dre-dev/dre/internal/catalog"
	"github.com/dre-dev/dre/internal/warehouse"
)

// ErrNothingToRestore is the error type of a restore with no source: the
// table was dropped without a snapshot.
const ErrNothingToRestore = "NothingToRestore"

// NoSnapshotMessage says why a dropped table cannot come back.
const NoSnapshotMessage = "the table was dropped without a snapshot; nothing to restore from"

// RestoreDeprecatedInput asks to bring back a table whose deprecation
// finished: from its snapshot after a drop, or from the archive schema
// after the final action archive. The CLI fills it from the deprecation's
// result.
type RestoreDeprecatedInput struct {
	Dataset   catalog.Dataset `json:"dataset"`
	Requester string          `json:"requester,omitempty"`
	// Snapshot is the copy taken before the drop, schema.table.
	Snapshot string `json:"snapshot,omitempty"`
	// Archived is where the final action archive left the table; it wins
	// over Snapshot, being the table itself rather than a copy.
	Archived string `json:"archived,omitempty"`
	// Meta is what the restored table must carry (the deprecation's
	// Restorable): comment, labels, PII tags, grants.
	Meta warehouse.TableMeta `json:"meta"`
}

// RestoreDeprecatedResult reports a restore, verified.
type RestoreDeprecatedResult struct {
	Dataset string `json:"dataset"`
	Table   string `json:"table"`
	// From is the snapshot or archived table the table came back from.
	From string `json:"from"`
	// Meta is the metadata read back from the restored table.
	Meta warehouse.TableMeta `json:"meta"`
	At   time.Time           `json:"at"`
	// Summary is one line for people.
	Summary string `json:"summary"`
	// Withheld are the grants of Meta not given back because nothing
	// allows them any more (see activities.DeprecateAllowedGrants).
	Withheld []activities.WithheldGrant `json:"withheld,omitempty"`
}

// RestoreDeprecated recreates a retired table with the metadata it had
// before its deprecation, reads that metadata back to verify it, and
// tells the owner. The activity writes the audit record. Restoring before
// the drop is the deprecation's own cancel, not this.
func RestoreDeprecated(ctx workflow.Context, in RestoreDeprecatedInput) (RestoreDeprecatedResult, error) {
	if err := in.validate(); err != nil {
		return RestoreDeprecatedResult{}, err
	}
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 30 * time.Minute, // a snapshot is copied back row by row
		RetryPolicy:         &temporal.RetryPolicy{InitialInterval: time.Second, MaximumInterval: time.Minute, MaximumAttempts: 10},
	})
	err := workflow.UpsertTypedSearchAttributes(ctx, KindKey.ValueSet(KindRestore), DatasetKey.ValueSet(in.Dataset.Name),
		RequesterKey.ValueSet(in.Requester))
	if err != nil {
		workflow.GetLogger(ctx).Warn("search attributes not set", "error", err)
	}
	withheld, err := in.keepAllowedGrants(ctx)
	if err != nil {
		return RestoreDeprecatedResult{}, err
	}
	from, got, err := in.restore(ctx)
	if err != nil {
		return RestoreDeprecatedResult{}, err
	}
	res := RestoreDeprecatedResult{Dataset: in.Dataset.Name, Table: in.Dataset.Table, From: from, Meta: got, At: workflow.Now(ctx),
		Summary: fmt.Sprintf("restored from %s and verified: comment, %d labels, %d PII tags, %d grants",
			from, len(got.Labels), len(got.PII), len(got.Grants)), Withheld: withheld}
	if len(withheld) > 0 {
		res.Summary += "; not given back: " + withheldText(withheld)
	}
	// Slack is how the owner hears of it, not where it is kept: postSlack
	// only logs a failure.
	postSlack(ctx, in.Dataset.Owner.SlackChannel, fmt.Sprintf(":leftwards_arrow_with_hook: %s is back, restored from %s by %s.", in.Dataset.Table, from, activities.SlackEscape(orSomeone(in.Requester))))
	return res, nil
}

// keepAllowedGrants narrows in.Meta's grants to those allowed now and
// returns the others (see deprecateAllowedVersion; runs recorded before
// it restore every grant).
func (in *RestoreDeprecatedInput) keepAllowedGrants(ctx workflow.Context) ([]activities.WithheldGrant, error) {
	if workflow.GetVersion(ctx, deprecateAllowedVersion, workflow.DefaultVersion, 1) == workflow.DefaultVersion {
		return nil, nil
	}
	var a *activities.Deprecations
	ask := activities.DeprecateAllowedInput{DeprecateTable: activities.DeprecateTable{Warehouse: in.Dataset.Warehouse, Table: in.Dataset.Table},
		Dataset: in.Dataset, Grants: in.Meta.Grants, Restore: true}
	actx := workflow.WithActivityOptions(ctx, activityOptionsWithSummary(ctx, "which grants on "+in.Dataset.Table+" may come back"))
	var got activities.DeprecateAllowed
	if err := workflow.ExecuteActivity(actx, a.DeprecateAllowedGrants, ask).Get(ctx, &got); err != nil {
		return nil, err
	}
	in.Meta.Grants = got.Allowed
	return got.Withheld, nil
}

func (in RestoreDeprecatedInput) validate() error {
	ds := in.Dataset
	if ds.Name == "" || ds.Warehouse == "" || ds.Table == "" {
		return temporal.NewNonRetryableApplicationError("restore needs a catalog dataset with a name, a warehouse and a table", ErrInvalidInput, nil)
	}
	if in.Snapshot == "" && in.Archived == "" {
		return temporal.NewNonRetryableApplicationError(NoSnapshotMessage, ErrNothingToRestore, nil)
	}
	return nil
}

// restore runs the activity that fits the source: moving the archived
// table home, or recreating it from the snapshot. Both verify and audit.
func (in RestoreDeprecatedInput) restore(ctx workflow.Context) (string, warehouse.TableMeta, error) {
	var a *activities.Deprecations
	var got warehouse.TableMeta
	target := activities.DeprecateTable{Warehouse: in.Dataset.Warehouse, Table: in.Dataset.Table}
	if in.Archived != "" {
		move := activities.DeprecateRestoreInput{DeprecateTable: target, Archived: in.Archived, Meta: in.Meta}
		ctx = workflow.WithActivityOptions(ctx, activityOptionsWithSummary(ctx, "move "+in.Archived+" home"))
		err := workflow.ExecuteActivity(ctx, a.DeprecateRestoreTable, move).Get(ctx, &got)
		return in.Archived, got, err
	}
	copyBack := activities.DeprecateRestoreSnapshotInput{DeprecateTable: target, Snapshot: in.Snapshot, Meta: in.Meta}
	ctx = workflow.WithActivityOptions(ctx, activityOptionsWithSummary(ctx, "recreate "+in.Dataset.Table+" from "+in.Snapshot))
	err := workflow.ExecuteActivity(ctx, a.DeprecateRestoreSnapshot, copyBack).Get(ctx, &got)
	return in.Snapshot, got, err
}

func orSomeone(who string) string {
	if who == "" {
		return "someone"
	}
	return who
}

// IsNothingToRestore reports whether err says the table has no snapshot.
func IsNothingToRestore(err error) bool {
	var app *temporal.ApplicationError
	return errors.As(err, &app) && app.Type() == ErrNothingToRestore
}
