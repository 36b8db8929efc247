package workflows

import (
	"fmt"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/dre-dev/dre/internal/catalog"
	"github.com/dre-dev/dre/internal/slo"
)

// SLOEval evaluates one dataset's SLOs for as long as it runs: each SLO
// at every multiple of its interval, it measures the SLI, stores the
// observation, computes the budget left and the burn rates, and acts. A
// page-level burn opens (or joins) the dataset's triage, a ticket-level
// burn posts to the owner channel, and an exhausted budget sets DreStatus
// to SLOFrozen. Alerts are sent when the level rises, not every round.
func SLOEval(ctx workflow.Context, in SLOEvalInput) (SLOEvalStatus, error) {
	if err := validateSLOEval(in.Dataset); err != nil {
		return SLOEvalStatus{}, temporal.NewNonRetryableApplicationError(err.Error(), ErrInvalidInput, nil)
	}
	e := newSLOEval(ctx, in)
	if err := workflow.SetQueryHandler(ctx, StatusQuery, func() (SLOEvalStatus, error) { return e.status, nil }); err != nil {
		return e.status, err
	}
	catalogCh := workflow.GetSignalChannel(ctx, SLOCatalogSignal)
	for rounds := 0; ; rounds++ {
		if err := e.round(ctx); err != nil {
			return e.status, err
		}
		e.drain(catalogCh)
		if rounds >= sloRoundsPerRun || workflow.GetInfo(ctx).GetContinueAsNewSuggested() {
			next := e.in
			next.State = &e.status
			return e.status, workflow.NewContinueAsNewError(ctx, SLOEvalWorkflowName, next)
		}
		e.wait(ctx, catalogCh)
	}
}

// validateSLOEval rejects datasets the evaluator cannot measure.
func validateSLOEval(ds catalog.Dataset) error {
	if ds.Name == "" || ds.Warehouse == "" || ds.Table == "" {
		return fmt.Errorf("SLO evaluation needs a catalog dataset with a name, a warehouse and a table")
	}
	if len(ds.SLOs) == 0 {
		return fmt.Errorf("dataset %s has no slos: in dre.yaml; nothing to evaluate", ds.Name)
	}
	for _, s := range ds.SLOs {
		if s.Interval.Duration <= 0 || s.Window.Duration < s.Interval.Duration || s.Objective <= 0 || s.Objective >= 1 {
			return fmt.Errorf("SLO %s of %s has an invalid objective, window or interval; run dre catalog lint", s.Name, ds.Name)
		}
	}
	return nil
}

// sloEval is the evaluator's state.
type sloEval struct {
	in     SLOEvalInput
	status SLOEvalStatus
}

func newSLOEval(ctx workflow.Context, in SLOEvalInput) *sloEval {
	e := &sloEval{in: in, status: SLOEvalStatus{Dataset: in.Dataset.Name, Status: SLOStatusOK}}
	if in.State != nil {
		e.status = *in.State
	}
	e.in.State = nil
	e.apply(in.Dataset)
	workflow.GetLogger(ctx).Info("evaluating SLOs", "dataset", in.Dataset.Name, "slos", len(in.Dataset.SLOs))
	return e
}

// apply adopts a catalog entry: SLOs keep their state by name, new ones
// start empty and are due at once, removed ones are dropped.
func (e *sloEval) apply(ds catalog.Dataset) {
	old := map[string]SLOState{}
	for _, s := range e.status.SLOs {
		old[s.Name] = s
	}
	e.in.Dataset = ds
	e.status.SLOs = e.status.SLOs[:0:0]
	for _, def := range ds.SLOs {
		s := old[def.Name]
		s.Name, s.Kind = def.Name, string(def.Kind)
		s.Objective = slo.Objective{Target: def.Objective, Window: def.Window.Duration, Interval: def.Interval.Duration}
		if s.Level == "" {
			s.Level = slo.None
		}
		e.status.SLOs = append(e.status.SLOs, s)
	}
}

// drain applies catalog updates that arrived during the round, so that
// none is lost to continue-as-new.
func (e *sloEval) drain(ch workflow.ReceiveChannel) {
	var ds catalog.Dataset
	for ch.ReceiveAsync(&ds) {
		if validateSLOEval(ds) == nil && ds.Name == e.in.Dataset.Name {
			e.apply(ds)
		}
	}
}

// wait sleeps until the next SLO is due, waking early for a catalog update.
func (e *sloEval) wait(ctx workflow.Context, ch workflow.ReceiveChannel) {
	next := e.status.SLOs[0].NextAt
	for _, s := range e.status.SLOs {
		if s.NextAt.Before(next) {
			next = s.NextAt
		}
	}
	d := next.Sub(workflow.Now(ctx))
	if d <= 0 {
		return
	}
	tctx, cancel := workflow.WithCancel(ctx)
	defer cancel()
	timer := workflow.NewTimerWithOptions(tctx, d, workflow.TimerOptions{Summary: "next SLO evaluation"})
	sel := workflow.NewSelector(ctx)
	sel.AddFuture(timer, func(workflow.Future) {})
	sel.AddReceive(ch, func(workflow.ReceiveChannel, bool) { e.drain(ch) })
	sel.Select(ctx)
}

// upsertStatus derives the dataset's status from its SLOs and publishes it.
func (e *sloEval) upsertStatus(ctx workflow.Context) error {
	level, frozen := slo.None, false
	for _, s := range e.status.SLOs {
		if s.Level.Louder(level) {
			level = s.Level
		}
		frozen = frozen || s.Last.Exhausted()
	}
	e.status.Status, e.status.Frozen = string(level), frozen
	if frozen {
		e.status.Status = SLOFrozen
	}
	return workflow.UpsertTypedSearchAttributes(ctx,
		KindKey.ValueSet(KindSLOEval), DatasetKey.ValueSet(e.in.Dataset.Name), StatusKey.ValueSet(e.status.Status))
}

// sloSlot is the start of the interval holding now: observations are
// keyed by it, so a retried round replaces its own row.
func sloSlot(now time.Time, interval time.Duration) time.Time {
	return now.UTC().Truncate(interval)
}
