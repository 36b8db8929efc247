package config

import "testing"

// Upstream entries are checked where they are written: unknown datasets
// with a suggestion, self references, repeats, bad tables and cycles.
func TestLoadLineageProblems(t *testing.T) {
	_, err := Load("testdata/invalid_lineage.yaml", nil, LoadOptions{})
	diffLines(t, "invalid_lineage.yaml", problemLines(t, err), []string{
		`testdata/invalid_lineage.yaml:8:28: datasets[0].upstream[1]: upstream cycle orders -> revenue -> orders: a table cannot be computed from itself; remove one of these upstream entries`,
		`testdata/invalid_lineage.yaml:16:16: datasets[2].upstream[0]: upstream "ordres" is not a dataset of the catalog; did you mean "orders"? name a dataset, or write a table outside the catalog as schema.table`,
		`testdata/invalid_lineage.yaml:16:24: datasets[2].upstream[1]: dataset "churn" cannot be its own upstream; remove this entry`,
		`testdata/invalid_lineage.yaml:16:43: datasets[2].upstream[3]: upstream "raw.events" is listed twice (also upstream[2]); remove one`,
		`testdata/invalid_lineage.yaml:16:55: datasets[2].upstream[4]: upstream[4] "a.b.c" must be schema.table (Postgres) or dataset.table (BigQuery), each part letters, digits or _`,
		`testdata/invalid_lineage.yaml:17:18: datasets[2].unique_key[0]: column "customer id" must be letters, digits or _, not starting with a digit`,
	})
}
