package workflows

import (
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/temporal"
)

// Search attributes make every dre run findable in the Temporal UI, for
// example `DreKind = "backfill" AND DreDataset = "orders"`. The SQLite store of
// the embedded server has few slots (10 Keyword; 3 each of Int, Double, Bool,
// Datetime, KeywordList, Text), so names are shared across workflow kinds.
var (
	// KindKey is the kind of job: check, backfill, triage, deprecate, access-review...
	KindKey = temporal.NewSearchAttributeKeyKeyword("DreKind")
	// DatasetKey is the catalog dataset the run acts on.
	DatasetKey = temporal.NewSearchAttributeKeyKeyword("DreDataset")
	// StatusKey is the run's own status (finer than Temporal's execution status).
	StatusKey = temporal.NewSearchAttributeKeyKeyword("DreStatus")
	// PhaseKey is the current phase of a multi-phase job (deprecation, review).
	PhaseKey = temporal.NewSearchAttributeKeyKeyword("DrePhase")
	// RunbookKey is the runbook a run executes.
	RunbookKey = temporal.NewSearchAttributeKeyKeyword("DreRunbook")
	// RunbookHashKey is the content hash of the executed runbook definition.
	RunbookHashKey = temporal.NewSearchAttributeKeyKeyword("DreRunbookHash")
	// RequesterKey is who asked for the run (a Slack user ID or a CLI user).
	RequesterKey = temporal.NewSearchAttributeKeyKeyword("DreRequester")
	// SeverityKey is an incident's severity, 1 (worst) to 4.
	SeverityKey = temporal.NewSearchAttributeKeyInt64("DreSeverity")
	// ProgressKey is the fraction of the work done, 0 to 1.
	ProgressKey = temporal.NewSearchAttributeKeyFloat64("DreProgress")
	// DeadlineKey is when a human decision or a phase is due.
	DeadlineKey = temporal.NewSearchAttributeKeyTime("DreDeadline")
)

// searchAttributeKey is what every typed key above can tell about itself.
type searchAttributeKey interface {
	GetName() string
	GetValueType() enumspb.IndexedValueType
}

// allSearchAttributes lists every key dre registers.
var allSearchAttributes = []searchAttributeKey{
	KindKey, DatasetKey, StatusKey, PhaseKey, RunbookKey, RunbookHashKey,
	RequesterKey, SeverityKey, ProgressKey, DeadlineKey,
}

// SearchAttributes returns the name and type of every search attribute dre
// uses, for registering them with a Temporal namespace.
func SearchAttributes() map[string]enumspb.IndexedValueType {
	out := make(map[string]enumspb.IndexedValueType, len(allSearchAttributes))
	for _, k := range allSearchAttributes {
		out[k.GetName()] = k.GetValueType()
	}
	return out
}

// KindQuery is the visibility query that selects runs of one DreKind.
func KindQuery(kind string) string {
	return KindKey.GetName() + ` = "` + kind + `"`
}
