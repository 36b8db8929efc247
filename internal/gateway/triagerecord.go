package gateway

import (
	"context"
	"time"

	"github.com/dre-dev/dre/workflows"
)

// triageStartBudget is how long /dre triage waits for Temporal to record
// a report before answering, within Slack's three seconds for the whole
// answer.
const triageStartBudget = 2 * time.Second

// recordTriage signals-with-start the report and waits up to
// triageStartBudget for Temporal's answer. confirmed is false when the
// budget ran out first: the call goes on in the background (never lost
// from a running gateway, but not yet durable) and tells the user through
// responseURL if it fails in the end.
func (c *Commands) recordTriage(in workflows.TriageInput, responseURL string) (confirmed bool, err error) {
	select {
	case c.starting <- struct{}{}:
	default:
		return false, errBusy
	}
	result, gaveUp := make(chan error), make(chan struct{})
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		defer func() { <-c.starting }()
		ctx, cancel := context.WithTimeout(context.Background(), jobTimeout)
		defer cancel()
		err := c.Triage.ReportTriage(ctx, in)
		select {
		case result <- err:
		case <-gaveUp:
			if err != nil {
				c.logger().Error("starting triage failed", "dataset", in.Dataset.Name, "error", err)
				c.tell(ctx, responseURL, "Triage of %s could not be started: %v. Try again, or run `dre triage start %s` from a terminal.", in.Dataset.Name, err, in.Dataset.Name)
			}
		}
	}()
	timer := time.NewTimer(triageStartBudget)
	defer timer.Stop()
	select {
	case err := <-result:
		if err != nil {
			c.logger().Error("starting triage failed", "dataset", in.Dataset.Name, "error", err)
		}
		return true, err
	case <-timer.C:
		close(gaveUp)
		return false, nil
	}
}
