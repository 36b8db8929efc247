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
	activities.TriageButtonCommand:    workflows.TriageCommandUpdate,
}

// buttonKind is the update behind the buttons of other workflows, and how
// the clicker and the button's argument make its argument. The clicker is
// always the one who acts: the workflows' validators decide whether they
// may (approvers, separation of duties).
type buttonKind struct {
	update string
	arg    func(d slackDecider, arg string) (any, error)
	// allow, when set, is the slack.allow key that limits who may click.
	allow string
}

// buttonKinds maps the part of an action ID before "/" to its kind.
var buttonKinds = map[string]buttonKind{
	activities.ReviewButtonKeep:   {update: workflows.AccessReviewDecideUpdate, arg: reviewDecision(workflows.ReviewKeep)},
	activities.ReviewButtonRevoke: {update: workflows.AccessReviewDecideUpdate, arg: reviewDecision(workflows.ReviewRevoke)},
	activities.DeprecateButtonAck: {update: workflows.DeprecateAckUpdate, arg: deprecateAck},
	activities.PIIButtonTag:       {update: workflows.PIIScanTagUpdate, arg: piiTag},
	// Approving spend is limited by slack.allow.backfill-approve when set.
	activities.BackfillButtonApprove: {update: workflows.BackfillApproveUpdate, allow: BackfillApproveAllowKey,
		arg: backfillApproval},
}

// BackfillApproveAllowKey is the slack.allow entry listing who may click
// Approve on a backfill waiting for approval.
const BackfillApproveAllowKey = "backfill-approve"

// TriageButtonsAllowKey is the slack.allow entry listing who may click an
// incident's Ack, Resolve, Escalate and Run runbook buttons; unset, anyone
// in the channel of the workspaces dre accepts may.
const TriageButtonsAllowKey = "triage-buttons"

// reviewDecision decides the grant the button names (or all) for the clicker.
func reviewDecision(decision string) func(d slackDecider, grant string) (any, error) {
	return func(d slackDecider, grant string) (any, error) {
		if grant == "" {
			return nil, errors.New("the button names no grant")
		}
		r := workflows.ReviewDecision{Grant: grant, Decision: decision, Note: "from Slack"}
		var err error
		r.By, r.Proof, err = d.sign(workflows.ReviewDecisionTarget(r))
		return r, err
	}
}

// backfillApproval approves the backfill for the clicker.
func backfillApproval(d slackDecider, _ string) (any, error) {
	var a workflows.BackfillApproval
	var err error
	a.By, a.Proof, err = d.sign(strings.TrimPrefix(d.workflowID, workflows.BackfillWorkflowID("")))
	return a, err
}

// deprecateAck acknowledges the deprecation for the clicker.
func deprecateAck(d slackDecider, _ string) (any, error) {
	dataset, ok := workflows.DeprecateDataset(d.workflowID)
	if !ok {
		return nil, fmt.Errorf("%q is not a deprecation", d.workflowID)
	}
	var a workflows.DeprecateAction
	var err error
	a.By, a.Proof, err = d.sign(workflows.DeprecateTarget(dataset, a))
	return a, err
}

// piiTag approves the tag of "<dataset>/<column>" as the clicker. Column
// names hold no "/", dataset names might: split at the last one.
func piiTag(d slackDecider, arg string) (any, error) {
	i := strings.LastIndex(arg, "/")
	if i <= 0 || i == len(arg)-1 {
		return nil, fmt.Errorf("the button names no dataset and column (%q)", arg)
	}
	r := workflows.PIITagRequest{Dataset: arg[:i], Column: arg[i+1:]}
	var err error
	r.Approver, r.Proof, err = d.sign(workflows.PIITagTarget(r))
	return r, err
}

// slackDecider is who clicked a decision's button, and where.
type slackDecider struct {
	who                clicker
	workflowID, update string
	relay              *SlackRelay
}

// sign returns the decider and proof of the click's decision on target:
// signed by the gateway's relay key for the Slack user when it has one,
// else the Slack user unsigned, which workers accept only under
// decisions.allow_unsigned (see SlackRelay.Sign).
func (d slackDecider) sign(target string) (string, workflows.Proof, error) {
	return d.relay.Sign(d.workflowID, d.update, target, d.who.team, d.who.user, time.Now())
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
			d := slackDecider{who: who, workflowID: value, update: update, relay: c.Relay}
			by, proof, err := d.sign(triageDataset(value))
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
		in, err := kind.arg(slackDecider{who: who, workflowID: workflowID, update: kind.update, relay: c.Relay}, arg)
		if err != nil {
			return "", err
		}
		return c.Buttons.PressWith(ctx, workflowID, kind.update, in)
	})
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
