package peers

import (
	"strings"
	"testing"

	"github.com/slack-go/slack"
)

func TestSlackUpdateIsAsStrictAsSlack(t *testing.T) {
	s := StartSlack(t)
	c := s.Client()
	button := slack.NewActionBlock("a", slack.NewButtonBlockElement("approve", "v", slack.NewTextBlockObject(slack.PlainTextType, "Approve", false, false)))
	ch, ts, err := c.PostMessage("C0DATA", slack.MsgOptionText("waits", false), slack.MsgOptionBlocks(button))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, _, err := c.UpdateMessage(ch, "1700000000.999999", slack.MsgOptionText("x", false)); err == nil || !strings.Contains(err.Error(), "message_not_found") {
		t.Errorf("update of an unknown ts: %v, want message_not_found", err)
	}
	if _, _, _, err := c.UpdateMessage("C0OTHER", ts, slack.MsgOptionText("x", false)); err == nil {
		t.Error("update of the ts in another channel succeeded, want message_not_found")
	}
	if _, _, _, err := c.UpdateMessage(ch, ts, slack.MsgOptionText("approved", false)); err != nil {
		t.Fatal(err)
	}
	if m, _ := s.Message(ch, ts); m.Text != "approved" || !strings.Contains(m.Blocks, "approve") {
		t.Errorf("after a text-only update %+v; want the new text and, as Slack does, the old blocks", m)
	}
}
