//go:build !nodev

package cli

import (
	"fmt"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/dre-dev/dre/internal/devserver"
)

// devFlags are the knobs of `dre dev`.
type devFlags struct {
	demo         bool
	stateDir     string
	temporalPort int
	uiPort       int
	headless     bool
	httpListen   string
	pgPort       int
	retention    time.Duration
}

// newDevCmd is `dre dev`. It alone links the Temporal server, its UI and
// the local PostgreSQL; the production build (-tags nodev) leaves this file,
// devrun.go and devports.go out for the stub in dev_nodev.go.
func newDevCmd(g *globals) *cobra.Command {
	f := &devFlags{}
	cmd := &cobra.Command{
		Use:   "dev",
		Short: "Run everything in one process: Temporal server and UI, worker, gateway, local PostgreSQL",
		Long: `dre dev runs a complete dre on this machine, in one process:

  - a Temporal server whose state is a SQLite file in the state directory,
  - the Temporal Web UI,
  - a dre worker and the HTTP gateway,
  - a private PostgreSQL cluster (from the local PostgreSQL binaries) for every
    warehouse declared "embedded: true", and for the demo.

State survives restarts: stop with Ctrl-C and run it again to resume running
workflows, schedules and data, with PostgreSQL on the same port as before
(unless another process took it meanwhile). Delete the state directory to
start over.

Without --config (or $DRE_CONFIG, or ./dre.yaml) it runs a built-in config with
one embedded warehouse called "local"; --demo also creates demo tables (orders,
customers, events, legacy_sessions) and their catalog.`,
		Example: `  dre dev --demo
  dre dev --config dre.yaml
  dre dev --demo --state-dir /tmp/dre --temporal-port 0 --ui-port 0 --http 127.0.0.1:0 --pg-port 0`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			return (&devRun{g: g, f: f, out: cmd.OutOrStdout(), errOut: cmd.ErrOrStderr()}).run(cmd.Context())
		},
	}
	fl := cmd.Flags()
	fl.BoolVar(&f.demo, "demo", false, "create the demo warehouse tables and use the demo catalog")
	fl.StringVar(&f.stateDir, "state-dir", ".dre", "directory for the Temporal database, the PostgreSQL cluster and logs")
	fl.IntVar(&f.temporalPort, "temporal-port", 7233, "Temporal frontend gRPC port on 127.0.0.1 (0 picks a free port)")
	fl.IntVar(&f.uiPort, "ui-port", 8233, "Temporal Web UI port on 127.0.0.1 (0 picks a free port)")
	fl.BoolVar(&f.headless, "headless", false, "do not serve the Temporal Web UI")
	fl.StringVar(&f.httpListen, "http", "", "gateway listen address (default: gateway.listen, 127.0.0.1:8080)")
	fl.IntVar(&f.pgPort, "pg-port", 0, "port of the local PostgreSQL cluster on 127.0.0.1 (0: the port it had last time, kept in the state directory, else a free port)")
	fl.DurationVar(&f.retention, "retention", devserver.DefaultRetention, "how long closed workflows stay visible")
	return cmd
}

// serverOptions turns the flags into devserver options.
func (f *devFlags) serverOptions() devserver.Options {
	opts := devserver.FileOptions(filepath.Join(f.stateDir, "temporal.db"))
	opts.FrontendAddress = fmt.Sprintf("127.0.0.1:%d", f.temporalPort)
	opts.UIAddress = fmt.Sprintf("127.0.0.1:%d", f.uiPort)
	if f.headless {
		opts.UIAddress = ""
	}
	opts.Retention = f.retention
	opts.LogFile = filepath.Join(f.stateDir, "logs", "temporal.log")
	return opts
}
