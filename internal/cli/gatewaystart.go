package cli

import (
	"context"

	"go.temporal.io/sdk/client"

	"github.com/dre-dev/dre/internal/config"
	"github.com/dre-dev/dre/internal/gateway"
)

// commandWorkers start queued workflows for Slack commands; a few are
// plenty, since each start is one round trip to Temporal.
const commandWorkers = 4

// runningGateway is a gateway with its command workers.
type runningGateway struct {
	*gateway.Server
	cancel   context.CancelFunc
	commands *gateway.Commands
}

// startGateway serves /healthz, /readyz and the Slack routes, wired to
// Temporal: slash commands start or signal workflows through c.
func startGateway(cfg *config.Config, c client.Client, listen, uiBase string) (*runningGateway, error) {
	ctx, cancel := context.WithCancel(context.Background())
	cmds := &gateway.Commands{
		Catalog: cfg.Catalog, UIBase: uiBase, Namespace: cfg.Temporal.Namespace,
		Triage: gateway.TemporalTriage{Client: c, TaskQueue: cfg.Temporal.TaskQueue},
		Runs:   gateway.TemporalRuns{Client: c},
	}
	cmds.Start(ctx, commandWorkers)
	gw, err := gateway.Start(gateway.Options{
		Listen: listen,
		Ready:  map[string]gateway.Check{"temporal": temporalCheck(c)},
		Slack:  gateway.SlackOptions{SigningSecret: cfg.Slack.SigningSecret.Value(), Commands: cmds},
	})
	if err != nil {
		cancel()
		cmds.Wait()
		return nil, err
	}
	return &runningGateway{Server: gw, cancel: cancel, commands: cmds}, nil
}

// Stop stops taking requests, then starts what was already accepted.
func (g *runningGateway) Stop(ctx context.Context) error {
	err := g.Shutdown(ctx)
	g.cancel()
	g.commands.Wait()
	return err
}
