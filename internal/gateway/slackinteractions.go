package gateway

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"

	"github.com/slack-go/slack"

	"github.com/dre-dev/dre/activities"
	"github.com/dre-dev/dre/workflows"
)

// ButtonPresser runs the update behind a button on a workflow and returns
// the workflow's answer; a rejected update is an error whose text says why.
type ButtonPresser interface {
	Press(ctx context.Context, workflowID, update, by string) (string, error)
}

// buttonUpdates maps the action IDs of the incident message's buttons to
// the triage updates they send. The button's value is the workflow ID.
var buttonUpdates = map[string]string{
	activities.TriageButtonAck:        workflows.TriageAckUpdate,
	activities.TriageButtonResolve:    workflows.TriageResolveUpdate,
	activities.TriageButtonEscalate:   workflows.TriageEscalateUpdate,
	activities.TriageButtonRunRunbook: workflows.TriageRunRunbookUpdate,
}

// interactions verifies a button click, answers Slack at once, and queues
// the update; the clicker hears back through the response_url.
func (s *slackRoutes) interactions(w http.ResponseWriter, r *http.Request) {
	body, ok := s.verified(w, r)
	if !ok {
		return
	}
	form, err := url.ParseQuery(string(body))
	var ic slack.InteractionCallback
	if err != nil || json.Unmarshal([]byte(form.Get("payload")), &ic) != nil {
		http.Error(w, "malformed interaction payload", http.StatusBadRequest)
		return
	}
	if ic.Type == slack.InteractionTypeBlockActions {
		for _, a := range ic.ActionCallback.BlockActions {
			s.opts.Commands.pressButton(a.ActionID, a.Value, ic.User.ID, ic.ResponseURL)
		}
	}
	w.WriteHeader(http.StatusOK)
}

// pressButton queues the update of one known button; unknown action IDs
// (another app's, an older message's) are ignored.
func (c *Commands) pressButton(actionID, workflowID, user, responseURL string) {
	update, known := buttonUpdates[actionID]
	if !known || workflowID == "" || c.Buttons == nil {
		return
	}
	err := c.enqueue(func(ctx context.Context) {
		answer, err := c.Buttons.Press(ctx, workflowID, update, user)
		if err != nil {
			c.tell(ctx, responseURL, "Could not %s %s: %v", update, workflowID, err)
			return
		}
		c.tell(ctx, responseURL, "Done: %s on %s (now %s).", update, workflowID, answer)
	})
	if err != nil {
		c.tell(context.Background(), responseURL, "%v", err)
	}
}
