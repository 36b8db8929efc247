//go:build !nodev

package cli

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/dre-dev/dre/internal/config"
	"github.com/dre-dev/dre/internal/demo"
	"github.com/dre-dev/dre/internal/devserver"
	"github.com/dre-dev/dre/internal/localpg"
	"github.com/dre-dev/dre/internal/telemetry"
	"github.com/dre-dev/dre/internal/worker"
	"github.com/dre-dev/dre/workflows"
)

// devRun is one `dre dev` process: it starts the parts in dependency order
// and stops them in reverse.
type devRun struct {
	g           *globals
	f           *devFlags
	out, errOut io.Writer
	stops       []func()
	cfg         *config.Config
	builtin     []byte // the built-in config in use, nil with a user config
	warehouse   string // DSN of the embedded warehouse database
	state       string // DSN of the embedded state database (audit log), "" without one
	server      *devserver.Server
	gateway     *runningGateway
}

// builtinConfig is used without a config file: one embedded warehouse.
var builtinConfig = []byte(`# Written by dre dev: its built-in configuration.
warehouses:
  local:
    postgres:
      embedded: true
state:
  embedded: true
`)

func (d *devRun) run(ctx context.Context) error {
	started := time.Now()
	defer d.stopAll()
	steps := []func(context.Context) error{d.loadConfig, d.checkPorts, d.startPostgres, d.seedDemo, d.startTemporal, d.startWorkerAndGateway, d.writeConfigCopy}
	for _, step := range steps {
		if err := step(ctx); err != nil {
			return err
		}
	}
	d.printSummary(time.Since(started))
	<-ctx.Done()
	fmt.Fprintln(d.out, "\nstopping dre dev...")
	return nil
}

// onStop registers cleanup to run in reverse order of start.
func (d *devRun) onStop(f func()) { d.stops = append(d.stops, f) }

func (d *devRun) stopAll() {
	for i := len(d.stops) - 1; i >= 0; i-- {
		d.stops[i]()
	}
}

func (d *devRun) loadConfig(context.Context) error {
	opts := config.LoadOptions{ResolveSecrets: true, AllowEmbedded: true}
	if path := d.g.configPath(false); path != "" {
		cfg, err := config.Load(path, d.g.opts.Env, opts)
		d.cfg = cfg
		return err
	}
	d.builtin = builtinConfig
	if d.f.demo {
		d.builtin = demo.Config
	}
	cfg, err := config.Parse("built-in config", d.builtin, d.g.opts.Env, opts)
	d.cfg = cfg
	return err
}

// needsPostgres reports whether any warehouse (or the state database) is
// embedded, i.e. served by the private cluster.
func (d *devRun) needsPostgres() bool {
	for _, wh := range d.cfg.Warehouses {
		if wh.Postgres != nil && wh.Postgres.Embedded {
			return true
		}
	}
	return d.cfg.State.Embedded || d.f.demo
}

func (d *devRun) startPostgres(ctx context.Context) error {
	if !d.needsPostgres() {
		return nil
	}
	// Traversable by others: as root, PostgreSQL runs as the postgres user,
	// which must reach the data directory inside.
	if err := os.MkdirAll(d.f.stateDir, 0o755); err != nil {
		return fmt.Errorf("creating the state directory: %w", err)
	}
	binDir, _ := d.g.opts.Env("DRE_PG_BINDIR")
	portFile := filepath.Join(d.f.stateDir, "pg-port")
	cluster, err := localpg.Start(ctx, localpg.Options{DataDir: filepath.Join(d.f.stateDir, "pg"), Port: d.f.pgPort, BinDir: binDir, PortFile: portFile})
	if err != nil {
		return fmt.Errorf("local PostgreSQL: %w", err)
	}
	d.onStop(func() { _ = cluster.Stop() })
	if old := cluster.MovedFrom(); old != 0 {
		fmt.Fprintf(d.out, "local PostgreSQL: port %d, used last time, is taken by another process; now on port %d (saved in %s for next time)\n", old, cluster.Port(), portFile)
	}
	for _, db := range []string{"warehouse", "dre_state"} {
		if err := cluster.CreateDatabase(ctx, db); err != nil {
			return fmt.Errorf("local PostgreSQL: creating database %s: %w", db, err)
		}
	}
	d.warehouse = cluster.DSN("warehouse")
	if d.cfg.State.Embedded {
		d.state = cluster.DSN("dre_state")
	}
	return nil
}

