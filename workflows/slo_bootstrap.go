package workflows

import (
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/dre-dev/dre/activities"
)

// SLOBootstrapSignal asks a dataset's evaluator to reconstruct its SLOs'
// history over their windows from the warehouse before its next round
// (`dre slo backfill-history`). The payload is a request ID, echoed in
// SLOEvalStatus.Bootstrap so that the sender can tell its result apart.
const SLOBootstrapSignal = "slo-backfill-history"

// sloBootstrapVersion guards the history bootstrap: evaluators started
// before it never ran the activity, and their histories must replay.
const sloBootstrapVersion = "slo-history-bootstrap"

// sloFirstSync is the request ID of the bootstrap an evaluator runs by
// itself when it sees an SLO for the first time.
const sloFirstSync = "first-sync"

// SLOBootstrap is the outcome of the latest history bootstrap.
type SLOBootstrap struct {
	Request string                  `json:"request"`
	At      time.Time               `json:"at"`
	SLOs    []activities.SLOHistory `json:"slos,omitempty"`
	Error   string                  `json:"error,omitempty"`
}

// receiveBootstrap notes a bootstrap request; the next round runs it.
func (e *sloEval) receiveBootstrap(ch workflow.ReceiveChannel) {
	var req string
	for ch.ReceiveAsync(&req) {
		e.status.BootstrapPending = req
	}
}

// bootstrap reconstructs the window's readings when a request is pending,
// before the round measures, so that the round's evaluation starts from
// the whole window. A failure is reported in the status, and the
// evaluation goes on from the readings it has.
func (e *sloEval) bootstrap(ctx workflow.Context) {
	req := e.status.BootstrapPending
	if req == "" {
		return
	}
	e.status.BootstrapPending = ""
	if workflow.GetVersion(ctx, sloBootstrapVersion, workflow.DefaultVersion, 1) == workflow.DefaultVersion {
		return
	}
	var a *activities.SLOs
	now := workflow.Now(ctx)
	b := &SLOBootstrap{Request: req, At: now}
	in := activities.BootstrapSLOHistoryInput{Dataset: e.in.Dataset, Until: now}
	if err := workflow.ExecuteActivity(sloActivity(ctx, 10*time.Minute, "reconstruct the SLO history from the warehouse"), a.BootstrapSLOHistory, in).Get(ctx, &b.SLOs); err != nil {
		b.Error = err.Error()
		workflow.GetLogger(ctx).Warn("SLO: history bootstrap failed; the budget starts from the readings stored", "error", err)
	}
	e.status.Bootstrap = b
}
