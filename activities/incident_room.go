package activities

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/slack-go/slack"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"
)

// RoomRequest asks for an incident's own Slack channel.
type RoomRequest struct {
	// Prefix, Dataset and Day make the name: inc-orders-2026-12-07.
	Prefix  string    `json:"prefix"`
	Dataset string    `json:"dataset"`
	Day     time.Time `json:"day"`
	// Invite are Slack user IDs: the owner team's people and the responders.
	Invite []string `json:"invite,omitempty"`
	// InviteGroups are Slack user groups (S...) whose members are invited
	// too: the owner team's slack_groups.
	InviteGroups []string `json:"inviteGroups,omitempty"`
}

// RoomResult is the channel opened, who joined it, and who Slack did not
// know; Reason says why no channel was opened when Opened is false.
type RoomResult struct {
	Opened   bool     `json:"opened"`
	Channel  string   `json:"channel,omitempty"` // the channel ID
	Name     string   `json:"name,omitempty"`
	Invited  []string `json:"invited,omitempty"`
	NotFound []string `json:"notFound,omitempty"`
	Reason   string   `json:"reason,omitempty"`
}

// Slack's limits on channel names, and how many numbered names a room
// tries when its name is taken.
const (
	maxRoomName  = 80
	maxRoomTries = 20
)

// OpenIncidentRoom creates the incident's channel with
// conversations.create, taking the next free name (inc-orders-2026-12-07,
// then -2, -3...), and invites each user with conversations.invite. A
// retry after the channel exists reuses it from the heartbeat details
// instead of creating another.
func (n *Notify) OpenIncidentRoom(ctx context.Context, req RoomRequest) (RoomResult, error) {
	if n.Slack == nil {
		return RoomResult{Reason: "Slack is not configured (slack.bot_token in dre.yaml)"}, nil
	}
	var room RoomResult
	if !activity.HasHeartbeatDetails(ctx) || activity.GetHeartbeatDetails(ctx, &room) != nil || room.Channel == "" {
		created, err := n.createRoom(ctx, RoomName(req.Prefix, req.Dataset, req.Day))
		if err != nil {
			return RoomResult{}, err
		}
		room = created
		activity.RecordHeartbeat(ctx, room)
	}
	users, err := n.withGroupMembers(ctx, req)
	if err != nil {
		return RoomResult{}, err
	}
	for _, user := range users {
		if err := n.invite(ctx, &room, user); err != nil {
			return RoomResult{}, err
		}
	}
	return room, nil
}

// withGroupMembers is req.Invite followed by the members of its groups,
// each once; a group Slack does not know is skipped.
func (n *Notify) withGroupMembers(ctx context.Context, req RoomRequest) ([]string, error) {
	users := slices.Clone(req.Invite)
	for _, g := range req.InviteGroups {
		members, err := n.Slack.GetUserGroupMembersContext(ctx, g)
		if slackCode(err) == "no_such_subteam" {
			continue
		}
		if err != nil {
			return nil, roomFailure("listing the members of user group "+g, err)
		}
		for _, m := range members {
			if !slices.Contains(users, m) {
				users = append(users, m)
			}
		}
	}
	return users, nil
}

// createRoom creates the first free channel of base, base-2, base-3...
func (n *Notify) createRoom(ctx context.Context, base string) (RoomResult, error) {
	for i := 1; i <= maxRoomTries; i++ {
		name := numberedRoom(base, i)
		ch, err := n.Slack.CreateConversationContext(ctx, slack.CreateConversationParams{ChannelName: name})
		if slackCode(err) == "name_taken" {
			continue
		}
		if err != nil {
			return RoomResult{}, roomFailure("creating #"+name, err)
		}
		return RoomResult{Opened: true, Channel: ch.ID, Name: ch.Name}, nil
	}
	msg := fmt.Sprintf("Slack channels %s to %s are all taken; archive old incident rooms or change the triage policy's room.prefix", base, numberedRoom(base, maxRoomTries))
	return RoomResult{}, temporal.NewNonRetryableApplicationError(msg, "SlackRefused", nil)
}

// invite adds one user, so that one unknown user does not keep the
// others out (Slack fails a whole multi-user invite for one).
func (n *Notify) invite(ctx context.Context, room *RoomResult, user string) error {
	_, err := n.Slack.InviteUsersToConversationContext(ctx, room.Channel, user)
	switch slackCode(err) {
	case "", "already_in_channel":
		if err == nil || !slices.Contains(room.Invited, user) {
			room.Invited = append(room.Invited, user)
		}
	case "user_not_found", "cant_invite_self", "user_is_restricted", "user_is_ultra_restricted":
		room.NotFound = append(room.NotFound, user)
	default:
		return roomFailure("inviting "+user+" to #"+room.Name, err)
	}
	return nil
}

// roomFailure keeps rate limits and network errors retryable and makes
// Slack's refusals final, saying what to fix.
func roomFailure(what string, err error) error {
	var se slack.SlackErrorResponse
	if !errors.As(err, &se) {
		return err
	}
	msg := fmt.Sprintf("Slack refused %s: %s (the dre app needs the channels:manage and usergroups:read scopes, and a workspace that lets apps create channels)", what, se.Err)
	return temporal.NewNonRetryableApplicationError(msg, "SlackRefused", err)
}

// slackCode is Slack's error code of err, "" for none or another error.
func slackCode(err error) string {
	var se slack.SlackErrorResponse
	if errors.As(err, &se) {
		return se.Err
	}
	return ""
}

// RoomName is prefix + dataset + the day, within Slack's rules for
// channel names: lowercase letters, digits, - and _, at most 80
// characters, with room left for a "-20" that makes it unique.
func RoomName(prefix, dataset string, day time.Time) string {
	name := slackName(prefix + dataset)
	stamp := "-" + day.UTC().Format(time.DateOnly)
	if limit := maxRoomName - len(stamp) - len("-20"); len(name) > limit {
		name = strings.TrimRight(name[:limit], "-_")
	}
	if strings.Trim(name, "-_") == "" {
		name = "incident"
	}
	return name + stamp
}

// slackName lowercases s and turns each run of other characters into one
// hyphen.
func slackName(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '_':
			b.WriteRune(r)
		case !strings.HasSuffix(b.String(), "-"):
			b.WriteByte('-')
		}
	}
	return strings.Trim(b.String(), "-")
}

// numberedRoom is the i-th candidate name: base, then base-2, base-3...
func numberedRoom(base string, i int) string {
	if i == 1 {
		return base
	}
	return fmt.Sprintf("%s-%d", base, i)
}
