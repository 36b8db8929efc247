package activities

import (
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"
	"go.temporal.io/sdk/testsuite"

	"github.com/dre-dev/dre/tests/peers"
)

func TestRoomNameKeepsSlackRules(t *testing.T) {
	day := time.Date(2026, 12, 7, 23, 0, 0, 0, time.UTC)
	tests := map[string]struct{ prefix, dataset, want string }{
		"plain":      {"inc-", "orders", "inc-orders-2026-12-07"},
		"specials":   {"INC ", "Sales.Orders v2", "inc-sales-orders-v2-2026-12-07"},
		"only marks": {"", "...", "incident-2026-12-07"},
	}
	for name, tt := range tests {
		if got := RoomName(tt.prefix, tt.dataset, day); got != tt.want {
			t.Errorf("%s: %q, want %q", name, got, tt.want)
		}
	}
	long := RoomName("inc-", strings.Repeat("x", 200), day)
	if len(long)+len("-20") > 80 || !strings.HasSuffix(long, "-2026-12-07") {
		t.Errorf("long name %q (%d chars): want the day kept and room for -20 within 80", long, len(long))
	}
}

func TestOpenIncidentRoomTakesTheNextFreeNameAndInvitesEachUser(t *testing.T) {
	s := peers.StartSlack(t)
	s.AddUsers("U0OWNER", "U0ONCALL", "U0LEAD")
	s.AddGroup("S0LEADS", "U0LEAD", "U0OWNER")
	s.TakeName("inc-orders-2026-12-07")
	var env testsuite.WorkflowTestSuite
	a := env.NewTestActivityEnvironment()
	n := &Notify{Slack: s.Client()}
	a.RegisterActivity(n)
	req := RoomRequest{Prefix: "inc-", Dataset: "orders", Day: time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC),
		Invite: []string{"U0OWNER", "U0GONE", "U0ONCALL"}, InviteGroups: []string{"S0LEADS", "S0GONE"}}
	val, err := a.ExecuteActivity(n.OpenIncidentRoom, req)
	if err != nil {
		t.Fatal(err)
	}
	var got RoomResult
	if err := val.Get(&got); err != nil {
		t.Fatal(err)
	}
	if !got.Opened || got.Name != "inc-orders-2026-12-07-2" || strings.Join(got.Invited, ",") != "U0OWNER,U0ONCALL,U0LEAD" || strings.Join(got.NotFound, ",") != "U0GONE" {
		t.Fatalf("room %+v; want inc-orders-2026-12-07-2 with the owner, on-call and the group's lead invited once, U0GONE not found", got)
	}
	rooms := s.Rooms()
	if last := rooms[len(rooms)-1]; last.ID != got.Channel || strings.Join(last.Members, ",") != peers.SlackBotUser+",U0OWNER,U0ONCALL,U0LEAD" {
		t.Errorf("Slack has %+v; want the room with the bot, the owner and on-call", last)
	}
}

func TestOpenIncidentRoomRetryReusesTheChannelItCreated(t *testing.T) {
	s := peers.StartSlack(t)
	s.AddUsers("U0OWNER")
	c := s.Client()
	first, err := c.CreateConversation(slack.CreateConversationParams{ChannelName: "inc-orders-2026-12-07"})
	if err != nil {
		t.Fatal(err)
	}
	var env testsuite.WorkflowTestSuite
	a := env.NewTestActivityEnvironment()
	n := &Notify{Slack: c}
	a.RegisterActivity(n)
	// The attempt before created the room, recorded it, then failed.
	a.SetHeartbeatDetails(RoomResult{Opened: true, Channel: first.ID, Name: first.Name})
	val, err := a.ExecuteActivity(n.OpenIncidentRoom, RoomRequest{Prefix: "inc-", Dataset: "orders", Day: time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC), Invite: []string{"U0OWNER"}})
	if err != nil {
		t.Fatal(err)
	}
	var got RoomResult
	if err := val.Get(&got); err != nil {
		t.Fatal(err)
	}
	if rooms := s.Rooms(); len(rooms) != 1 || got.Channel != first.ID || strings.Join(rooms[0].Members, ",") != peers.SlackBotUser+",U0OWNER" {
		t.Errorf("rooms %+v, result %+v; want the first room reused, with the owner invited", rooms, got)
	}
}
