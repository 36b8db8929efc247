package workflows

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"

	"github.com/dre-dev/dre/activities"
	"github.com/dre-dev/dre/internal/catalog"
	"github.com/dre-dev/dre/internal/people"
)

// roomHarness is a triage harness whose worker knows the owner team of
// orders (U0OWNER) and whose Slack opens rooms, recording the requests.
func roomHarness(t *testing.T) (*triageHarness, *[]activities.RoomRequest) {
	h := newTriageHarness(t)
	orders := ordersIncident(1).Dataset
	h.policy.People = people.NewDirectory(map[string]people.Person{"olive": {SlackUser: "U0OWNER"}},
		map[string]people.Group{"commerce-data": {People: []string{"olive"}, SlackGroups: []string{"S0COMMERCE"}}})
	h.policy.Catalog = catalog.New([]catalog.Dataset{orders})
	var asked []activities.RoomRequest
	var n *activities.Notify
	h.env.OnActivity(n.OpenIncidentRoom, mock.Anything, mock.Anything).Return(func(_ context.Context, r activities.RoomRequest) (activities.RoomResult, error) {
		h.mu.Lock()
		defer h.mu.Unlock()
		asked = append(asked, r)
		return activities.RoomResult{Opened: true, Channel: "C0ROOM1", Name: activities.RoomName(r.Prefix, r.Dataset, r.Day), Invited: r.Invite}, nil
	})
	return h, &asked
}

func roomPolicy() TriagePolicy {
	return TriagePolicy{Room: &TriageRoom{Severities: []int{1, 2}, Invite: []string{"U0ONCALL"}}}
}

func TestSev1OpensARoomWithOwnerAndRespondersAndACommander(t *testing.T) {
	h, asked := roomHarness(t)
	in := ordersIncident(1)
	in.Policy = roomPolicy()
	h.at(time.Minute, func() { h.mustUpdate(TriageCommandUpdate, TriageAction{By: "U0BOB"}) })
	h.at(2*time.Minute, func() { h.mustUpdate(TriageCommandUpdate, TriageAction{By: "U0CAROL"}) })
	h.at(3*time.Minute, func() { h.mustUpdate(TriageResolveUpdate, TriageAction{By: "U0CAROL"}) })
	tl := h.run(in)
	if len(*asked) != 1 || strings.Join((*asked)[0].Invite, ",") != "U0OWNER,U0ONCALL,U0ALICE" || (*asked)[0].Prefix != "inc-" ||
		strings.Join((*asked)[0].InviteGroups, ",") != "S0COMMERCE" {
		t.Fatalf("rooms asked %+v; want one, inviting the owner team (people and Slack group), the policy's responder and the reporter", *asked)
	}
	if tl.Room != "C0ROOM1" || tl.RoomName != "inc-orders-2026-11-23" || tl.Commander != "U0CAROL" {
		t.Errorf("timeline room %q (%s), commander %q; want C0ROOM1, inc-orders-2026-11-23, U0CAROL", tl.Room, tl.RoomName, tl.Commander)
	}
	inRoom := roomPosts(h, "C0ROOM1")
	if len(inRoom) < 4 || !strings.Contains(inRoom[0], "sev1 incident on orders") || !strings.Contains(inRoom[2], "<@U0CAROL> took command of the incident from <@U0BOB>") ||
		!strings.Contains(inRoom[len(inRoom)-1], "*Resolved*") {
		t.Errorf("room posts %q; want the summary, both commanders and the closing summary", inRoom)
	}
	kinds := eventKinds(tl)
	if !slices.Contains(kinds, "room") || slices.Index(kinds, "commander") < 0 {
		t.Errorf("timeline %v; want the room and the commander recorded", kinds)
	}
	last := h.incidents[len(h.incidents)-2] // the last before the resolution drops the buttons
	if !last.CanCommand || !strings.Contains(strings.Join(last.Decisions, " "), "Commanded by <@U0CAROL>") {
		t.Errorf("incident message %+v; want Take command and the commander", last)
	}
}

func TestSev3OpensNoRoomUntilARaiseToSev2(t *testing.T) {
	h, asked := roomHarness(t)
	in := ordersIncident(3)
	in.Policy = roomPolicy()
	h.at(time.Minute, func() {
		if len(*asked) != 0 {
			t.Errorf("a sev3 asked for rooms %+v", *asked)
		}
		h.env.SignalWorkflow(TriageReportSignal, TriageReport{Reporter: "U0DAN", Severity: 2, Description: "worse", ReportedAt: triageStart.Add(time.Minute)})
	})
	h.at(2*time.Minute, func() { h.update("command on sev2", TriageCommandUpdate, TriageAction{By: "U0DAN"}) })
	h.at(3*time.Minute, func() { h.mustUpdate(TriageResolveUpdate, TriageAction{By: "U0DAN"}) })
	tl := h.run(in)
	if len(*asked) != 1 || !slices.Contains((*asked)[0].Invite, "U0DAN") {
		t.Fatalf("rooms asked %+v; want one after the raise, inviting the new reporter", *asked)
	}
	if tl.Room != "C0ROOM1" || tl.Commander != "U0DAN" {
		t.Errorf("room %q, commander %q; want C0ROOM1 and U0DAN", tl.Room, tl.Commander)
	}
}

func TestNoRoomPolicyAsksForNoRoom(t *testing.T) {
	h, asked := roomHarness(t)
	h.at(time.Minute, func() { h.mustUpdate(TriageResolveUpdate, TriageAction{By: "U0BOB"}) })
	tl := h.run(ordersIncident(1))
	if len(*asked) != 0 || tl.Room != "" {
		t.Errorf("without room: in the policy, rooms %+v and %q; want none", *asked, tl.Room)
	}
}

// roomPosts are the texts posted to channel, in order.
func roomPosts(h *triageHarness, channel string) []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []string
	for _, p := range h.posts {
		if p.Channel == channel {
			out = append(out, p.Text)
		}
	}
	return out
}

func eventKinds(tl TriageTimeline) []string {
	var kinds []string
	for _, e := range tl.Events {
		kinds = append(kinds, e.Kind)
	}
	return kinds
}
