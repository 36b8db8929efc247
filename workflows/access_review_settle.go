package workflows

import (
	"slices"
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/dre-dev/dre/activities"
)

// reviewDecidedChange is the GetVersion ID of the updates that replace a
// decided grant's Keep/Revoke buttons with the decision; runs recorded
// before it leave the buttons in place.
const reviewDecidedChange = "review-decided-messages"

// reviewAsk is one posted ask, kept so that decisions can rewrite it in
// place: where it went, what it showed, and which grant each row is.
type reviewAsk struct {
	posted activities.SlackPosted
	msg    activities.SlackMessage
	// rowGrants is the grant of each row of msg.Actions, "" for the row
	// that decides all; listed are every grant the text names.
	rowGrants []string
	listed    []string
	// updating is set while an update of this message is in flight, so
	// that two decisions rewrite it one after the other, the last with both.
	updating bool
}

// reviewSettle is what the decided-message updates need; on is false in
// runs recorded before them, closed once decisions are no longer taken.
type reviewSettle struct {
	on, closed bool
	asks       []*reviewAsk
	decidedAt  map[string]time.Time
}

// startSettling decides, once per run, whether decisions rewrite the asks.
func (r *review) startSettling(ctx workflow.Context) {
	r.settle.on = workflow.GetVersion(ctx, reviewDecidedChange, workflow.DefaultVersion, 1) >= 1
	r.settle.decidedAt = map[string]time.Time{}
}

// postAsk posts one approver's ask and, when decisions rewrite asks,
// keeps it; a grant decided while the post was on its way is shown at once.
func (r *review) postAsk(ctx workflow.Context, approver, text string, rows []activities.SlackActions, rowGrants, listed []string) {
	if !r.settle.on {
		postSlackActions(ctx, approver, text, rows)
		return
	}
	m := activities.SlackMessage{Channel: approver, Text: text, Actions: rows}
	posted, err := sendSlack(ctx, "post to "+approver, m)
	if err != nil || !posted.Sent || posted.TS == "" {
		if err != nil {
			workflow.GetLogger(ctx).Warn("Slack message not posted", "channel", approver, "error", err)
		}
		return
	}
	ask := &reviewAsk{posted: posted, msg: m, rowGrants: rowGrants, listed: listed}
	r.settle.asks = append(r.settle.asks, ask)
	if slices.ContainsFunc(listed, r.isDecided) {
		r.rewriteAsk(ctx, ask)
	}
}

// noteDecided stamps the grants decided just now, for the messages.
func (r *review) noteDecided(ctx workflow.Context, before map[string]bool) []string {
	var ids []string
	for _, it := range r.res.Items {
		if it.Decision != "" && !before[it.ID] {
			r.settle.decidedAt[it.ID] = workflow.Now(ctx)
			ids = append(ids, it.ID)
		}
	}
	return ids
}

// decidedIDs are the grants decided so far.
func (r *review) decidedIDs() map[string]bool {
	out := map[string]bool{}
	for _, it := range r.res.Items {
		if it.Decision != "" {
			out[it.ID] = true
		}
	}
	return out
}

// settleAsks rewrites every ask that lists one of the grants decided.
func (r *review) settleAsks(ctx workflow.Context, decided []string) {
	if !r.settle.on || len(decided) == 0 {
		return
	}
	for _, ask := range r.settle.asks {
		if slices.ContainsFunc(ask.listed, func(id string) bool { return slices.Contains(decided, id) }) {
			r.rewriteAsk(ctx, ask)
		}
	}
}

// rewriteAsk updates one ask in place: each decided grant's buttons give
// way to who decided what and when, and the all buttons go once nothing
// in it is left to decide. A failed update is only logged.
func (r *review) rewriteAsk(ctx workflow.Context, ask *reviewAsk) {
	if err := workflow.Await(ctx, func() bool { return !ask.updating }); err != nil {
		return
	}
	ask.updating = true
	defer func() { ask.updating = false }()
	update := r.settledAsk(ask)
	if _, err := sendSlack(ctx, "record the decision in "+ask.posted.Channel, update); err != nil {
		workflow.GetLogger(ctx).Warn("review message not updated", "channel", ask.posted.Channel, "error", err)
	}
}

// settledAsk renders an ask as it stands now.
func (r *review) settledAsk(ask *reviewAsk) activities.SlackMessage {
	m := activities.SlackMessage{Channel: ask.posted.Channel, UpdateTS: ask.posted.TS, Text: ask.msg.Text}
	open := slices.ContainsFunc(ask.listed, func(id string) bool { return !r.isDecided(id) })
	perGrantRows := false
	for i, row := range ask.msg.Actions {
		switch id := ask.rowGrants[i]; {
		case id == "":
			if open {
				m.Actions = append(m.Actions, row)
			}
		case r.isDecided(id):
			perGrantRows = true
			m.Actions = append(m.Actions, activities.SlackActions{Text: row.Text + "\n" + r.decisionText(id)})
		default:
			perGrantRows = true
			m.Actions = append(m.Actions, row)
		}
	}
	if !perGrantRows { // too many grants for rows: the decisions go under the text
		for _, id := range ask.listed {
			if r.isDecided(id) {
				m.Text += "\n`" + id + "`: " + r.decisionText(id)
			}
		}
	}
	return m
}

func (r *review) isDecided(id string) bool {
	i := slices.IndexFunc(r.res.Items, func(it ReviewItem) bool { return it.ID == id })
	return i >= 0 && r.res.Items[i].Decision != ""
}

// decisionText is "Kept by <@U…> at …" or "Revoked by default at …".
func (r *review) decisionText(id string) string {
	i := slices.IndexFunc(r.res.Items, func(it ReviewItem) bool { return it.ID == id })
	it := r.res.Items[i]
	what := ":white_check_mark: Kept"
	if it.Decision == ReviewRevoke {
		what = ":no_entry: Revoked"
	}
	return decidedText(what, it.DecidedBy, r.settle.decidedAt[id])
}
