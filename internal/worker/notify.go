package worker

import (
	"strings"

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
		n.Slack = SlackClient(cfg.Slack)
	}
	pd := cfg.PagerDuty
	if pd.RoutingKey.Value() != "" || pd.APIToken.Value() != "" {
		n.PagerDuty = PagerDutyClient(pd)
		n.RoutingKey = pd.RoutingKey.Value()
	}
	if pd.APIToken.Value() != "" {
		n.PagerDutyFrom = pd.From
	}
	for name, svc := range pd.Services {
		if n.Services == nil {
			n.Services = map[string]string{}
		}
		n.Services[name] = svc.RoutingKey.Value()
	}
	return n
}

// SlackClient is the slack-go client for the configured app, pointed at
// slack.api_url when set (a proxy, or the stand-in in tests).
func SlackClient(s config.Slack, extra ...slack.Option) *slack.Client {
	opts := extra
	if s.APIURL != "" {
		opts = append(opts, slack.OptionAPIURL(strings.TrimSuffix(s.APIURL, "/")+"/"))
	}
	return slack.New(s.BotToken.Value(), opts...)
}

// PagerDutyClient is the go-pagerduty client, pointed at the configured
// endpoints when set. The Events API v2 authenticates by routing key; the
// API token is for the REST API.
func PagerDutyClient(p config.PagerDuty) *pagerduty.Client {
	var opts []pagerduty.ClientOptions
	if p.EventsURL != "" {
		opts = append(opts, pagerduty.WithV2EventsAPIEndpoint(strings.TrimSuffix(p.EventsURL, "/")))
	}
	if p.APIURL != "" {
		opts = append(opts, pagerduty.WithAPIEndpoint(strings.TrimSuffix(p.APIURL, "/")))
	}
	return pagerduty.NewClient(p.APIToken.Value(), opts...)
}
