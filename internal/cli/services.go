package cli

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"
	"go.temporal.io/sdk/client"

	"github.com/dre-dev/dre/internal/config"
	"github.com/dre-dev/dre/internal/worker"
)

func newWorkerCmd(g *globals) *cobra.Command {
	var sf serviceFlags
	cmd := &cobra.Command{
		Use:   "worker",
		Short: "Run a dre worker against a Temporal server (many may run at once)",
		Long: `dre worker polls dre's task queue and runs workflows and activities with
the warehouses of dre.yaml. Run as many as you like against one Temporal
cluster; work is shared among them. Stop with SIGTERM or Ctrl-C: in-flight
activities finish first.`,
		Example: `  TEMPORAL_ADDRESS=temporal.internal:7233 dre worker --config /etc/dre/dre.yaml
  dre worker   # with dre dev running: uses .dre/dre.yaml and 127.0.0.1:7233`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, c, obs, err := g.connectService(cmd, &sf)
			if err != nil {
				return err
			}
			defer obs.close()
			defer c.Close()
			registry := worker.Warehouses(cfg, "")
			defer registry.Close()
			agentSocket, _ := g.opts.Env("SSH_AUTH_SOCK")
			return runWorker(cmd, &sf, cfg, c, obs, registry, agentSocket)
		},
	}
	sf.addWorkerFlags(cmd)
	return cmd
}

func newGatewayCmd(g *globals) *cobra.Command {
	var listen string
	var sf serviceFlags
	cmd := &cobra.Command{
		Use:   "gateway",
		Short: "Run dre's HTTP gateway (health endpoints; Slack, PagerDuty and monitoring alerts)",
		Long: `dre gateway serves /healthz, /readyz and POST /slack/commands, the
Request URL of the Slack app's /dre command. Every Slack request is verified
with the app's signing secret (SLACK_SIGNING_SECRET) before it is read;
without a secret the Slack route answers 503 and starts nothing.

It also serves POST /pagerduty/webhook and POST /alerts/<source>, where
Alertmanager, Monte Carlo, Elementary, Soda and Great Expectations open or
join a dataset's incident; each source needs a bearer token in dre.yaml
(alerts.sources.<source>.token), or its route answers 503.`,
		Example: `  SLACK_SIGNING_SECRET=... dre gateway --config /etc/dre/dre.yaml --http 0.0.0.0:8080
  curl -s 127.0.0.1:8080/readyz
  curl -s -H "Authorization: Bearer $TOKEN" --data @webhook.json 127.0.0.1:8080/alerts/alertmanager`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, c, obs, err := g.connectService(cmd, &sf)
			if err != nil {
				return err
			}
			defer obs.close()
			defer c.Close()
			if listen == "" {
				listen = cfg.Gateway.Listen
			}
			gw, err := startGateway(cfg, c, listen, g.uiBaseURL(), cfg.State.DSN.Value(), obs.metrics)
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "dre gateway listening on http://%s (Slack: /slack/commands%s)\n", gw.Addr(), slackHint(cfg))
			<-cmd.Context().Done()
			fmt.Fprintln(cmd.OutOrStdout(), "dre gateway stopping")
			return gw.Stop(context.Background())
		},
	}
	cmd.Flags().StringVar(&listen, "http", "", "listen address (default: gateway.listen or $DRE_GATEWAY_LISTEN, 127.0.0.1:8080)")
	sf.addLogFlags(cmd)
	return cmd
}

// connectService loads a service's config (all secrets resolved), sets up
// its logs, metrics and tracing, and dials Temporal with them.
func (g *globals) connectService(cmd *cobra.Command, f *serviceFlags) (*config.Config, client.Client, *observability, error) {
	cfg, err := g.loadServiceConfig()
	if err != nil {
		return nil, nil, nil, err
	}
	obs, err := g.observe(cmd.Context(), f, cfg, cmd.ErrOrStderr())
	if err != nil {
		return nil, nil, nil, err
	}
	c, err := dialTemporal(cmd.Context(), cfg, cmd.ErrOrStderr(), obs.apply)
	if err != nil {
		obs.close()
		return nil, nil, nil, err
	}
	return cfg, c, obs, nil
}
