package worker

import (
	"github.com/PagerDuty/go-pagerduty"
	"github.com/slack-go/slack"

	"github.com/dre-dev/dre/activities"
	"github.com/dre-dev/dre/internal/config"
)

// Notify builds the Slack and PagerDuty clients the config asks for. A
// part left out of the config stays nil, which the activities report as
// "not configured" rather than failing.
func Notify(cfg *config.Config) *activities.Notify {
	n := &activities.Notify{}
	if cfg.Slack.BotToken.Value() != "" {
		n.Slack = slack.New(cfg.Slack.BotToken.Value())
	}
	if cfg.PagerDuty.RoutingKey.Value() != "" {
		// The Events API v2 authenticates by routing key, not API token.
		n.PagerDuty = pagerduty.NewClient(cfg.PagerDuty.APIToken.Value())
		n.RoutingKey = cfg.PagerDuty.RoutingKey.Value()
	}
	return n
}
