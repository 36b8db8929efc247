package e2e

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/dre-dev/dre/internal/people"
	"github.com/dre-dev/dre/internal/worker"
	"github.com/dre-dev/dre/tests/peers"
	"github.com/dre-dev/dre/workflows"
)

// TestSev1OpensAnIncidentRoomAndSev3DoesNot drives incidents through the
// real gateway and the real slack-go client against the Slack stand-in:
// a sev1 on orders creates its room, invites the owner team's person, the
// policy's responder and the reporter, and posts the summary there; the
// Take command button makes a commander; a sev3 on customers opens none.
func TestSev1OpensAnIncidentRoomAndSev3DoesNot(t *testing.T) {
	dsn, cfg := seededDemo(t, "triage_room")
	makeOrdersStale(t, dsn)
	decide := worker.Policy(cfg)
	decide.People = people.NewDirectory(map[string]people.Person{"demo-owner": {SlackUser: "U0DEMOOWNER"}},
		map[string]people.Group{"commerce-data": {People: []string{"demo-owner"}}})
	policy := workflows.TriagePolicy{Room: &workflows.TriageRoom{Severities: []int{1, 2}, Invite: []string{"U0ONCALL"}}}
	s := startTriageStackOn(t, dsn, cfg, "dre-e2e-triage-room", policy, decide, nil)
	s.slack.AddUsers("U0DEMOOWNER", "U0ONCALL", "U0REPORTER")
	form := "application/x-www-form-urlencoded"

	if st := postSigned(t, s.gateway+"/slack/commands", form, slashCommand("triage orders sev1 revenue dashboard empty", "r1"), slackSigner(triageSlackSecret)); st != 200 {
		t.Fatalf("sev1 command: %d", st)
	}
	var room peers.SlackRoom
	eventually(t, "the incident room with its people", func() bool {
		rooms := s.slack.Rooms()
		if len(rooms) == 0 {
			return false
		}
		room = rooms[0]
		return len(room.Members) == 4
	})
	if want := []string{peers.SlackBotUser, "U0DEMOOWNER", "U0ONCALL", "U0REPORTER"}; !slices.Equal(room.Members, want) || !strings.HasPrefix(room.Name, "inc-orders-") {
		t.Fatalf("room %+v; want inc-orders-<day> with %v", room, want)
	}
	eventually(t, "the summary in the room", func() bool { return postedIn(s.slack, room.ID, "sev1 incident on orders") })

	id := workflows.TriageWorkflowID("orders")
	click := url.Values{"payload": {fmt.Sprintf(`{"type":"block_actions","user":{"id":"U0ONCALL"},"actions":[{"block_id":"b","action_id":"triage_command","value":%q}]}`, id)}}.Encode()
	if st := postSigned(t, s.gateway+"/slack/interactions", form, click, slackSigner(triageSlackSecret)); st != 200 {
		t.Fatalf("Take command button: %d", st)
	}
	eventually(t, "the commander in the room", func() bool { return postedIn(s.slack, room.ID, "<@U0ONCALL> is now the incident commander") })
	if tl := triageTimeline(t, id); tl.Room != room.ID || tl.Commander != "U0ONCALL" {
		t.Fatalf("timeline room %q, commander %q; want %s and U0ONCALL", tl.Room, tl.Commander, room.ID)
	}

	if st := postSigned(t, s.gateway+"/slack/commands", form, slashCommand("triage customers sev3 odd nulls", "r2"), slackSigner(triageSlackSecret)); st != 200 {
		t.Fatalf("sev3 command: %d", st)
	}
	eventually(t, "the sev3 incident message", func() bool { return slackSaid(s.slack, "sev3 incident on customers") })
	resolve := url.Values{"payload": {fmt.Sprintf(`{"type":"block_actions","user":{"id":"U0ONCALL"},"actions":[{"block_id":"b","action_id":"triage_resolve","value":%q}]}`, id)}}.Encode()
	if st := postSigned(t, s.gateway+"/slack/interactions", form, resolve, slackSigner(triageSlackSecret)); st != 200 {
		t.Fatalf("Resolve button: %d", st)
	}
	var tl workflows.TriageTimeline
	if err := env.Client.GetWorkflow(context.Background(), id, "").Get(context.Background(), &tl); err != nil {
		t.Fatal(err)
	}
	if rooms := s.slack.Rooms(); len(rooms) != 1 {
		t.Fatalf("rooms %+v; want only the sev1's", rooms)
	}
	if tl := triageTimeline(t, workflows.TriageWorkflowID("customers")); tl.Room != "" {
		t.Fatalf("the sev3 has room %q, want none", tl.Room)
	}
	recordHistory(t, id, "triage-incident-room.json")
}

// postedIn reports whether a message containing text went to channel.
func postedIn(s *peers.Slack, channel, text string) bool {
	for _, c := range s.Calls() {
		if c.Channel == channel && strings.Contains(c.Text, text) {
			return true
		}
	}
	return false
}
