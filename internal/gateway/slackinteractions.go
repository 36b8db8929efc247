package gateway

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/dre-dev/dre/activities"
	"github.com/dre-dev/dre/workflows"
)

// ButtonPresser runs the update behind a button on a workflow and returns
// the workflow's answer; a rejected update is an error whose text says why.
type ButtonPresser interface {
	PressWith(ctx context.Context, workflowID, update string, arg any) (string, error)
}

// buttonUpdates maps the action IDs of the incident message's buttons to
// the triage updates they send. The button's value is the workflow ID.
var buttonUpdates = map[string]string{
	activities.TriageButtonAck:        workflows.TriageAckUpdate,
	activities.TriageButtonResolve:    workflows.TriageResolveUpdate,
	activities.TriageButtonEscalate:   workflows.TriageEscalateUpdate,
	activities.TriageButtonRunRunbook: workflows.TriageRunRunbookUpdate,
	activities.TriageButtonBackfill:   workflows.TriageBackfillUpdate,
}

// buttonKind is the update behind the buttons of other workflows, and how
// the clicker and the button's argument make its argument. The clicker is
// always the one who acts: the workflows' validators decide whether they
// may (approvers, separation of duties).
type buttonKind struct {
	update string
	arg    func(by, arg string) (any, error)
	// decide, when set instead of arg, makes a decision the gateway's
	// relay key signs for the clicker (see SlackRelay.Sign), over target.
	decide func(by string, p workflows.Proof, arg string) (any, error)
	target func(workflowID, arg string) string
	// allow, when set, is the slack.allow key that limits who may click.
	allow string
}

// buttonKinds maps the part of an action ID before "/" to its kind.
var buttonKinds = map[string]buttonKind{
	activities.ReviewButtonKeep:   {update: workflows.AccessReviewDecideUpdate, arg: reviewDecision(workflows.ReviewKeep)},
	activities.ReviewButtonRevoke: {update: workflows.AccessReviewDecideUpdate, arg: reviewDecision(workflows.ReviewRevoke)},
	activities.DeprecateButtonAck: {update: workflows.DeprecateAckUpdate, arg: func(by, _ string) (any, error) {
		return workflows.DeprecateAction{By: by}, nil
	}},
	activities.PIIButtonTag: {update: workflows.PIIScanTagUpdate, arg: piiTag},
	// Approving spend is limited by slack.allow.backfill-approve when set.
	activities.BackfillButtonApprove: {update: workflows.BackfillApproveUpdate, allow: BackfillApproveAllowKey,
		target: func(workflowID, _ string) string {
			return strings.TrimPrefix(workflowID, workflows.BackfillWorkflowID(""))
		},
		decide: func(by string, p workflows.Proof, _ string) (any, error) {
			return workflows.BackfillApproval{By: by, Proof: p}, nil
		}},
}

// BackfillApproveAllowKey is the slack.allow entry listing who may click
// Approve on a backfill waiting for approval.
const BackfillApproveAllowKey = "backfill-approve"

// TriageButtonsAllowKey is the slack.allow entry listing who may click an
// incident's Ack, Resolve, Escalate and Run runbook buttons; unset, anyone
// in the channel of the workspaces dre accepts may.
const TriageButtonsAllowKey = "triage-buttons"

// reviewDecision decides the grant the button names (or all) for the clicker.
func reviewDecision(decision string) func(by, grant string) (any, error) {
	return func(by, grant string) (any, error) {
		if grant == "" {
			return nil, errors.New("the button names no grant")
		}
		return workflows.ReviewDecision{By: by, Grant: grant, Decision: decision, Note: "from Slack"}, nil
	}
}

// piiTag approves the tag of "<dataset>/<column>" as the clicker. Column
// names hold no "/", dataset names might: split at the last one.
func piiTag(by, arg string) (any, error) {
	i := strings.LastIndex(arg, "/")
	if i <= 0 || i == len(arg)-1 {
		return nil, fmt.Errorf("the button names no dataset and column (%q)", arg)
	}
	return workflows.PIITagRequest{Dataset: arg[:i], Column: arg[i+1:], Approver: by}, nil
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
			s.opts.Commands.pressButton(a.ActionID, a.Value, clicker{user: ic.User.ID, team: ic.Team.ID}, ic.ResponseURL)
		}
	}
	w.WriteHeader(http.StatusOK)
}

// clicker is who clicked a button: a Slack user of a Slack workspace.
type clicker struct{ user, team string }

// pressButton queues the update of one known button; unknown action IDs
// (another app's, an older message's) are ignored.
func (c *Commands) pressButton(actionID, value string, who clicker, responseURL string) {
	if c.Buttons == nil {
		return
	}
	if update, known := buttonUpdates[actionID]; known && value != "" {
		c.queuePress(responseURL, update, value, func(ctx context.Context) (string, error) {
			if err := c.checkClicker(ctx, who, TriageButtonsAllowKey, "the incident's buttons"); err != nil {
				return "", err
			}
			by, proof, err := c.Relay.Sign(value, update, triageDataset(value), who.team, who.user, time.Now())
			if err != nil {
				return "", err
			}
			return c.Buttons.PressWith(ctx, value, update, workflows.TriageAction{By: by, Proof: proof})
		})
		return
	}
	prefix, _, _ := strings.Cut(actionID, "/")
	kind, known := buttonKinds[prefix]
	workflowID, arg := activities.ParseButtonValue(value)
	if !known || workflowID == "" {
		return
	}
	c.queuePress(responseURL, kind.update, workflowID, func(ctx context.Context) (string, error) {
		if err := c.checkClicker(ctx, who, kind.allow, kind.update); err != nil {
			return "", err
		}
		in, err := c.buttonArg(kind, workflowID, who, arg)
		if err != nil {
			return "", err
		}
		return c.Buttons.PressWith(ctx, workflowID, kind.update, in)
	})
}

// buttonArg is the update argument of a click: a decision signed by the
// relay for the clicker, or the clicker's name for kinds not yet signed.
func (c *Commands) buttonArg(kind buttonKind, workflowID string, who clicker, arg string) (any, error) {
	if kind.decide == nil {
		return kind.arg(who.user, arg)
	}
	by, proof, err := c.Relay.Sign(workflowID, kind.update, kind.target(workflowID, arg), who.team, who.user, time.Now())
	if err != nil {
		return nil, err
	}
	return kind.decide(by, proof, arg)
}

// checkClicker refuses a click from a workspace dre.yaml does not name,
// or by someone the slack.allow entry allowKey (if any) leaves out; the
// refusal is counted.
func (c *Commands) checkClicker(ctx context.Context, who clicker, allowKey, label string) error {
	if err := c.Authorize.CheckWorkspace(who.team); err != nil {
		return c.refused(RefusedWorkspace, err)
	}
	if allowKey == "" {
		return nil
	}
	if err := c.Authorize.CheckButton(ctx, allowKey, label, who.user); err != nil {
		return c.refused(RefusedNotAllowed, err)
	}
	return nil
}

// queuePress runs a press in the background and tells the clicker how it
// went; Slack wants its answer within three seconds, an update may take longer.
func (c *Commands) queuePress(responseURL, update, workflowID string, press func(context.Context) (string, error)) {
	err := c.enqueue(func(ctx context.Context) {
		answer, err := press(ctx)
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
