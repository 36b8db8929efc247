package activities

import (
	"context"
	"errors"
	"fmt"

	"github.com/PagerDuty/go-pagerduty"
	"github.com/slack-go/slack"
	"go.temporal.io/sdk/temporal"
)

// Notify posts to Slack and pages through PagerDuty with the real clients.
// Either may be nil, which means "not configured": the activity then
// returns Sent=false with the reason instead of failing, so a runbook or a
// backfill report still completes on a machine without Slack.
type Notify struct {
	Slack *slack.Client
	// PagerDuty sends Events API v2 events; RoutingKey is the default
	// integration key when a request names none.
	PagerDuty  *pagerduty.Client
	RoutingKey string
	// PagerDutyFrom is the PagerDuty user's email the REST API acts as;
	// set only when the client carries an API token, so "" means the
	// REST API (escalation) is not configured.
	PagerDutyFrom string
	// Services are the routing keys of other PagerDuty services by the
	// names pagerduty.services gives them, for PageRequest.Service.
	Services map[string]string
}

// SlackMessage is a message for one channel, optionally in a thread.
type SlackMessage struct {
	Channel  string `json:"channel"`
	Text     string `json:"text"`
	ThreadTS string `json:"threadTs,omitempty"`
	// Actions adds rows of buttons under the text, as Block Kit.
	Actions []SlackActions `json:"actions,omitempty"`
	// UpdateTS, when set, replaces the message with that ts in Channel
	// (chat.update) instead of posting: its blocks, buttons included, are
	// replaced by these, since Slack keeps the old blocks of an update
	// that sends none.
	UpdateTS string `json:"updateTs,omitempty"`
}

// SlackPosted says where a message went, or why it was not sent.
type SlackPosted struct {
	Sent    bool   `json:"sent"`
	Channel string `json:"channel,omitempty"`
	TS      string `json:"ts,omitempty"`
	Reason  string `json:"reason,omitempty"`
}

// PostSlack posts a message with chat.postMessage.
func (n *Notify) PostSlack(ctx context.Context, m SlackMessage) (SlackPosted, error) {
	if n.Slack == nil {
		return SlackPosted{Reason: "Slack is not configured (slack.bot_token in dre.yaml)"}, nil
	}
	if m.Channel == "" || m.Text == "" {
		return SlackPosted{}, temporal.NewNonRetryableApplicationError("a Slack message needs a channel and text", errInvalidInput, nil)
	}
	opts := []slack.MsgOption{slack.MsgOptionText(m.Text, false)}
	if m.ThreadTS != "" {
		opts = append(opts, slack.MsgOptionTS(m.ThreadTS))
	}
	if len(m.Actions) > 0 || m.UpdateTS != "" {
		opts = append(opts, slack.MsgOptionBlocks(actionBlocks(m)...))
	}
	var ch, ts string
	var err error
	if m.UpdateTS != "" {
		ch, ts, _, err = n.Slack.UpdateMessageContext(ctx, m.Channel, m.UpdateTS, opts...)
	} else {
		ch, ts, err = n.Slack.PostMessageContext(ctx, m.Channel, opts...)
	}
	if err != nil {
		return SlackPosted{}, slackFailure(m.Channel, err)
	}
	return SlackPosted{Sent: true, Channel: ch, TS: ts}, nil
}

// slackFailure makes errors that retrying cannot fix non-retryable; rate
// limits and network errors are left to the activity's retry policy.
func slackFailure(channel string, err error) error {
	var rl *slack.RateLimitedError
	if errors.As(err, &rl) {
		return err
	}
	var se slack.SlackErrorResponse
	if errors.As(err, &se) {
		msg := fmt.Sprintf("Slack refused the message to %s: %s (invite the dre app to the channel, or check the token's scopes)", channel, se.Err)
		return temporal.NewNonRetryableApplicationError(msg, "SlackRefused", err)
	}
	return err
}

// PageRequest is a PagerDuty Events API v2 event.
type PageRequest struct {
	// RoutingKey is the service's integration key; "" uses the default.
	RoutingKey string `json:"routingKey,omitempty"`
	// Service names another service under pagerduty.services, whose
	// routing key the worker holds: workflow inputs carry no secrets.
	Service string `json:"service,omitempty"`
	// Action is trigger (default), acknowledge or resolve.
	Action   string `json:"action,omitempty"`
	DedupKey string `json:"dedupKey,omitempty"`
	Summary  string `json:"summary"`
	Source   string `json:"source,omitempty"`
	// Severity is critical, error, warning or info (default error).
	Severity string         `json:"severity,omitempty"`
	Details  map[string]any `json:"details,omitempty"`
}

// PageResult is PagerDuty's answer, or why nothing was sent.
type PageResult struct {
	Sent     bool   `json:"sent"`
	DedupKey string `json:"dedupKey,omitempty"`
	Reason   string `json:"reason,omitempty"`
}

// Page sends an event to PagerDuty. The dedup key makes a retried trigger
// update the same incident instead of opening a second one.
func (n *Notify) Page(ctx context.Context, p PageRequest) (PageResult, error) {
	key, err := n.routingKey(p)
	if err != nil {
		return PageResult{}, err
	}
	if n.PagerDuty == nil || key == "" {
		return PageResult{Reason: "PagerDuty is not configured (pagerduty.routing_key in dre.yaml)"}, nil
	}
	ev := &pagerduty.V2Event{RoutingKey: key, Action: orDefault(p.Action, "trigger"), DedupKey: p.DedupKey}
	if ev.Action == "trigger" {
		ev.Payload = &pagerduty.V2Payload{
			Summary: p.Summary, Source: orDefault(p.Source, "dre"),
			Severity: orDefault(p.Severity, "error"), Details: p.Details,
		}
	}
	resp, err := n.PagerDuty.ManageEventWithContext(ctx, ev)
	if err != nil {
		return PageResult{}, pagerDutyFailure(err)
	}
	return PageResult{Sent: true, DedupKey: resp.DedupKey}, nil
}

// routingKey is the request's routing key: its own, its service's, or
// the default.
func (n *Notify) routingKey(p PageRequest) (string, error) {
	if p.Service == "" {
		return orDefault(p.RoutingKey, n.RoutingKey), nil
	}
	key, ok := n.Services[p.Service]
	if !ok {
		msg := fmt.Sprintf("no PagerDuty service %q; add it under pagerduty.services in the worker's dre.yaml", p.Service)
		return "", temporal.NewNonRetryableApplicationError(msg, errInvalidInput, nil)
	}
	return key, nil
}

// pagerDutyFailure retries rate limits and server errors only; a 400 (bad
// routing key, bad payload) will not improve with retries.
func pagerDutyFailure(err error) error {
	var api pagerduty.APIError
	if errors.As(err, &api) && !api.RateLimited() && !api.Temporary() {
		return temporal.NewNonRetryableApplicationError("PagerDuty refused the event: "+err.Error(), "PagerDutyRefused", err)
	}
	return err
}

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}
