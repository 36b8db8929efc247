package e2e

import (
	"context"
	"testing"
	"time"

	"github.com/dre-dev/dre/activities"
	"github.com/dre-dev/dre/internal/config"
	"github.com/dre-dev/dre/internal/demo"
	"github.com/dre-dev/dre/internal/worker"
	sdkworker "go.temporal.io/sdk/worker"
)

// seededDemo creates the database db, seeds it with the demo's data and
// returns its DSN and the demo's dre.yaml, for tests that run their own
// worker against it.
func seededDemo(t *testing.T, db string) (string, *config.Config) {
	t.Helper()
	ctx := context.Background()
	if err := env.PG.CreateDatabase(ctx, db); err != nil {
		t.Fatal(err)
	}
	dsn := env.PG.DSN(db)
	if _, err := demo.Seed(ctx, dsn, time.Now().UTC()); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Parse("demo.yaml", demo.Config, nil, config.LoadOptions{AllowEmbedded: true})
	if err != nil {
		t.Fatal(err)
	}
	return dsn, cfg
}

// startDemoWorker runs a worker on queue against the seeded demo warehouse
// at dsn, checking decisions against decide and notifying through notify;
// it stops with the test.
func startDemoWorker(t *testing.T, queue, dsn string, cfg *config.Config, decide *activities.Policy, notify *activities.Notify) {
	t.Helper()
	w := sdkworker.New(env.Client, queue, sdkworker.Options{})
	worker.Register(w, worker.Deps{Warehouses: worker.Warehouses(cfg, dsn), Policy: decide, Notify: notify})
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Stop)
}
