package workflows

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/dre-dev/dre/activities"
	"github.com/dre-dev/dre/internal/authz"
)

// TriageRoom is the room: key of a triage policy: incidents of these
// severities get a Slack channel of their own, with the owner team's
// people and the responders invited.
type TriageRoom struct {
	Severities []int `json:"severities"`
	// Prefix starts the channel name (default "inc-"): inc-orders-2026-12-07.
	Prefix string `json:"prefix,omitempty"`
	// Invite are Slack user IDs of responders to invite besides the owner
	// team's people and the reporters.
	Invite []string `json:"invite,omitempty"`
}

// TriageCommandUpdate is the Take command button and `dre triage command`:
// the sender becomes the incident commander.
const TriageCommandUpdate = "command"

// triageRoomChange is the GetVersion ID of incident rooms; triages
// started before them never open one.
const triageRoomChange = "triage-incident-room"

const defaultRoomPrefix = "inc-"

// triageRoom is the incident's own channel and who commands the incident.
type triageRoom struct {
	asked         bool // the room was asked for once; never twice
	channel, name string
	commander     string
	commandedAt   time.Time
}

// roomFor reports whether incidents of severity sev get a room.
func (p TriagePolicy) roomFor(sev int) bool {
	return p.Room != nil && slices.Contains(p.Room.Severities, sev)
}

// openRoomIfDue opens the incident's room the first time its severity
// is one the policy gives a room to: at the opening, or when a report
// raises it. A room that cannot be opened is recorded and said in the
// thread; the incident goes on without it.
func (t *triage) openRoomIfDue(ctx workflow.Context) {
	if t.room.asked || !t.policy.roomFor(t.severity) || t.status == TriageResolved {
		return
	}
	if workflow.GetVersion(ctx, triageRoomChange, workflow.DefaultVersion, 1) == workflow.DefaultVersion {
		return
	}
	t.room.asked = true
	req := activities.RoomRequest{Prefix: orText(t.policy.Room.Prefix, defaultRoomPrefix), Dataset: t.in.Dataset.Name,
		Day: t.detectedAt, Invite: t.roomInvitees(), InviteGroups: t.ownerSlackGroups()}
	var n *activities.Notify
	var room activities.RoomResult
	err := workflow.ExecuteActivity(roomOptions(ctx), n.OpenIncidentRoom, req).Get(ctx, &room)
	if err == nil && !room.Opened {
		err = fmt.Errorf("%s", room.Reason)
	}
	if err != nil {
		t.record(ctx, "room-failed", "dre", err.Error())
		t.post(ctx, ":warning: The incident room could not be opened: "+err.Error())
		return
	}
	t.room.channel, t.room.name = room.Channel, room.Name
	t.record(ctx, "room", "dre", roomEventText(room))
	t.toRoom(ctx, t.roomSummary())
	t.post(ctx, fmt.Sprintf(":door: Incident room <#%s> opened for this sev%d; %d people invited.", room.Channel, t.severity, len(room.Invited)))
	t.statusChanged(ctx) // the incident message offers Take command
}

// roomOptions gives creating the channel and the invites a minute, with
// retries for rate limits; the activity reuses a channel a failed
// attempt created.
func roomOptions(ctx workflow.Context) workflow.Context {
	return workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: time.Minute,
		RetryPolicy:         &temporal.RetryPolicy{InitialInterval: time.Second, MaximumAttempts: 6},
		Summary:             "open the incident room",
	})
}

// roomEventText is the timeline's record of the room.
func roomEventText(room activities.RoomResult) string {
	text := fmt.Sprintf("#%s (%s), invited: %s", room.Name, room.Channel, orText(strings.Join(room.Invited, ", "), "nobody"))
	if len(room.NotFound) > 0 {
		text += "; not invited (unknown to Slack): " + strings.Join(room.NotFound, ", ")
	}
	return text
}

// roomInvitees are the Slack users of the owner team's people, the
// policy's responders, and the reporters who are Slack users, each once.
func (t *triage) roomInvitees() []string {
	var users []string
	add := func(u string) {
		if isSlackUser(u) && !slices.Contains(users, u) {
			users = append(users, u)
		}
	}
	for _, u := range t.ownerSlackUsers() {
		add(u)
	}
	for _, u := range t.policy.Room.Invite {
		add(u)
	}
	for _, r := range t.reporters {
		add(t.slackUserOf(r))
	}
	return users
}

