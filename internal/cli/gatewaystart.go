package cli

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/slack-go/slack"
	"go.temporal.io/sdk/client"

	"github.com/dre-dev/dre/internal/alerts"
	"github.com/dre-dev/dre/internal/config"
	"github.com/dre-dev/dre/internal/gateway"
	"github.com/dre-dev/dre/internal/telemetry"
	"github.com/dre-dev/dre/internal/worker"
)

// commandWorkers start queued workflows for Slack commands; a few are
// plenty, since each start is one round trip to Temporal.
const commandWorkers = 4

// runningGateway is a gateway with its command workers.
type runningGateway struct {
	*gateway.Server
	cancel    context.CancelFunc
	commands  *gateway.Commands
	closeSeen func()
}

// startGateway serves /healthz, /readyz and the Slack routes, wired to
// Temporal: slash commands start or signal workflows through c. stateDSN
// ("" for none) keeps the replay and dedup sets in the state database.
func startGateway(cfg *config.Config, c client.Client, listen, uiBase, stateDSN string, m *telemetry.Metrics) (*runningGateway, error) {
	runbookSet, err := triageRunbooks(cfg)
	if err != nil {
		return nil, err
	}
	seen, closeSeen, err := gatewaySeen(stateDSN)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	triage := gateway.TemporalTriage{Client: c, TaskQueue: cfg.Temporal.TaskQueue, UIBase: uiBase, Namespace: cfg.Temporal.Namespace, Runbooks: runbookSet,
		Policies: worker.TriagePolicies(cfg)}
	auth := authorizer(cfg.Slack)
	cmds := &gateway.Commands{
		Catalog: cfg.Catalog, UIBase: uiBase, Namespace: cfg.Temporal.Namespace,
		Triage: triage, Runs: gateway.TemporalRuns{Client: c}, Buttons: gateway.TemporalIncidents{Client: c},
		Authorize: auth, Recorder: m.Handler(), People: cfg.People,
		Access: gateway.TemporalAccess{Client: c, TaskQueue: cfg.Temporal.TaskQueue},
	}
	if cmds.Relay, err = slackRelay(cfg); err != nil {
		cancel()
		return nil, err
	}
	if groups := cfg.People.SlackGroups(); cmds.Relay != nil && len(groups) > 0 {
		// The workflows match groups: entries' slack_groups against what
		// the relay signs, since they cannot ask Slack themselves.
		cmds.Relay.Groups = func(ctx context.Context, user string) []string { return auth.GroupsOf(ctx, user, groups) }
		if auth.Groups == nil {
			slog.Warn("groups: name Slack user groups (slack_groups) but slack.bot_token is not set, so nobody counts as their member", "slack_groups", groups)
		}
	}
	cmds.Start(ctx, commandWorkers)
	gw, err := gateway.Start(gateway.Options{
		Listen: listen,
		Ready:  map[string]gateway.Check{"temporal": temporalCheck(c)},
		Slack:  gateway.SlackOptions{SigningSecret: cfg.Slack.SigningSecret.Value(), Commands: cmds},
		PagerDuty: gateway.PagerDutyOptions{
			Secrets: splitSecrets(cfg.PagerDuty.WebhookSecret.Value()), Catalog: cfg.Catalog,
			Triage: triage, Incident: gateway.TemporalIncidents{Client: c, Relay: cmds.Relay},
			MaxEventAge: cfg.PagerDuty.WebhookMaxAge.Duration,
		},
		Alerts: alertOptions(cfg, triage),
		// Metrics go on the gateway's own port, beside its routes.
		Metrics: m.HTTPHandler(), Recorder: m.Handler(), Seen: seen,
	})
	if err != nil {
		cancel()
		cmds.Wait()
		closeSeen()
		return nil, err
	}
	startSocketMode(ctx, cfg, cmds)
	return &runningGateway{Server: gw, cancel: cancel, commands: cmds, closeSeen: closeSeen}, nil
}

