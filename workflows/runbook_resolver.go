package workflows

import (
	"fmt"

	"github.com/dre-dev/dre/internal/catalog"
	"github.com/dre-dev/dre/internal/warehouse"
)

// BigQueryKind is the RunbookInput.WarehouseKinds value of a BigQuery
// warehouse; any other kind quotes names as PostgreSQL does.
const BigQueryKind = "bigquery"

// resolver gives templates the catalog's tables and sources, and quotes
// names for the warehouse they run on: double quotes for PostgreSQL,
// backticks for BigQuery, after the same identifier check the warehouse
// adapters make, so that a name can never close its quotes.
type resolver struct {
	datasets map[string]catalog.Dataset
	kinds    map[string]string // warehouse kind by name
	// warehouse is the warehouse the text runs on, "" for none.
	warehouse string
}

// resolverOn returns the resolver for text that runs on warehouse wh.
func (r *runbookRun) resolverOn(wh string) resolver {
	return resolver{datasets: r.in.Datasets, kinds: r.in.WarehouseKinds, warehouse: wh}
}

// Table returns the dataset's table, quoted for the dataset's warehouse.
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
	q := v.quoter(ds.Warehouse)
	return q(ref.Schema) + "." + q(ref.Table), nil
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

// Ident quotes a column or role name for the step's warehouse after
// checking it.
func (v resolver) Ident(name string) (string, error) {
	if err := warehouse.ValidIdentifier(name); err != nil {
		return "", err
	}
	return v.quoter(v.warehouse)(name), nil
}

// quoter returns how the warehouse named wh quotes a checked identifier.
func (v resolver) quoter(wh string) func(string) string {
	if v.kinds[wh] == BigQueryKind {
		return func(name string) string { return "`" + name + "`" }
	}
	return func(name string) string { return `"` + name + `"` }
}
