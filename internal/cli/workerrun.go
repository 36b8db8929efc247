package cli

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/spf13/cobra"
	"go.temporal.io/sdk/client"
	sdkworker "go.temporal.io/sdk/worker"

	"github.com/dre-dev/dre/internal/config"
	"github.com/dre-dev/dre/internal/telemetry"
	"github.com/dre-dev/dre/internal/warehouse"
	"github.com/dre-dev/dre/internal/worker"
)

// runWorker polls until the command's context ends (SIGTERM, Ctrl-C), then
// drains: /readyz turns 503 first, then in-flight activities get the stop
// timeout to finish, so a rolling deploy neither cuts a partition rewrite
// short nor makes Temporal retry it elsewhere.
//
// agentSocket is the worker's SSH_AUTH_SOCK, for an audit.checkpoint_key
// held in ssh-agent.
func runWorker(cmd *cobra.Command, f *serviceFlags, cfg *config.Config, c client.Client, obs *observability, wh *warehouse.Registry, agentSocket string) error {
	stopTimeout := stopTimeoutOf(f, cfg)
	state := cfg.State.DSN.Value()
	checkpoints := worker.AuditCheckpoints(cfg, state, agentSocket)
	if cfg.Audit.CheckpointEvery.Duration > 0 {
		if err := checkpoints.CheckKey(); err != nil {
			obs.logger.Warn("scheduled audit checkpoints will fail until this is fixed", "error", err)
		}
	}
	w := worker.NewWithOptions(c, cfg.Temporal.TaskQueue, worker.Deps{Warehouses: wh, Notify: worker.Notify(cfg), StateDSN: state, Policy: worker.Policy(cfg), TriagePolicy: worker.TriagePolicies(cfg),
		Checkpoints: checkpoints},
		sdkworker.Options{WorkerStopTimeout: stopTimeout})
	var draining atomic.Bool
	listen := f.metrics
	if listen == "" {
		listen = cfg.Worker.MetricsListen
	}
	addr := ""
	if listen != "" {
		srv, err := telemetry.Serve(listen, obs.metrics.HTTPHandler(), func() error {
			if draining.Load() {
				return errors.New("draining")
			}
			return nil
		})
		if err != nil {
			return err
		}
		defer func() {
			if err := srv.Shutdown(context.Background()); err != nil {
				obs.logger.Warn("metrics server did not shut down cleanly", "error", err)
			}
		}()
		addr = srv.Addr()
	}
	if err := w.Start(); err != nil {
		return fmt.Errorf("starting the worker: %w", err)
	}
	fmt.Fprintf(cmd.OutOrStdout(), "dre worker polling task queue %s on %s (namespace %s); %s\n",
		cfg.Temporal.TaskQueue, cfg.Temporal.Address, cfg.Temporal.Namespace, obs.describe(addr))
	<-cmd.Context().Done()
	draining.Store(true)
	started := time.Now()
	obs.logger.Info("draining: in-flight activities may finish", "stopTimeout", stopTimeout.String())
	w.Stop()
	obs.logger.Info("worker stopped", "took", time.Since(started).Round(time.Millisecond).String())
	fmt.Fprintln(cmd.OutOrStdout(), "dre worker stopped")
	return nil
}
