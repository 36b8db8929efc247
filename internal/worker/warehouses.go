package worker

import (
	"context"
	"fmt"

	"google.golang.org/api/option"

	"github.com/dre-dev/dre/internal/config"
	"github.com/dre-dev/dre/internal/warehouse"
	"github.com/dre-dev/dre/internal/warehouse/bigquery"
	"github.com/dre-dev/dre/internal/warehouse/postgres"
)

// Warehouses builds the registry of the warehouses declared in the config.
// embeddedDSN serves warehouses declared `embedded: true`; it is set only
// under `dre dev`, where the private PostgreSQL cluster runs.
func Warehouses(cfg *config.Config, embeddedDSN string) *warehouse.Registry {
	openers := map[string]warehouse.Opener{}
	for name, wh := range cfg.Warehouses {
		openers[name] = opener(name, wh, embeddedDSN)
	}
	return warehouse.NewRegistry(openers)
}

func opener(name string, wh config.Warehouse, embeddedDSN string) warehouse.Opener {
	return func(ctx context.Context) (warehouse.Conn, error) {
		switch {
		case wh.Postgres != nil && wh.Postgres.Embedded:
			if embeddedDSN == "" {
				return nil, fmt.Errorf("warehouse %q is embedded, which exists only under `dre dev`; give it dsn: {env: NAME}", name)
			}
			return postgres.Open(ctx, embeddedDSN)
		case wh.Postgres != nil:
			return openPostgres(ctx, *wh.Postgres)
		case wh.BigQuery != nil:
			return openBigQuery(ctx, *wh.BigQuery)
		default:
			return nil, fmt.Errorf("warehouse %q has neither postgres: nor bigquery: in dre.yaml", name)
		}
	}
}

// openBigQuery connects with the key file when one is configured, and with
// Application Default Credentials otherwise.
func openBigQuery(ctx context.Context, bq config.BigQuery) (warehouse.Conn, error) {
	var opts []option.ClientOption
	if bq.CredentialsFile != "" {
		opts = append(opts, option.WithAuthCredentialsFile(option.ServiceAccount, bq.CredentialsFile))
	}
	location := bq.Location
	if location == "" {
		location = "US"
	}
	w, err := bigquery.Open(ctx, bq.Project, location, opts...)
	if err != nil {
		return nil, err
	}
	if err := w.SetUsageScope(bq.UsageProjects, bq.UsageRegions); err != nil {
		w.Close()
		return nil, err
	}
	if err := w.SetPIIPolicyTags(bq.PIIPolicyTags); err != nil {
		w.Close()
		return nil, fmt.Errorf("bigquery.pii_policy_tags: %w", err)
	}
	return w, nil
}

// openPostgres connects to the primary and hands it the replicas whose
// scans its usage gate counts.
func openPostgres(ctx context.Context, pg config.Postgres) (warehouse.Conn, error) {
	w, err := postgres.Open(ctx, pg.DSN.Value())
	if err != nil {
		return nil, err
	}
	dsns := make([]string, len(pg.Replicas))
	for i, r := range pg.Replicas {
		dsns[i] = r.DSN.Value()
	}
	if err := w.SetReplicas(dsns); err != nil {
		w.Close()
		return nil, err
	}
	return w, nil
}
