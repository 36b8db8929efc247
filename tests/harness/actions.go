package harness

import (
	"context"
	"fmt"

	"go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/sdk/client"
)

// Actions counts, from a workflow history, the commands Temporal Cloud
// bills as actions: a workflow start (by a client, signal-with-start or
// continue-as-new), each activity attempt, each timer, each upsert of
// search attributes (except one that only records TemporalChangeVersion,
// which the SDK writes for GetVersion and Cloud does not bill) and each
// signal received. Queries and heartbeats are billed too but leave no
// event; these workflows send no heartbeats.
type Actions struct {
	Starts     int
	Activities int
	Timers     int
	Upserts    int
	Signals    int
	// ByActivity counts the activity attempts by activity type.
	ByActivity map[string]int
}

// Total is the sum of the billed actions.
func (a Actions) Total() int { return a.Starts + a.Activities + a.Timers + a.Upserts + a.Signals }

// Add sums two counts.
func (a Actions) Add(b Actions) Actions {
	sum := Actions{Starts: a.Starts + b.Starts, Activities: a.Activities + b.Activities, Timers: a.Timers + b.Timers,
		Upserts: a.Upserts + b.Upserts, Signals: a.Signals + b.Signals, ByActivity: map[string]int{}}
	for _, m := range []map[string]int{a.ByActivity, b.ByActivity} {
		for k, v := range m {
			sum.ByActivity[k] += v
		}
	}
	return sum
}

// CountActions counts the billed actions of one run's events.
func CountActions(events []*historypb.HistoryEvent) Actions {
	a := Actions{ByActivity: map[string]int{}}
	scheduled := map[int64]string{}
	for _, e := range events {
		switch e.GetEventType() {
		case enums.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED:
			a.Starts++
		case enums.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
			name := e.GetActivityTaskScheduledEventAttributes().GetActivityType().GetName()
			scheduled[e.GetEventId()] = name
			a.Activities++
			a.ByActivity[name]++
		case enums.EVENT_TYPE_ACTIVITY_TASK_STARTED:
			// Only the last attempt's start is written: earlier attempts
			// show as its attempt number.
			attrs := e.GetActivityTaskStartedEventAttributes()
			if retries := int(attrs.GetAttempt()) - 1; retries > 0 {
				a.Activities += retries
				a.ByActivity[scheduled[attrs.GetScheduledEventId()]] += retries
			}
		case enums.EVENT_TYPE_TIMER_STARTED:
			a.Timers++
		case enums.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES:
			fields := e.GetUpsertWorkflowSearchAttributesEventAttributes().GetSearchAttributes().GetIndexedFields()
			if _, version := fields["TemporalChangeVersion"]; !version || len(fields) > 1 {
				a.Upserts++
			}
		case enums.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED:
			a.Signals++
		}
	}
	return a
}

// History reads the events of a workflow run ("" for the latest run).
func History(ctx context.Context, c client.Client, workflowID, runID string) ([]*historypb.HistoryEvent, error) {
	var events []*historypb.HistoryEvent
	iter := c.GetWorkflowHistory(ctx, workflowID, runID, false, enums.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for iter.HasNext() {
		e, err := iter.Next()
		if err != nil {
			return nil, fmt.Errorf("reading the history of %s: %w", workflowID, err)
		}
		events = append(events, e)
	}
	return events, nil
}
