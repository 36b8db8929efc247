package cli

import (
	"github.com/dre-dev/dre/internal/catalog"
	"github.com/dre-dev/dre/workflows"
)

// triageRunbooks prepares the catalog runbook of a dataset for a triage,
// from the stock runbooks and those under ./runbooks, loaded once: the
// gateway should not read files on every report.
func triageRunbooks(cat *catalog.Catalog) (func(catalog.Dataset) (*workflows.RunbookInput, error), error) {
	set, _, err := loadRunbookSet(nil)
	if err != nil {
		return nil, err
	}
	return func(ds catalog.Dataset) (*workflows.RunbookInput, error) {
		in, err := runbookInput(set, cat, ds.Runbook, runbookRunFlags{dataset: ds.Name})
		if err != nil {
			return nil, err
		}
		in.Requester = "triage:" + ds.Name
		return &in, nil
	}, nil
}
