package cli

import (
	"github.com/dre-dev/dre/internal/config"
	"github.com/dre-dev/dre/workflows"
)

// triageRunbooks loads the runbooks a triage's Run runbook button is
// prepared from: the stock ones and those under ./runbooks, loaded once,
// since the gateway should not read files on every report.
func triageRunbooks(cfg *config.Config) (*workflows.RunbookSet, error) {
	set, _, err := loadRunbookSet(nil)
	if err != nil {
		return nil, err
	}
	return &workflows.RunbookSet{Runbooks: set, Catalog: cfg.Catalog, WarehouseKinds: cfg.WarehouseKinds()}, nil
}
