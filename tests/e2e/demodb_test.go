package e2e

import (
	"context"
	"testing"
	"time"

	"github.com/dre-dev/dre/internal/config"
	"github.com/dre-dev/dre/internal/demo"
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
