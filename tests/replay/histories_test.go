package replay

import (
	"errors"
	"os"

	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/sdk/client"
)

// readHistory loads a committed history as the replayer does, with its
// WorkflowExecutionStarted event, which names the workflow type and ID.
func readHistory(file string) (*historypb.History, *historypb.WorkflowExecutionStartedEventAttributes, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	history, err := client.HistoryFromJSON(f, client.HistoryJSONOptions{})
	if err != nil {
		return nil, nil, err
	}
	events := history.GetEvents()
	if len(events) == 0 || events[0].GetWorkflowExecutionStartedEventAttributes() == nil {
		return nil, nil, errors.New("the history does not begin with a WorkflowExecutionStarted event")
	}
	return history, events[0].GetWorkflowExecutionStartedEventAttributes(), nil
}