// alertOptions wires dre.yaml's alerts section to the gateway. Its
// incidents take the policy's ResolveWithAlerts from resolve_with_source.
func alertOptions(cfg *config.Config, triage gateway.TemporalTriage) gateway.AlertOptions {
	triage.Policy.ResolveWithAlerts = cfg.Alerts.ResolveWithSource
	sources := map[string]gateway.AlertSourceOptions{}
	for name, src := range cfg.Alerts.Sources {
		sources[name] = gateway.AlertSourceOptions{Token: src.Token.Value(), Adapter: alerts.Options{TableLabel: src.TableLabel},
			SigningSecret: src.SigningSecret.Value(), SignatureHeader: src.SignatureHeader}
	}
	return gateway.AlertOptions{
		Sources: sources, Mapper: alerts.NewMapper(cfg.Alerts.Rules(), cfg.Catalog),
		Triage: triage, DedupWindow: cfg.Alerts.DedupWindow.Duration, GroupByUpstream: cfg.Alerts.GroupsByUpstream(),
		GroupWindow: cfg.Alerts.GroupWindow.Duration,
	}
}

// gatewaySeen opens the replay and dedup sets in the state database, so
// they survive restarts and several gateways share them; without a state
// database each gateway keeps its own in memory (nil).
func gatewaySeen(stateDSN string) (gateway.SeenSet, func(), error) {
	if stateDSN == "" {
		slog.Warn("no state database: the gateway remembers Slack signatures and PagerDuty event IDs in memory only (lost on restart, not shared between gateways)")
		return nil, func() {}, nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	s, err := gateway.OpenSeenStore(ctx, stateDSN)
	if err != nil {
		return nil, nil, err
	}
	return s, s.Close, nil
}

// startSocketMode serves the same commands over Slack's Socket Mode when
// an app-level token is configured, for installations without a public
// endpoint. A lost connection is retried by slack-go; a fatal one is logged.
func startSocketMode(ctx context.Context, cfg *config.Config, cmds *gateway.Commands) {
	app := cfg.Slack.AppToken.Value()
	if app == "" {
		return
	}
	api := worker.SlackClient(cfg.Slack, slack.OptionAppLevelToken(app))
	go func() {
		// RunSocketMode only returns on an error, which is ours to log
		// unless the gateway is stopping.
		if err := gateway.RunSocketMode(ctx, api, cmds); ctx.Err() == nil {
			slog.Error("Slack Socket Mode stopped", "error", err)
		}
	}()
}

// Stop stops taking requests, then starts what was already accepted.
func (g *runningGateway) Stop(ctx context.Context) error {
	err := g.Shutdown(ctx)
	g.cancel()
	g.commands.Wait()
	g.closeSeen()
	return err
}

// splitSecrets reads a comma-separated list of webhook secrets: during a
// rotation both the old and the new one are accepted.
func splitSecrets(v string) []string {
	var out []string
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// authorizer limits subcommands as slack.allow says; user groups are
// looked up with the bot token (scope usergroups:read).
func authorizer(s config.Slack) *gateway.Authorizer {
	a := &gateway.Authorizer{Allow: s.Allow, Workspaces: s.Workspaces}
	if s.BotToken.Value() != "" {
		api := worker.SlackClient(s)
		a.Groups = func(ctx context.Context, group string) ([]string, error) {
			return api.GetUserGroupMembersContext(ctx, group)
		}
	}
	return a
}

// slackHint says how to turn the Slack routes on when they are off.
func slackHint(cfg *config.Config) string {
	if cfg.Slack.SigningSecret.Value() != "" {
		return ""
	}
	return ": off until SLACK_SIGNING_SECRET is set"
}

// temporalCheck is the gateway's readiness check for the Temporal frontend.
func temporalCheck(c client.Client) gateway.Check {
	return func(ctx context.Context) error {
		_, err := c.CheckHealth(ctx, &client.CheckHealthRequest{})
		return err
	}
}

// slackRelay opens the gateway's relay key, which signs the Slack users'
// access decisions; nil when dre.yaml gives none, and an error when only
// half of gateway.signing_key and decisions.slack_relay is set.
func slackRelay(cfg *config.Config) (*gateway.SlackRelay, error) {
	key := cfg.Gateway.SigningKey.Value()
	if key == "" {
		if cfg.Decisions.SlackRelay != "" {
			return nil, fmt.Errorf("decisions.slack_relay is %s but gateway.signing_key is not set: the gateway could not sign Slack decisions, and workers would refuse them", cfg.Decisions.SlackRelay)
		}
		return nil, nil
	}
	return gateway.NewSlackRelay(cfg.Decisions.SlackRelay, []byte(key), cfg.People)
}