func (d *devRun) seedDemo(ctx context.Context) error {
	if !d.f.demo {
		return nil
	}
	summary, err := demo.Seed(ctx, d.warehouse, time.Now().UTC())
	if err != nil {
		return fmt.Errorf("creating the demo tables: %w", err)
	}
	fmt.Fprintln(d.out, "demo warehouse:", summary)
	return nil
}

func (d *devRun) startTemporal(ctx context.Context) error {
	opts := d.f.serverOptions()
	opts.Namespace = d.cfg.Temporal.Namespace
	opts.SearchAttributes = workflows.SearchAttributes()
	if err := os.MkdirAll(filepath.Dir(opts.LogFile), 0o755); err != nil {
		return err
	}
	srv, err := devserver.Start(ctx, opts)
	if err != nil {
		return err
	}
	d.server = srv
	d.onStop(func() { _ = srv.Stop() })
	return nil
}

func (d *devRun) startWorkerAndGateway(ctx context.Context) error {
	metrics, err := telemetry.NewMetrics()
	if err != nil {
		return err
	}
	d.onStop(func() { _ = metrics.Close(context.Background()) })
	c, err := d.server.NewClient(client.Options{Logger: sdkLogger(d.errOut, slog.LevelWarn), MetricsHandler: metrics.Handler()})
	if err != nil {
		return err
	}
	d.onStop(c.Close)
	registry := worker.Warehouses(d.cfg, d.warehouse)
	d.onStop(registry.Close)
	agentSocket, _ := d.g.opts.Env("SSH_AUTH_SOCK")
	state := stateDSN(d.cfg, d.state)
	w := worker.New(c, d.cfg.Temporal.TaskQueue, worker.Deps{Warehouses: registry, Notify: worker.Notify(d.cfg), StateDSN: state, Policy: worker.Policy(d.cfg), TriagePolicy: worker.TriagePolicies(d.cfg),
		Checkpoints: worker.AuditCheckpoints(d.cfg, state, agentSocket)})
	if err := w.Start(); err != nil {
		return fmt.Errorf("starting the worker: %w", err)
	}
	d.onStop(w.Stop)
	gw, err := startGateway(d.cfg, c, d.gatewayListen(), d.server.UIURL(), stateDSN(d.cfg, d.state), metrics)
	if err != nil {
		return err
	}
	d.gateway = gw
	d.onStop(func() { _ = gw.Stop(context.Background()) })
	return nil
}

// writeConfigCopy saves the built-in config so that `dre catalog check` and
// friends, run from this directory, use the same catalog.
func (d *devRun) writeConfigCopy(context.Context) error {
	if d.builtin == nil {
		return nil
	}
	return os.WriteFile(filepath.Join(d.f.stateDir, "dre.yaml"), d.builtin, 0o644)
}

func (d *devRun) printSummary(took time.Duration) {
	fmt.Fprintf(d.out, "\ndre dev is ready in %s\n", took.Round(time.Millisecond))
	if u := d.server.UIURL(); u != "" {
		fmt.Fprintf(d.out, "  Temporal UI:    %s/namespaces/%s/workflows\n", u, d.server.Namespace())
	}
	fmt.Fprintf(d.out, "  Temporal gRPC:  %s (namespace %s, task queue %s)\n", d.server.FrontendAddress(), d.server.Namespace(), d.cfg.Temporal.TaskQueue)
	fmt.Fprintf(d.out, "  Gateway:        http://%s (/healthz, /readyz, /metrics, /slack/commands%s)\n", d.gateway.Addr(), slackHint(d.cfg))
	if d.warehouse != "" {
		fmt.Fprintf(d.out, "  PostgreSQL:     %s\n", d.warehouse)
	}
	fmt.Fprintf(d.out, "  Datasets:       %d in the catalog (dre catalog list)\n", len(d.cfg.Catalog.Names()))
	fmt.Fprintf(d.out, "  State:          %s (delete it to start over)\n", d.f.stateDir)
	fmt.Fprintln(d.out, "Press Ctrl-C to stop.")
}
