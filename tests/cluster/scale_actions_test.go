package cluster

import (
	"context"
	"fmt"
	"strings"
	"time"

	"go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"google.golang.org/protobuf/proto"

	"github.com/dre-dev/dre/tests/harness"
	"github.com/dre-dev/dre/workflows"
)

// scaleRoundActivity is the one activity of an SLO evaluator's round.
const scaleRoundActivity = "EvaluateSLORound"

// scaleKindCost is what the runs of one workflow type cost within the
// measured window: billed actions (tests/harness.CountActions, Temporal
// Cloud's rules) and the history written.
type scaleKindCost struct {
	Type    string          `json:"type"`
	Runs    int             `json:"runs"` // runs with events in the window
	Actions harness.Actions `json:"actions"`
	Events  int             `json:"events"`
	Bytes   int             `json:"bytes"`
}

// scaleHistories is what the run's histories tell about cost and growth.
type scaleHistories struct {
	ByType map[string]*scaleKindCost
	// Rounds counts the evaluator rounds scheduled in the window, by dataset.
	Rounds map[string]int
	// Lateness is how long after its one-minute slot each round started.
	Lateness []time.Duration
	// RunEvents and RunBytes are the largest evaluator run's history.
	RunEvents, RunBytes int
	// ContinuedAsNew counts evaluator runs closed by continue-as-new, and
	// RoundsPerRun the rounds of each such run.
	ContinuedAsNew int
	RoundsPerRun   []int
}

// scaleReadHistories reads the history of every run in the namespace and
// counts the evaluators' events of [from, to).
func scaleReadHistories(ctx context.Context, c client.Client, from, to time.Time) (*scaleHistories, error) {
	h := &scaleHistories{ByType: map[string]*scaleKindCost{}, Rounds: map[string]int{}}
	var token []byte
	for {
		resp, err := c.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{PageSize: 1000, NextPageToken: token})
		if err != nil {
			return nil, fmt.Errorf("listing the runs: %w", err)
		}
		for _, ex := range resp.GetExecutions() {
			events, err := harness.History(ctx, c, ex.GetExecution().GetWorkflowId(), ex.GetExecution().GetRunId())
			if err != nil {
				return nil, err
			}
			h.add(ex.GetType().GetName(), ex.GetExecution().GetWorkflowId(), ex.GetStatus(), events, from, to)
		}
		if token = resp.GetNextPageToken(); len(token) == 0 {
			return h, nil
		}
	}
}

// add counts one run's events under its workflow type: an evaluator's
// within the window, for a rate per day, any other run's whole (they are
// the backfills, started in the window and counted per partition).
func (h *scaleHistories) add(typ, id string, status enums.WorkflowExecutionStatus, events []*historypb.HistoryEvent, from, to time.Time) {
	var window []*historypb.HistoryEvent
	bytes, runBytes := 0, 0
	evaluator := typ == workflows.SLOEvalWorkflowName
	if evaluator && !strings.HasPrefix(id, workflows.SLOEvalWorkflowID("scale_")) {
		return // the demo's own evaluators, at other intervals
	}
	for _, e := range events {
		n := proto.Size(e)
		runBytes += n
		if at := e.GetEventTime().AsTime(); !evaluator || !at.Before(from) && at.Before(to) {
			window = append(window, e)
			bytes += n
		}
	}
	if evaluator {
		h.addEvaluatorRun(id, status, events, window, runBytes)
	}
	if len(window) == 0 {
		return
	}
	k := h.ByType[typ]
	if k == nil {
		k = &scaleKindCost{Type: typ, Actions: harness.Actions{ByActivity: map[string]int{}}}
		h.ByType[typ] = k
	}
	k.Runs++
	k.Actions = k.Actions.Add(harness.CountActions(window))
	k.Events += len(window)
	k.Bytes += bytes
}

// addEvaluatorRun notes an SLO evaluator's rounds, their lateness, the
// run's size and whether it continued as new.
func (h *scaleHistories) addEvaluatorRun(id string, status enums.WorkflowExecutionStatus, events, window []*historypb.HistoryEvent, runBytes int) {
	for _, e := range window {
		if e.GetActivityTaskScheduledEventAttributes().GetActivityType().GetName() == scaleRoundActivity {
			h.Rounds[id]++
			at := e.GetEventTime().AsTime()
			h.Lateness = append(h.Lateness, at.Sub(at.Truncate(time.Minute)))
		}
	}
	h.RunEvents, h.RunBytes = max(h.RunEvents, len(events)), max(h.RunBytes, runBytes)
	if status == enums.WORKFLOW_EXECUTION_STATUS_CONTINUED_AS_NEW {
		h.ContinuedAsNew++
		h.RoundsPerRun = append(h.RoundsPerRun, harness.CountActions(events).ByActivity[scaleRoundActivity])
	}
}
