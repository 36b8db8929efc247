// Package peers holds the local stand-ins for Slack and PagerDuty that
// tests point the real clients at: they speak the documented APIs and
// record what dre sent. They are stand-ins, not Slack or PagerDuty.
package peers

import (
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slacktest"
)

// SlackCall is one recorded chat.postMessage or chat.update.
type SlackCall struct {
	Method   string // postMessage or update
	Channel  string
	Text     string
	Blocks   string // the raw JSON of the blocks, "" without any
	ThreadTS string
	TS       string // the message updated, for update
}

// Slack is slack-go's slacktest server with chat.postMessage and
// chat.update recorded: the built-in postMessage only forwards to a
// websocket nobody reads, and chat.update is not served at all. Channel
// "C-missing" answers channel_not_found, as Slack does. chat.update is as
// strict as Slack's: the ts must be a message posted to that channel
// (else message_not_found), text or blocks are required (no_text), and
// an update without blocks keeps the message's old ones, buttons
// included. conversations.create and conversations.invite keep Slack's
// rules too, and want the bot token (see slack_rooms.go).
type Slack struct {
	mu       sync.Mutex
	calls    []SlackCall
	messages map[string]SlackCall // each message as it stands, by channel/ts
	seq      atomic.Int64
	srv      *slacktest.Server
	// users are the workspace's user IDs; rooms the channels created
	// (and names taken), for conversations.create and .invite.
	users  map[string]bool
	rooms  []SlackRoom
	groups map[string][]string // user group ID -> member user IDs
}

// StartSlack starts the peer until the test ends.
func StartSlack(t testing.TB) *Slack {
	t.Helper()
	s := &Slack{messages: map[string]SlackCall{}, users: map[string]bool{SlackBotUser: true}, groups: map[string][]string{}}
	s.srv = slacktest.NewTestServer(func(c slacktest.Customize) {
		c.Handle("/chat.postMessage", s.handler("postMessage"))
		c.Handle("/chat.update", s.handler("update"))
		c.Handle("/conversations.create", s.createRoom)
		c.Handle("/conversations.invite", s.inviteRoom)
		c.Handle("/usergroups.users.list", s.groupMembers)
	})
	s.srv.Start()
	t.Cleanup(s.srv.Stop)
	return s
}

// APIURL is the Web API base URL for slack.OptionAPIURL or SLACK_API_URL.
func (s *Slack) APIURL() string { return s.srv.GetAPIURL() }

// Client is a real slack-go client pointed at the peer.
func (s *Slack) Client() *slack.Client {
	return slack.New(SlackBotToken, slack.OptionAPIURL(s.APIURL()))
}

// Calls returns what was recorded so far.
func (s *Slack) Calls() []SlackCall {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]SlackCall(nil), s.calls...)
}

func (s *Slack) handler(method string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		ch := r.FormValue("channel")
		if ch == "C-missing" {
			_, _ = io.WriteString(w, `{"ok":false,"error":"channel_not_found"}`)
			return
		}
		call := SlackCall{Method: method, Channel: ch, Text: r.FormValue("text"), Blocks: r.FormValue("blocks"),
			ThreadTS: r.FormValue("thread_ts"), TS: r.FormValue("ts")}
		if call.Text == "" && call.Blocks == "" {
			_, _ = io.WriteString(w, `{"ok":false,"error":"no_text"}`)
			return
		}
		ts, failure := s.store(method, call)
		if failure != "" {
			_, _ = io.WriteString(w, `{"ok":false,"error":"`+failure+`"}`)
			return
		}
		_, _ = io.WriteString(w, `{"ok":true,"channel":"`+ch+`","ts":"`+ts+`"}`)
	}
}

// store records a call and the message it leaves, returning the
// message's ts, or Slack's error for an update of an unknown message.
func (s *Slack) store(method string, call SlackCall) (ts, failure string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	msg := call
	if method == "postMessage" {
		// Unique timestamps, as Slack's are: threads hang off them.
		ts = "1700000000." + strconv.FormatInt(100000+s.seq.Add(1), 10)
	} else {
		ts = call.TS
		old, ok := s.messages[call.Channel+"/"+ts]
		if !ok {
			return "", "message_not_found"
		}
		if msg.Blocks == "" {
			msg.Blocks = old.Blocks
		}
		msg.ThreadTS = old.ThreadTS
	}
	s.calls = append(s.calls, call)
	msg.TS = ts
	s.messages[call.Channel+"/"+ts] = msg
	return ts, ""
}

// FindMessage returns the first message (by ts) whose text contains s,
// as it stands after its updates.
func (s *Slack) FindMessage(text string) (SlackCall, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var found []SlackCall
	for _, m := range s.messages {
		if strings.Contains(m.Text, text) {
			found = append(found, m)
		}
	}
	slices.SortFunc(found, func(a, b SlackCall) int { return strings.Compare(a.TS, b.TS) })
	if len(found) == 0 {
		return SlackCall{}, false
	}
	return found[0], true
}

// Message returns a message as it stands after its updates.
func (s *Slack) Message(channel, ts string) (SlackCall, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, ok := s.messages[channel+"/"+ts]
	return m, ok
}
