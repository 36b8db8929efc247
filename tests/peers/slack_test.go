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

func TestSlackRoomsAreAsStrictAsSlack(t *testing.T) {
	s := StartSlack(t)
	s.AddUsers("U0ALICE")
	s.TakeName("inc-orders")
	c := s.Client()
	for name, want := range map[string]string{
		"inc-orders": "name_taken", "Inc-Orders": "invalid_name_specials", "inc orders": "invalid_name_specials",
		"": "invalid_name_required", strings.Repeat("a", 81): "invalid_name_maxlength", "--": "invalid_name_punctuation",
	} {
		if _, err := c.CreateConversation(slack.CreateConversationParams{ChannelName: name}); err == nil || err.Error() != want {
			t.Errorf("create %q: %v, want %s", name, err, want)
		}
	}
	if _, err := slack.New("xoxb-other", slack.OptionAPIURL(s.APIURL())).CreateConversation(slack.CreateConversationParams{ChannelName: "inc-x"}); err == nil || err.Error() != "invalid_auth" {
		t.Errorf("create with another token: %v, want invalid_auth", err)
	}
	ch, err := c.CreateConversation(slack.CreateConversationParams{ChannelName: "inc-orders-2"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.InviteUsersToConversation(ch.ID, "U0ALICE", "U0NOBODY"); err == nil || err.Error() != "user_not_found" {
		t.Errorf("invite of an unknown user: %v, want user_not_found", err)
	}
	if _, err := c.InviteUsersToConversation(ch.ID, "U0ALICE"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.InviteUsersToConversation(ch.ID, "U0ALICE"); err == nil || err.Error() != "already_in_channel" {
		t.Errorf("second invite: %v, want already_in_channel", err)
	}
	s.AddGroup("S0LEADS", "U0ALICE")
	if _, err := c.GetUserGroupMembers("S0NONE"); err == nil || err.Error() != "no_such_subteam" {
		t.Errorf("members of an unknown group: %v, want no_such_subteam", err)
	}
	if m, err := c.GetUserGroupMembers("S0LEADS"); err != nil || strings.Join(m, ",") != "U0ALICE" {
		t.Errorf("members of S0LEADS: %v, %v; want U0ALICE", m, err)
	}
	if rooms := s.Rooms(); len(rooms) != 2 || rooms[1].Name != "inc-orders-2" || strings.Join(rooms[1].Members, ",") != SlackBotUser+",U0ALICE" {
		t.Errorf("rooms %+v; want inc-orders-2 with the bot and U0ALICE", rooms)
	}
}
