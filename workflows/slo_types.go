package workflows

import (
	"time"

	"github.com/dre-dev/dre/internal/catalog"
	"github.com/dre-dev/dre/internal/slo"
)

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
// events per SLO.
const sloRoundsPerRun = 100
