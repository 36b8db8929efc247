// Package peers holds the local stand-ins for Slack and PagerDuty that
// tests point the real clients at: they speak the documented APIs and
// record what dre sent. They are stand-ins, not Slack or PagerDuty.
package peers

import (
	"io"
	"net/http"
	"strconv"
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
// "C-missing" answers channel_not_found, as Slack does.
type Slack struct {
	mu    sync.Mutex
	calls []SlackCall
	seq   atomic.Int64
	srv   *slacktest.Server
}

// StartSlack starts the peer until the test ends.
func StartSlack(t testing.TB) *Slack {
	t.Helper()
	s := &Slack{}
	s.srv = slacktest.NewTestServer(func(c slacktest.Customize) {
		c.Handle("/chat.postMessage", s.handler("postMessage"))
		c.Handle("/chat.update", s.handler("update"))
	})
	s.srv.Start()
	t.Cleanup(s.srv.Stop)
	return s
}

// APIURL is the Web API base URL for slack.OptionAPIURL or SLACK_API_URL.
func (s *Slack) APIURL() string { return s.srv.GetAPIURL() }

// Client is a real slack-go client pointed at the peer.
func (s *Slack) Client() *slack.Client {
	return slack.New("xoxb-test", slack.OptionAPIURL(s.APIURL()))
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
		ts := call.TS
		if method == "postMessage" {
			// Unique timestamps, as Slack's are: threads hang off them.
			ts = "1700000000." + strconv.FormatInt(100000+s.seq.Add(1), 10)
		}
		s.mu.Lock()
		s.calls = append(s.calls, call)
		s.mu.Unlock()
		_, _ = io.WriteString(w, `{"ok":true,"channel":"`+ch+`","ts":"`+ts+`"}`)
	}
}
