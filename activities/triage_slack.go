package activities

import (
	"context"
	"fmt"
	"strings"

	"github.com/slack-go/slack"
	"go.temporal.io/sdk/temporal"
)

// Action IDs of the incident message's buttons. Each button's value is the
// triage's workflow ID, so the gateway knows which incident to update.
const (
	TriageButtonAck        = "triage_ack"
	TriageButtonResolve    = "triage_resolve"
	TriageButtonRunRunbook = "triage_run_runbook"
	TriageButtonEscalate   = "triage_escalate"
	TriageButtonBackfill   = "triage_backfill"
	TriageButtonCommand    = "triage_command"
)

// IncidentMessage is the top-level message of an incident. With TS set it
// replaces that message (chat.update), so the message follows the status.
type IncidentMessage struct {
	Channel string `json:"channel"`
	TS      string `json:"ts,omitempty"`
	// Text is the notification fallback and the message's main section.
	Text       string `json:"text"`
	Status     string `json:"status"`
	WorkflowID string `json:"workflowId"`
	RunURL     string `json:"runUrl,omitempty"`
	// Resolved removes the buttons: nothing is left to click.
	Resolved bool `json:"resolved,omitempty"`
	// HasRunbook shows the Run runbook button.
	HasRunbook bool `json:"hasRunbook,omitempty"`
	// Acknowledged removes the Ack button; Decisions say who decided what
	// and when ("Acknowledged by <@U0123> at ..."), in place of the
	// buttons they clicked.
	Acknowledged bool     `json:"acknowledged,omitempty"`
	Decisions    []string `json:"decisions,omitempty"`
	// CanBackfill shows the Backfill affected partitions button: the
	// findings name partitions and the dataset has a source.
	CanBackfill bool `json:"canBackfill,omitempty"`
	// CanCommand shows the Take command button: the incident has a room.
	CanCommand bool `json:"canCommand,omitempty"`
}

// PostIncident posts or updates an incident's Block Kit message.
func (n *Notify) PostIncident(ctx context.Context, m IncidentMessage) (SlackPosted, error) {
	if n.Slack == nil {
		return SlackPosted{Reason: "Slack is not configured (slack.bot_token in dre.yaml)"}, nil
	}
	if m.Channel == "" || m.Text == "" || m.WorkflowID == "" {
		return SlackPosted{}, temporal.NewNonRetryableApplicationError("an incident message needs a channel, text and a workflow ID", errInvalidInput, nil)
	}
	opts := []slack.MsgOption{slack.MsgOptionText(m.Text, false), slack.MsgOptionBlocks(incidentBlocks(m)...)}
	var ch, ts string
	var err error
	if m.TS == "" {
		ch, ts, err = n.Slack.PostMessageContext(ctx, m.Channel, opts...)
	} else {
		ch, ts, _, err = n.Slack.UpdateMessageContext(ctx, m.Channel, m.TS, opts...)
	}
	if err != nil {
		return SlackPosted{}, slackFailure(m.Channel, err)
	}
	return SlackPosted{Sent: true, Channel: ch, TS: ts}, nil
}

// incidentBlocks lays out the text, the status line and the buttons.
func incidentBlocks(m IncidentMessage) []slack.Block {
	status := fmt.Sprintf("Status: *%s* · `%s`", m.Status, m.WorkflowID)
	if m.RunURL != "" {
		status += fmt.Sprintf(" · <%s|open in Temporal>", m.RunURL)
	}
	blocks := []slack.Block{
		slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, m.Text, false, false), nil, nil),
		slack.NewContextBlock("status", slack.NewTextBlockObject(slack.MarkdownType, status, false, false)),
	}
	if len(m.Decisions) > 0 {
		text := slack.NewTextBlockObject(slack.MarkdownType, strings.Join(m.Decisions, "\n"), false, false)
		blocks = append(blocks, slack.NewContextBlock("decisions", text))
	}
	if m.Resolved {
		return blocks
	}
	button := func(id, label string, style slack.Style) *slack.ButtonBlockElement {
		b := slack.NewButtonBlockElement(id, m.WorkflowID, slack.NewTextBlockObject(slack.PlainTextType, label, false, false))
		return b.WithStyle(style)
	}
	var elements []slack.BlockElement
	if !m.Acknowledged {
		elements = append(elements, button(TriageButtonAck, "Ack", slack.StylePrimary))
	}
	elements = append(elements, button(TriageButtonResolve, "Resolve", slack.StyleDefault))
	if m.HasRunbook {
		elements = append(elements, button(TriageButtonRunRunbook, "Run runbook", slack.StyleDefault))
	}
	if m.CanBackfill {
		elements = append(elements, button(TriageButtonBackfill, "Backfill affected partitions", slack.StyleDefault))
	}
	if m.CanCommand {
		elements = append(elements, button(TriageButtonCommand, "Take command", slack.StyleDefault))
	}
	elements = append(elements, button(TriageButtonEscalate, "Escalate", slack.StyleDanger))
	return append(blocks, slack.NewActionBlock("triage_actions", elements...))
}
