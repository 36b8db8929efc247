// Package harness starts the real parts dre's end-to-end tests run against:
// one embedded Temporal server (in memory) and one private PostgreSQL cluster
// per test package, shared by the package's tests, and a worker registered
// exactly as in production (internal/worker).
//
// Use it from TestMain:
//
//	var env *harness.Env
//
//	func TestMain(m *testing.M) { harness.Main(m, &env) }
package harness

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"testing"
	"time"

	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"
	sdkworker "go.temporal.io/sdk/worker"

	"github.com/dre-dev/dre/internal/devserver"
	"github.com/dre-dev/dre/internal/localpg"
	"github.com/dre-dev/dre/internal/worker"
	"github.com/dre-dev/dre/workflows"
)

// Env is the shared test environment of a package.
type Env struct {
	Server *devserver.Server
	Client client.Client
	PG     *localpg.Cluster
	// TaskQueue is unique to the package run, so workers of other runs
	// never steal its tasks.
	TaskQueue string
	dataDir   string
	stops     []func()
}

// Main starts the environment, runs the tests and stops everything, also
// when a test fails; it exits the process with the tests' code.
func Main(m *testing.M, env **Env) {
	e, err := start(context.Background())
	if err != nil {
		fmt.Fprintln(os.Stderr, "test harness:", err)
		os.Exit(1)
	}
	*env = e
	code := m.Run()
	e.stop()
	os.Exit(code)
}

func start(ctx context.Context) (*Env, error) {
	dir, err := os.MkdirTemp("", "dre-harness-")
	if err != nil {
		return nil, err
	}
	// PostgreSQL runs as the postgres OS user when we are root; it must be
	// able to enter the directory (MkdirTemp makes it private).
	if err := os.Chmod(dir, 0o755); err != nil {
		return nil, err
	}
	e := &Env{dataDir: dir, TaskQueue: fmt.Sprintf("dre-test-%d", time.Now().UnixNano())}
	// Parallel tests each run workers with several pools (warehouse, audit,
	// SLO and schema stores), so the shared cluster needs more than the
	// development default of 50 connections.
	e.PG, err = localpg.Start(ctx, localpg.Options{DataDir: dir + "/pg", Ephemeral: true,
		Settings: map[string]string{"max_connections": "300"}})
	if err != nil {
		e.stop()
		return nil, err
	}
	opts := devserver.EphemeralOptions()
	opts.SearchAttributes = workflows.SearchAttributes()
	opts.LogOutput = os.Stderr
	if e.Server, err = devserver.Start(ctx, opts); err != nil {
		e.stop()
		return nil, err
	}
	e.Client, err = e.Server.NewClient(client.Options{Logger: QuietLogger()})
	if err != nil {
		e.stop()
		return nil, err
	}
	return e, nil
}

func (e *Env) stop() {
	for i := len(e.stops) - 1; i >= 0; i-- {
		e.stops[i]()
	}
	if e.Client != nil {
		e.Client.Close()
	}
	if e.Server != nil {
		_ = e.Server.Stop()
	}
	if e.PG != nil {
		_ = e.PG.Stop()
	}
	_ = os.RemoveAll(e.dataDir)
}

// StartWorker runs a production-registered worker on the package's task
// queue until the test ends.
func (e *Env) StartWorker(t testing.TB, deps worker.Deps) {
	t.Helper()
	w := sdkworker.New(e.Client, e.TaskQueue, sdkworker.Options{})
	worker.Register(w, deps)
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Stop)
}

// StartSharedWorker runs a production-registered worker on the package's
// task queue until the package's tests end, for state shared by several tests.
func (e *Env) StartSharedWorker(deps worker.Deps) error {
	w := sdkworker.New(e.Client, e.TaskQueue, sdkworker.Options{})
	worker.Register(w, deps)
	if err := w.Start(); err != nil {
		return err
	}
	e.stops = append(e.stops, w.Stop)
	return nil
}

// QuietLogger keeps SDK logs out of test output except errors.
func QuietLogger() sdklog.Logger {
	return sdklog.NewStructuredLogger(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError})))
}
