package gateway

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"strings"

	"github.com/slack-go/slack"
)

// SlackOptions turns on the Slack routes. With no signing secret they
// answer 503 and start nothing: unsigned requests are never accepted.
type SlackOptions struct {
	SigningSecret string
	Commands      *Commands
	Logger        *slog.Logger
}

// slackRoutes serves /slack/commands and /slack/interactions.
type slackRoutes struct {
	opts SlackOptions
	seen SeenSet
}

func (s *slackRoutes) register(mux *http.ServeMux) {
	mux.HandleFunc("POST /slack/commands", s.commands)
	mux.HandleFunc("POST /slack/interactions", s.interactions)
}

// commands verifies a slash command, runs it and answers within Slack's
// three seconds: a triage report is recorded in Temporal before the
// answer, anything slower is queued, and the answer says where to watch.
func (s *slackRoutes) commands(w http.ResponseWriter, r *http.Request) {
	body, ok := s.verified(w, r)
	if !ok {
		return
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		http.Error(w, "malformed form body", http.StatusBadRequest)
		return
	}
	cmd := slashCommand(form)
	reply := s.opts.Commands.Run(r.Context(), cmd)
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(reply)
}

// verified answers the request itself and returns false unless it is a
// verified Slack request.
func (s *slackRoutes) verified(w http.ResponseWriter, r *http.Request) ([]byte, bool) {
	if s.opts.SigningSecret == "" || s.opts.Commands == nil {
		http.Error(w, "Slack is not configured: set SLACK_SIGNING_SECRET (or slack.signing_secret in dre.yaml)", http.StatusServiceUnavailable)
		return nil, false
	}
	body, err := verifySlack(r, s.opts.SigningSecret, s.seen)
	if errors.Is(err, errSeenUnavailable) {
		s.logger().Error("slack request not checked for replay", "path", r.URL.Path, "error", err.Error())
		http.Error(w, "dre cannot check this request against replays right now; try again", http.StatusServiceUnavailable)
		return nil, false
	}
	if err != nil {
		s.logger().Warn("slack request rejected", "path", r.URL.Path, "reason", err.Error(), "remote", r.RemoteAddr)
		http.Error(w, "invalid Slack signature", http.StatusUnauthorized)
		return nil, false
	}
	return body, true
}

func (s *slackRoutes) logger() *slog.Logger {
	if s.opts.Logger != nil {
		return s.opts.Logger
	}
	return slog.Default()
}

// slashCommand reads the fields dre uses from a verified form body.
// (slack.SlashCommandParse needs the request, whose body is already read.)
func slashCommand(f url.Values) slack.SlashCommand {
	return slack.SlashCommand{
		Command: f.Get("command"), Text: strings.TrimSpace(f.Get("text")),
		UserID: f.Get("user_id"), UserName: f.Get("user_name"),
		ChannelID: f.Get("channel_id"), ChannelName: f.Get("channel_name"),
		TeamID: f.Get("team_id"), ResponseURL: f.Get("response_url"), TriggerID: f.Get("trigger_id"),
	}
}
