package worker

import (
	"context"
	"fmt"

	"github.com/dre-dev/dre/internal/config"
	"github.com/dre-dev/dre/internal/warehouse"
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
			return postgres.Open(ctx, wh.Postgres.DSN.Value())
		default:
			return nil, fmt.Errorf("warehouse %q: BigQuery warehouses are not supported by this build yet", name)
		}
	}
}
