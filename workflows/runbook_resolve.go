package workflows

import (
	"fmt"
	"strings"

	"go.temporal.io/sdk/temporal"

	"github.com/dre-dev/dre/internal/catalog"
	"github.com/dre-dev/dre/internal/warehouse"
)

// resolver gives templates the catalog's tables and sources. Names are
// quoted the PostgreSQL way (double quotes), after the same identifier
// check the warehouse adapters make.
type resolver struct {
	datasets map[string]catalog.Dataset
}

// Table returns the dataset's table, quoted.
func (v resolver) Table(dataset string) (string, error) {
	ds, err := lookupDataset(v.datasets, dataset)
	if err != nil {
		return "", err
	}
	ref, err := warehouse.ParseTableRef(ds.Table)
	if err == nil {
		err = ref.Validate()
	}
	if err != nil {
		return "", fmt.Errorf("dataset %s: %w", dataset, err)
	}
	return `"` + ref.Schema + `"."` + ref.Table + `"`, nil
}

// Source returns the dataset's source as a parenthesized relation whose
// partition bounds are the step's $1 and $2.
func (v resolver) Source(dataset string) (string, error) {
	ds, err := lookupDataset(v.datasets, dataset)
	if err != nil {
		return "", err
	}
	sql, err := ds.SourceQuery("$1", "$2")
	if err != nil {
		return "", err
	}
	return "(" + sql + ")", nil
}

// Ident quotes a column or role name after checking it.
func (resolver) Ident(name string) (string, error) {
	if err := warehouse.ValidIdentifier(name); err != nil {
		return "", err
	}
	return `"` + name + `"`, nil
}

// lookupDataset finds a dataset the run was given.
func lookupDataset(datasets map[string]catalog.Dataset, name string) (catalog.Dataset, error) {
	if ds, ok := datasets[name]; ok {
		return ds, nil
	}
	msg := fmt.Sprintf("dataset %q was not passed to the run (have: %s); start runbooks with dre runbook run, which resolves the datasets they name from the catalog",
		name, strings.Join(sortedKeys(datasets), ", "))
	return catalog.Dataset{}, temporal.NewNonRetryableApplicationError(msg, ErrInvalidInput, nil)
}

// dataset renders a dataset field and finds the dataset.
func (r *runbookRun) dataset(field string) (catalog.Dataset, error) {
	name, err := r.render(field)
	if err != nil {
		return catalog.Dataset{}, err
	}
	return lookupDataset(r.in.Datasets, name)
}

// owner is the dataset whose owner "owner" means: the run's target.
func (r *runbookRun) owner() (catalog.Dataset, error) {
	if r.in.Dataset == "" {
		return catalog.Dataset{}, fmt.Errorf("runbook %s has no dataset input, so it has no owner to reach", r.in.Runbook.Name)
	}
	return lookupDataset(r.in.Datasets, r.in.Dataset)
}

// approvers expands "owner" into the owner's team, channel and the
// dataset's PII and lifecycle approvers; other entries are Slack IDs.
func (r *runbookRun) approvers(listed []string) []string {
	var out []string
	for _, a := range listed {
		if a != "owner" {
			out = append(out, a)
			continue
		}
		if ds, err := r.owner(); err == nil {
			out = append(out, ds.Owner.Team, ds.Owner.SlackChannel)
			out = append(out, ds.PII.Approvers...)
			if ds.Lifecycle != nil {
				out = append(out, ds.Lifecycle.Approvers...)
			}
		}
	}
	return out
}

// ownerInfo is how a dataset's owner can be reached.
type ownerInfo = catalog.Owner

// ownerField is one way to reach the target dataset's owner; a missing
// one is a catalog problem that no retry fixes.
func (r *runbookRun) ownerField(key string, get func(ownerInfo) string) (string, error) {
	ds, err := r.owner()
	if err != nil {
		return "", temporal.NewNonRetryableApplicationError(err.Error(), ErrInvalidInput, nil)
	}
	if v := get(ds.Owner); v != "" {
		return v, nil
	}
	msg := fmt.Sprintf("dataset %s has no owner.%s; set it in dre.yaml", ds.Name, key)
	return "", temporal.NewNonRetryableApplicationError(msg, ErrInvalidInput, nil)
}
