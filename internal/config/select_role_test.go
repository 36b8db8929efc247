package config

import "testing"

// backfill.select_role must name one plain, limited role: not a name that
// needs quoting, not PUBLIC, not empty, and not on BigQuery, which has no
// roles to run a SELECT as.
func TestLoadSelectRoleProblems(t *testing.T) {
	_, err := Load("testdata/invalid_select_role.yaml", nil, LoadOptions{})
	diffLines(t, "invalid_select_role.yaml", problemLines(t, err), []string{
		`testdata/invalid_select_role.yaml:10:29: datasets[0].backfill.select_role: role "dre reader" must be letters, digits or _, not starting with a digit`,
		`testdata/invalid_select_role.yaml:14:29: datasets[1].backfill.select_role: PUBLIC is every role, not a limited one; create a role that may read only the upstream tables`,
		`testdata/invalid_select_role.yaml:18:29: datasets[2].backfill.select_role: backfill.select_role is empty; name the PostgreSQL role that may read only this dataset's upstream tables, or remove backfill:`,
		`testdata/invalid_select_role.yaml:22:29: datasets[3].backfill.select_role: warehouse "lake" is BigQuery, where dre cannot run a SELECT as a role yet; remove select_role (a --select backfill there waits for an approval)`,
	})
}
