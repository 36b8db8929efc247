package workflows

import (
	"time"

	"github.com/dre-dev/dre/internal/catalog"
)

// BackfillWorkflowName is the registered name of the backfill workflow, so
// that runbooks can start it as a child without a compile-time reference.
const BackfillWorkflowName = "Backfill"

// BackfillInput asks for a backfill of one dataset's partitions in
// [From, To), at the dataset's partition granularity.
type BackfillInput struct {
	Dataset catalog.Dataset `json:"dataset"`
	From    time.Time       `json:"from"`
	To      time.Time       `json:"to"`
	// Select produces one partition and reads its bounds as @from and @to;
	// "" uses the dataset's source (catalog) rendered the same way.
	Select string `json:"select,omitempty"`
	// Concurrency is how many partitions are rewritten at once (default 4).
	Concurrency int `json:"concurrency,omitempty"`
	// DryRun plans and estimates cost, writing nothing.
	DryRun bool `json:"dryRun,omitempty"`
	// Requester is who asked (a Slack user, a runbook run, a CLI user).
	Requester string `json:"requester,omitempty"`
}

// BackfillWorkflowID is the ID of a dataset's backfill: one at a time per table.
func BackfillWorkflowID(dataset string) string { return "backfill/" + dataset }
