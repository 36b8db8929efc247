package peers

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
)

// SlackBotToken is the bot token the stand-in's Client sends; the
// conversations.* methods refuse any other, as Slack does.
const SlackBotToken = "xoxb-test"

// SlackBotUser is the user ID of the bot the token belongs to.
const SlackBotUser = "U0DREBOT"

// SlackRoom is a channel created with conversations.create.
type SlackRoom struct {
	ID      string
	Name    string
	Members []string // the bot first, then the users invited, in order
}

// roomName is what Slack accepts as a channel name: lowercase letters,
// digits, hyphens and underscores.
var roomName = regexp.MustCompile(`^[a-z0-9_-]+$`)

// AddUsers makes user IDs known to the workspace: conversations.invite
// answers user_not_found for any other.
func (s *Slack) AddUsers(ids ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, id := range ids {
		s.users[id] = true
	}
}

// AddGroup makes a user group (S...) with members, for
// usergroups.users.list; any other group answers no_such_subteam.
func (s *Slack) AddGroup(id string, members ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.groups[id] = members
}

// groupMembers serves usergroups.users.list.
func (s *Slack) groupMembers(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil || !authorized(w, r) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	members, ok := s.groups[r.FormValue("usergroup")]
	if !ok {
		slackError(w, "no_such_subteam")
		return
	}
	answer(w, map[string]any{"ok": true, "users": members})
}

// TakeName adds an existing channel, so that creating another with its
// name answers name_taken.
func (s *Slack) TakeName(name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rooms = append(s.rooms, SlackRoom{ID: fmt.Sprintf("C0OLD%d", len(s.rooms)+1), Name: name})
}

// Rooms returns the channels created so far, with their members.
func (s *Slack) Rooms() []SlackRoom {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]SlackRoom, len(s.rooms))
	for i, r := range s.rooms {
		out[i] = SlackRoom{ID: r.ID, Name: r.Name, Members: slices.Clone(r.Members)}
	}
	return out
}

// authorized reports whether the request carries the bot token, as a
// bearer header or a token form field; it answers Slack's error if not.
func authorized(w http.ResponseWriter, r *http.Request) bool {
	token := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
	if token == "" {
		token = r.FormValue("token")
	}
	switch token {
	case SlackBotToken:
		return true
	case "":
		answer(w, map[string]any{"ok": false, "error": "not_authed"})
	default:
		answer(w, map[string]any{"ok": false, "error": "invalid_auth"})
	}
	return false
}

func answer(w http.ResponseWriter, body map[string]any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(body)
}

func slackError(w http.ResponseWriter, code string) {
	answer(w, map[string]any{"ok": false, "error": code})
}

// createRoom serves conversations.create with Slack's name rules.
func (s *Slack) createRoom(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil || !authorized(w, r) {
		return
	}
	name := r.FormValue("name")
	if code := nameProblem(name); code != "" {
		slackError(w, code)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if slices.ContainsFunc(s.rooms, func(c SlackRoom) bool { return c.Name == name }) {
		slackError(w, "name_taken")
		return
	}
	room := SlackRoom{ID: fmt.Sprintf("C0ROOM%d", len(s.rooms)+1), Name: name, Members: []string{SlackBotUser}}
	s.rooms = append(s.rooms, room)
	answer(w, map[string]any{"ok": true, "channel": map[string]any{
		"id": room.ID, "name": name, "name_normalized": name, "is_channel": true, "is_member": true,
		"creator": SlackBotUser, "is_private": r.FormValue("is_private") == "true",
	}})
}

// nameProblem is Slack's error for a channel name it refuses, "" if none.
func nameProblem(name string) string {
	switch {
	case name == "":
		return "invalid_name_required"
	case len(name) > 80:
		return "invalid_name_maxlength"
	case !roomName.MatchString(name):
		return "invalid_name_specials"
	case strings.Trim(name, "-_") == "":
		return "invalid_name_punctuation"
	}
	return ""
}

// inviteRoom serves conversations.invite. Like Slack without force=true,
// one bad user fails the whole call and invites nobody.
func (s *Slack) inviteRoom(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil || !authorized(w, r) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	i := slices.IndexFunc(s.rooms, func(c SlackRoom) bool { return c.ID == r.FormValue("channel") })
	if i < 0 {
		slackError(w, "channel_not_found")
		return
	}
	users := strings.Split(r.FormValue("users"), ",")
	if code := s.inviteProblem(s.rooms[i], users); code != "" {
		slackError(w, code)
		return
	}
	s.rooms[i].Members = append(s.rooms[i].Members, users...)
	answer(w, map[string]any{"ok": true, "channel": map[string]any{"id": s.rooms[i].ID, "name": s.rooms[i].Name}})
}

// inviteProblem is Slack's error for inviting users to room, "" if none.
func (s *Slack) inviteProblem(room SlackRoom, users []string) string {
	if len(users) == 0 || slices.Contains(users, "") {
		return "no_user"
	}
	if len(users) > 1000 {
		return "too_many_users"
	}
	for _, u := range users {
		switch {
		case u == SlackBotUser:
			return "cant_invite_self"
		case !s.users[u]:
			return "user_not_found"
		case slices.Contains(room.Members, u):
			return "already_in_channel"
		}
	}
	return ""
}
