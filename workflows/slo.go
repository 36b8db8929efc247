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
	e.bootstrapCh = workflow.GetSignalChannel(ctx, SLOBootstrapSignal)
	for rounds := 0; ; rounds++ {
		if err := e.round(ctx); err != nil {
			return e.status, err
		}
		e.drain(catalogCh)
		e.receiveBootstrap(e.bootstrapCh)
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
	in          SLOEvalInput
	status      SLOEvalStatus
	bootstrapCh workflow.ReceiveChannel
}

func newSLOEval(ctx workflow.Context, in SLOEvalInput) *sloEval {
	e := newSLOMember(in)
	workflow.GetLogger(ctx).Info("evaluating SLOs", "dataset", in.Dataset.Name, "slos", len(in.Dataset.SLOs))
	return e
}

// newSLOMember is the state of one dataset's evaluation, taken from
// in.State when it carries one: a whole evaluator's, or one member's of
// a batch evaluator (SLOBatchEval).
func newSLOMember(in SLOEvalInput) *sloEval {
	e := &sloEval{in: in, status: SLOEvalStatus{Dataset: in.Dataset.Name, Status: SLOStatusOK}}
	if in.State != nil {
		e.status = *in.State
	}
	e.in.State = nil
	e.apply(in.Dataset)
	return e
}

// apply adopts a catalog entry: SLOs keep their state by name, new ones
// start empty and are due at once, removed ones are dropped. A new SLO
// asks for a history bootstrap, so its first chart and budget cover the
// whole window.
func (e *sloEval) apply(ds catalog.Dataset) {
	old := map[string]SLOState{}
	for _, s := range e.status.SLOs {
		old[s.Name] = s
	}
	e.in.Dataset = ds
	e.status.SLOs = e.status.SLOs[:0:0]
	for _, def := range ds.SLOs {
		s, known := old[def.Name]
		if !known && e.status.BootstrapPending == "" {
			e.status.BootstrapPending = sloFirstSync
		}
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
	sel.AddReceive(e.bootstrapCh, func(c workflow.ReceiveChannel, _ bool) { e.receiveBootstrap(c) })
	sel.Select(ctx)
}

// upsertStatus derives the dataset's status from its SLOs and publishes
// it, every round: the evaluator's behaviour before SLORoundChangeID.
func (e *sloEval) upsertStatus(ctx workflow.Context) error {
	e.deriveStatus()
	return workflow.UpsertTypedSearchAttributes(ctx,
		KindKey.ValueSet(KindSLOEval), DatasetKey.ValueSet(e.in.Dataset.Name), StatusKey.ValueSet(e.status.Status))
}

// deriveStatus sets the dataset's status from its SLOs: the loudest
// level, or SLOFrozen when a budget is spent.
func (e *sloEval) deriveStatus() {
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
}

// sloSlot is the start of the interval holding now: observations are
// keyed by it, so a retried round replaces its own row.
func sloSlot(now time.Time, interval time.Duration) time.Time {
	return now.UTC().Truncate(interval)
}

// SLOCatalogSignal carries a dataset's new catalog entry (catalog.Dataset)
// to its running evaluator; `dre slo schedule sync` sends it with
// signal-with-start, so one call starts a missing evaluator or updates a
// running one.
const SLOCatalogSignal = "slo-catalog"

// SLO evaluator statuses, also written to DreStatus. SLOFrozen means an
// error budget is exhausted: backfills and runbook SQL on the dataset
// should ask for an approval (see SLOFrozenQuery).
const (
	SLOStatusOK     = string(slo.None)
	SLOStatusTicket = string(slo.Ticket)
	SLOStatusPage   = string(slo.Page)
	SLOFrozen       = "frozen"
)

// SLOFrozenQuery is the visibility query that finds a frozen dataset:
// backfill and runbook starters can count its results before writing.
func SLOFrozenQuery(dataset string) string {
	return KindQuery(KindSLOEval) + " AND DreStatus = '" + SLOFrozen + "' AND DreDataset = '" + dataset + "' AND ExecutionStatus = 'Running'"
}

// SLOEvalInput starts the evaluator of one dataset's SLOs.
type SLOEvalInput struct {
	Dataset catalog.Dataset `json:"dataset"`
	// Rules override the SRE workbook's alert rules (slo.WorkbookRules),
	// for SLOs whose windows are far from a month; they are scaled to each
	// SLO's interval like the defaults.
	Rules []slo.Rule `json:"rules,omitempty"`
	// State carries the evaluation across continue-as-new.
	State *SLOEvalStatus `json:"state,omitempty"`
}

// SLOEvalStatus is what the status query returns.
type SLOEvalStatus struct {
	Dataset string `json:"dataset"`
	// Status is the loudest alert level of the SLOs, or SLOFrozen.
	Status string     `json:"status"`
	Frozen bool       `json:"frozen"`
	SLOs   []SLOState `json:"slos"`
	// Rounds counts evaluation rounds; Pages the triage reports sent and
	// Tickets the owner-channel posts, over the evaluator's whole life.
	Rounds  int `json:"rounds"`
	Pages   int `json:"pages"`
	Tickets int `json:"tickets"`
	// BootstrapPending is the request ID of a history bootstrap the next
	// round runs; Bootstrap the outcome of the latest one.
	BootstrapPending string        `json:"bootstrapPending,omitempty"`
	Bootstrap        *SLOBootstrap `json:"bootstrap,omitempty"`
	// OneActivityRounds is set once the evaluator runs each round as one
	// activity (SLORoundChangeID); it is carried across continue-as-new.
	OneActivityRounds bool `json:"oneActivityRounds,omitempty"`
}

// SLOState is the latest evaluation of one SLO and its recent history.
type SLOState struct {
	Name      string         `json:"name"`
	Kind      string         `json:"kind"`
	Objective slo.Objective  `json:"objective"`
	Last      slo.Evaluation `json:"last"`
	Detail    string         `json:"detail,omitempty"`
	// Error is the last failure to measure, "" after a success.
	Error   string      `json:"error,omitempty"`
	Level   slo.Level   `json:"level"`
	NextAt  time.Time   `json:"nextAt"`
	History []slo.Point `json:"history,omitempty"`
}

// sloHistoryPoints bounds each SLO's chart history: two days of 10-minute
// slots, small enough to carry across continue-as-new.
const sloHistoryPoints = 288

// sloRoundsPerRun bounds a run's history: a round adds about a dozen
// events per SLO in the per-step design, about a dozen in all as one
// activity.
const sloRoundsPerRun = 100
