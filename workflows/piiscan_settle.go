package workflows

import (
	"strings"

	"go.temporal.io/sdk/workflow"

	"github.com/dre-dev/dre/activities"
)

// piiTagDecidedChange is the GetVersion ID of the update that replaces a
// tagged column's "Tag as PII" button with who tagged it and when; scans
// recorded before it leave the button in place.
const piiTagDecidedChange = "pii-tag-decided-messages"

// piiNotice is an owner's notice with its Tag buttons, kept so that a tag
// can rewrite it in place.
type piiNotice struct {
	posted activities.SlackPosted
	msg    activities.SlackMessage
	// updating is set while an update is in flight, so that two tags
	// rewrite the notice one after the other, the last showing both.
	updating bool
}

// piiSettle is what the tag-message updates need: on is false in scans
// recorded before them; posted is set once every notice went out.
type piiSettle struct {
	on, posted bool
	notices    map[string]*piiNotice // by dataset
}

// keepNotice records the notice posted for a dataset, if Slack took it.
func (s *piiScan) keepNotice(dataset string, m activities.SlackMessage, posted activities.SlackPosted) {
	if !s.settle.on || !posted.Sent || posted.TS == "" {
		return
	}
	if s.settle.notices == nil {
		s.settle.notices = map[string]*piiNotice{}
	}
	s.settle.notices[dataset] = &piiNotice{posted: posted, msg: m}
}

// settleNotice rewrites a dataset's notice after a tag: the tagged
// columns' buttons give way to "Tagged <kind> by <approver> at <time>".
// It waits for the notices to go out, since a tag may come first; a
// failed update is only logged.
func (s *piiScan) settleNotice(ctx workflow.Context, dataset string) {
	if !s.settle.on {
		return
	}
	if err := workflow.Await(ctx, func() bool { return s.settle.posted }); err != nil {
		return
	}
	n := s.settle.notices[dataset]
	if n == nil {
		return
	}
	if err := workflow.Await(ctx, func() bool { return !n.updating }); err != nil {
		return
	}
	n.updating = true
	defer func() { n.updating = false }()
	if _, err := sendSlack(ctx, "record the tag in "+n.posted.Channel, s.settledNotice(dataset, n)); err != nil {
		workflow.GetLogger(ctx).Warn("PII notice not updated", "channel", n.posted.Channel, "error", err)
	}
}

// settledNotice renders a notice as it stands now. Buttons are matched
// by the value tagButtons gave them, not parsed back.
func (s *piiScan) settledNotice(dataset string, n *piiNotice) activities.SlackMessage {
	m := activities.SlackMessage{Channel: n.posted.Channel, UpdateTS: n.posted.TS, Text: n.msg.Text}
	taggedHere := map[string]PIITagged{} // by button value
	for _, t := range s.tagged {
		if t.Dataset == dataset {
			taggedHere[activities.ButtonValue(s.id, dataset+"/"+t.Column)] = t
		}
	}
	var lines []string
	for _, row := range n.msg.Actions {
		kept := activities.SlackActions{Text: row.Text}
		for _, b := range row.Buttons {
			t, done := taggedHere[b.Value]
			if !done {
				kept.Buttons = append(kept.Buttons, b)
				continue
			}
			lines = append(lines, "`"+t.Column+"`: "+decidedText(":label: Tagged "+string(t.Kind), t.Approver, t.At))
		}
		if len(kept.Buttons) > 0 || kept.Text != "" {
			m.Actions = append(m.Actions, kept)
		}
	}
	if len(lines) > 0 {
		m.Text += "\n" + strings.Join(lines, "\n")
	}
	return m
}