// ownerSlackUsers are the Slack users of the people in the owner team's
// group under groups: in the worker's dre.yaml.
func (t *triage) ownerSlackUsers() []string {
	p := t.guard.policy
	if p == nil || p.People == nil || p.Dataset.Owner.Team == "" {
		return nil
	}
	g, err := p.People.Group(p.Dataset.Owner.Team)
	if err != nil {
		return nil
	}
	var users []string
	for _, id := range g.People {
		if person, err := p.People.Person(id); err == nil && person.SlackUser != "" {
			users = append(users, person.SlackUser)
		}
	}
	return users
}

// ownerSlackGroups are the Slack user groups of the owner team's group
// under groups:, whose members the room invites too.
func (t *triage) ownerSlackGroups() []string {
	p := t.guard.policy
	if p == nil || p.People == nil || p.Dataset.Owner.Team == "" {
		return nil
	}
	g, err := p.People.Group(p.Dataset.Owner.Team)
	if err != nil {
		return nil
	}
	return g.SlackGroups
}

// slackUserOf is who's Slack user ID: who itself when it is one, else
// the Slack user of the person dre.yaml lists under that ID, else "".
func (t *triage) slackUserOf(who string) string {
	if isSlackUser(who) {
		return who
	}
	if p := t.guard.policy; p != nil && p.People != nil {
		if person, err := p.People.Person(who); err == nil {
			return person.SlackUser
		}
	}
	return ""
}

// isSlackUser reports whether s looks like a Slack user ID (U... or W...).
func isSlackUser(s string) bool {
	return slackMention(s) == "<@"+s+">"
}

// roomSummary is the room's first message.
func (t *triage) roomSummary() string {
	ds, r := t.in.Dataset, t.in.Report
	var b strings.Builder
	appendf(&b, ":rotating_light: *sev%d incident on %s* (`%s`): %s\n", t.severity, ds.Name, ds.Table, orText(activities.SlackEscape(r.Description), "no description"))
	appendf(&b, "Reported by %s · owner %s · status *%s*\n", slackMention(r.Reporter), orNoneText(ds.Owner.Team), t.status)
	if t.channel != "" {
		appendf(&b, "The incident message, its buttons and the diagnosis are in %s.\n", channelMention(t.channel))
	}
	appendf(&b, "Nobody commands the incident yet: press *Take command* there, or run `dre triage command %s`.", ds.Name)
	if t.in.RunURL != "" {
		appendf(&b, "\nWorkflow: <%s|%s>", t.in.RunURL, t.id)
	}
	return b.String()
}

// channelMention links a channel given by ID; a #name stays as written.
func channelMention(ch string) string {
	if strings.HasPrefix(ch, "C") || strings.HasPrefix(ch, "G") {
		return "<#" + ch + ">"
	}
	return activities.SlackEscape(ch)
}

// toRoom posts to the incident room, when there is one.
func (t *triage) toRoom(ctx workflow.Context, text string) {
	if t.room.channel != "" {
		t.send(ctx, activities.SlackMessage{Channel: t.room.channel, Text: text})
	}
}

func (t *triage) validateCommand(ctx workflow.Context, a TriageAction) error {
	if err := t.validateOpen(ctx, a); err != nil {
		return err
	}
	return t.authorize(ctx, TriageCommandUpdate, authz.TriageCommand, a)
}

// onCommand makes the sender the incident commander, in place of any
// before them, and says so in the thread and the room.
func (t *triage) onCommand(ctx workflow.Context, a TriageAction) (string, error) {
	a.By = t.actor(ctx, TriageCommandUpdate, a)
	before := t.room.commander
	t.room.commander, t.room.commandedAt = a.By, workflow.Now(ctx)
	text := fmt.Sprintf(":military_helmet: %s is now the incident commander.", slackMention(a.By))
	if before != "" && before != a.By {
		text = fmt.Sprintf(":military_helmet: %s took command of the incident from %s.", slackMention(a.By), slackMention(before))
	}
	t.record(ctx, "commander", a.By, orText(a.Note, "took command"))
	t.later(func(ctx workflow.Context) {
		t.statusChanged(ctx)
		t.post(ctx, text)
		t.toRoom(ctx, text)
	})
	return t.status, nil
}
