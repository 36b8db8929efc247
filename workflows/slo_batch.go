package workflows

import (
	"fmt"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/dre-dev/dre/internal/catalog"
	"github.com/dre-dev/dre/internal/slo"
)

// SLOBatchEval evaluates the SLOs of a batch of datasets (slo.batch.size
// in dre.yaml) for as long as it runs, as SLOEval does for one: each
// round is one EvaluateSLOBatch activity that measures, records and
// evaluates every due SLO of every member, and the evaluator then acts
// on each member's readings as SLOEval does (a page opens or joins the
// member's triage, a ticket posts to its owner). Its status query shows
// every member's state; DreStatus is the loudest member's level, or
// frozen, upserted only when it changes. A catalog signal with no
// datasets ends it: the sync moved them all elsewhere.
func SLOBatchEval(ctx workflow.Context, in SLOBatchEvalInput) (SLOBatchStatus, error) {
	if err := validateSLOBatch(in); err != nil {
		return SLOBatchStatus{}, temporal.NewNonRetryableApplicationError(err.Error(), ErrInvalidInput, nil)
	}
	b := newSLOBatch(ctx, in)
	if err := workflow.SetQueryHandler(ctx, StatusQuery, func() (SLOBatchStatus, error) { return b.snapshot(), nil }); err != nil {
		return SLOBatchStatus{}, err
	}
	catalogCh := workflow.GetSignalChannel(ctx, SLOBatchCatalogSignal)
	b.bootstrapCh = workflow.GetSignalChannel(ctx, SLOBatchBootstrapSignal)
	for rounds := 0; ; rounds++ {
		if len(b.members) == 0 {
			return b.snapshot(), nil
		}
		if err := b.round(ctx); err != nil {
			return b.snapshot(), err
		}
		b.drain(ctx, catalogCh)
		b.receiveBootstrap(b.bootstrapCh)
		if len(b.members) > 0 && (rounds >= sloBatchRoundsPerRun(len(b.members)) || workflow.GetInfo(ctx).GetContinueAsNewSuggested()) {
			return b.snapshot(), workflow.NewContinueAsNewError(ctx, SLOBatchEvalWorkflowName, b.next())
		}
		b.wait(ctx, catalogCh)
	}
}

// sloBatchDatasetRoundsPerRun bounds a batch run's history: a round
// writes the members' catalog entries and readings, about 2 KiB each, so
// a run of this many dataset-rounds writes about 4 MiB.
const sloBatchDatasetRoundsPerRun = 2000

// sloBatchRoundsPerRun is how many rounds a batch of n members runs
// before continue-as-new: as many as SLOEval's, fewer for large batches,
// and a few at least.
func sloBatchRoundsPerRun(n int) int {
	return min(sloRoundsPerRun, max(4, sloBatchDatasetRoundsPerRun/max(1, n)))
}

// validateSLOBatch rejects a batch the evaluator cannot run; a bad
// member would otherwise stop its whole batch.
func validateSLOBatch(in SLOBatchEvalInput) error {
	if in.Batch == "" || len(in.Datasets) == 0 {
		return fmt.Errorf("a batch SLO evaluator needs a batch name and at least one dataset; run dre slo schedule sync")
	}
	seen := map[string]bool{}
	for _, ds := range in.Datasets {
		if err := validateSLOEval(ds); err != nil {
			return err
		}
		if seen[ds.Name] {
			return fmt.Errorf("dataset %s is twice in batch %s; run dre slo schedule sync", ds.Name, in.Batch)
		}
		seen[ds.Name] = true
	}
	return nil
}

// SLOBatchCatalogSignal carries a batch's whole new membership
// (SLOBatchCatalog) to its running evaluator: members not in it are
// dropped, new ones join with the state handed over, if any.
const SLOBatchCatalogSignal = "slo-batch-catalog"

// SLOBatchBootstrapSignal asks a batch evaluator to reconstruct one
// member's SLO history before its next round (SLOBatchBootstrap), as
// SLOBootstrapSignal does for a dataset's own evaluator.
const SLOBatchBootstrapSignal = "slo-batch-backfill-history"

// SLOBatchBootstrap names the member and the request ID echoed in its
// status's Bootstrap.
type SLOBatchBootstrap struct {
	Dataset string `json:"dataset"`
	Request string `json:"request"`
}

// SLOBatchEvalInput starts the evaluator of a batch of datasets.
type SLOBatchEvalInput struct {
	// Batch is the batch's name, also its workflow ID's tail.
	Batch    string            `json:"batch"`
	Datasets []catalog.Dataset `json:"datasets"`
	// Rules override the workbook's alert rules, as in SLOEvalInput.
	Rules []slo.Rule `json:"rules,omitempty"`
	// Parallelism is how many members a round measures at once.
	Parallelism int `json:"parallelism,omitempty"`
	// Handover holds the states of members that move in from another
	// evaluator (their own, or another batch's), so that alert levels,
	// counts and pending bootstraps carry over.
	Handover []SLOEvalStatus `json:"handover,omitempty"`
	// State carries the evaluation across continue-as-new.
	State *SLOBatchStatus `json:"state,omitempty"`
}

// SLOBatchCatalog is the payload of SLOBatchCatalogSignal.
type SLOBatchCatalog struct {
	Datasets    []catalog.Dataset `json:"datasets"`
	Handover    []SLOEvalStatus   `json:"handover,omitempty"`
	Parallelism int               `json:"parallelism,omitempty"`
}

// SLOBatchStatus is what the batch evaluator's status query returns:
// each member's state as its own evaluator would show it, without the
// chart history (dre slo chart reads the readings from the state
// database).
type SLOBatchStatus struct {
	Batch string `json:"batch"`
	// Status is the loudest member's level, or SLOFrozen.
	Status   string          `json:"status"`
	Rounds   int             `json:"rounds"`
	Datasets []SLOEvalStatus `json:"datasets"`
}

// Member returns the named member's state.
func (s SLOBatchStatus) Member(dataset string) (SLOEvalStatus, bool) {
	for _, m := range s.Datasets {
		if m.Dataset == dataset {
			return m, true
		}
	}
	return SLOEvalStatus{}, false
}
