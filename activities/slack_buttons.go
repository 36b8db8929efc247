package activities

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/slack-go/slack"
)

// Action IDs of the buttons on review, deprecation and PII scan messages.
// The gateway routes a click by the part before the first "/"; a button
// gets "/<n>" appended so that its action ID is unique in its message, as
// Slack requires. The value is ButtonValue(workflow ID, argument).
const (
	// ReviewButtonKeep and ReviewButtonRevoke decide one grant under
	// access review, or every grant the clicker may decide when the
	// argument is "all".
	ReviewButtonKeep   = "review_keep"
	ReviewButtonRevoke = "review_revoke"
	// DeprecateButtonAck acknowledges a deprecation; it has no argument.
	DeprecateButtonAck = "deprecate_ack"
	// PIIButtonTag tags a column the PII scan found; its argument is
	// "<dataset>/<column>".
	PIIButtonTag = "pii_tag"
	// BackfillButtonApprove approves a backfill waiting for approval (its
	// cost over budget, or its dataset's SLO frozen); it has no argument.
	BackfillButtonApprove = "backfill_approve"
)

// maxButtonsPerRow is Slack's limit of elements in one actions block.
const maxButtonsPerRow = 25

// SlackButton is one button of a SlackMessage.
type SlackButton struct {
	ActionID string `json:"actionId"`
	Label    string `json:"label"`
	Value    string `json:"value"`
	// Style is "primary", "danger" or "" (default).
	Style string `json:"style,omitempty"`
}

// SlackActions is a row of buttons, with an optional line of text above it
// (the grant the buttons decide, say).
type SlackActions struct {
	Text    string        `json:"text,omitempty"`
	Buttons []SlackButton `json:"buttons"`
}

// buttonValue is the JSON form of a button's value. Triage buttons predate
// it and carry the bare workflow ID, which ParseButtonValue still reads.
type buttonValue struct {
	Workflow string `json:"w"`
	Arg      string `json:"a,omitempty"`
}

// ButtonValue encodes the workflow a button acts on and its argument. JSON
// rather than a separator, since grant IDs and workflow IDs may hold any
// character.
func ButtonValue(workflowID, arg string) string {
	// Workflows call this: encoding two strings is deterministic, though
	// json's type cache makes workflowcheck think otherwise.
	//workflowcheck:ignore
	b, _ := json.Marshal(buttonValue{Workflow: workflowID, Arg: arg}) // two strings always encode
	return string(b)
}

// ParseButtonValue decodes a ButtonValue; a value that is not JSON is a
// bare workflow ID with no argument.
func ParseButtonValue(v string) (workflowID, arg string) {
	var bv buttonValue
	if !strings.HasPrefix(v, "{") || json.Unmarshal([]byte(v), &bv) != nil {
		return v, ""
	}
	return bv.Workflow, bv.Arg
}

// actionBlocks lays out a message with buttons: the text, then each row's
// text and buttons. The text stays the notification's fallback too.
func actionBlocks(m SlackMessage) []slack.Block {
	markdown := func(s string) *slack.SectionBlock {
		return slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, s, false, false), nil, nil)
	}
	blocks := []slack.Block{markdown(m.Text)}
	n := 0
	for i, row := range m.Actions {
		if row.Text != "" {
			blocks = append(blocks, markdown(row.Text))
		}
		var elements []slack.BlockElement
		for _, b := range row.Buttons[:min(len(row.Buttons), maxButtonsPerRow)] {
			label := slack.NewTextBlockObject(slack.PlainTextType, b.Label, false, false)
			el := slack.NewButtonBlockElement(fmt.Sprintf("%s/%d", b.ActionID, n), b.Value, label)
			elements = append(elements, el.WithStyle(slack.Style(b.Style)))
			n++
		}
		if len(elements) > 0 {
			blocks = append(blocks, slack.NewActionBlock(fmt.Sprintf("actions_%d", i), elements...))
		}
	}
	return blocks
}
