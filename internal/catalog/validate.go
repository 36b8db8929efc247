package catalog

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// Problem is one thing wrong with a dataset. Path locates it with the
// yaml key names, like partition.granularity or slos[1].objective;
// package config turns it into a file position.
type Problem struct {
	Path    string
	Message string
}

// String renders p as "path: message".
func (p Problem) String() string { return p.Path + ": " + p.Message }

var (
	// datasetName keeps names usable as CLI arguments, workflow IDs and
	// metric labels without quoting.
	datasetName = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)
	// sloName additionally allows hyphens, as in orders-fresh.
	sloName = regexp.MustCompile(`^[a-z][a-z0-9_-]*$`)
	// identifier is what dre splices into SQL unquoted (columns, schema
	// and table names), so it must never need quoting.
	identifier = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
)

// problems collects Problems under a path prefix.
type problems struct {
	prefix string
	list   []Problem
}

// addf records a problem at prefix+path.
func (ps *problems) addf(path, format string, args ...any) {
	ps.list = append(ps.list, Problem{Path: ps.prefix + path, Message: fmt.Sprintf(format, args...)})
}

// ValidateAll validates every dataset and reports duplicate names, with
// paths like datasets[2].table. warehouses are the configured warehouse
// names.
func ValidateAll(ds []Dataset, warehouses []string) []Problem {
	var out []Problem
	first := map[string]int{}
	for i, d := range ds {
		prefix := fmt.Sprintf("datasets[%d]", i)
		for _, p := range d.Validate(warehouses) {
			out = append(out, Problem{Path: prefix + "." + p.Path, Message: p.Message})
		}
		if j, dup := first[d.Name]; dup && d.Name != "" {
			out = append(out, Problem{Path: prefix + ".name",
				Message: fmt.Sprintf("duplicate dataset name %q (also datasets[%d]); names must be unique", d.Name, j)})
		} else if !dup {
			first[d.Name] = i
		}
	}
	return append(out, checkUpstreamNames(ds)...)
}

// Validate checks d against the configured warehouse names and returns
// every problem found, with paths relative to the dataset.
func (d Dataset) Validate(warehouses []string) []Problem {
	ps := &problems{}
	checkName(ps, d.Name)
	checkWarehouse(ps, d.Warehouse, warehouses)
	checkTable(ps, "table", d.Table, true)
	checkPartition(ps, d.Partition)
	checkIdentifier(ps, "freshness_column", d.FreshnessColumn)
	checkSource(ps, d.Source, d.Partition != nil)
	checkValidation(ps, d)
	checkSLOs(ps, d)
	checkPII(ps, d.PII)
	checkLifecycle(ps, d.Lifecycle)
	checkAccess(ps, d.Access)
	checkUpstream(ps, d.Name, d.Upstream)
	checkBackfill(ps, d.Backfill)
	return ps.list
}

// checkName requires a lowercase identifier.
func checkName(ps *problems, name string) {
	switch {
	case name == "":
		ps.addf("name", "name is required")
	case !datasetName.MatchString(name):
		ps.addf("name", "name %q must be a lowercase identifier: a letter, then letters, digits or _", name)
	}
}

// checkWarehouse requires a warehouse that is configured.
func checkWarehouse(ps *problems, name string, known []string) {
	if name != "" && slices.Contains(known, name) {
		return
	}
	list := "none are configured; add one under warehouses: in dre.yaml"
	if len(known) > 0 {
		list = "configured warehouses: " + strings.Join(known, ", ")
	}
	if name == "" {
		ps.addf("warehouse", "warehouse is required; %s", list)
		return
	}
	hint := ""
	if s := Suggest(name, known); len(s) > 0 {
		hint = fmt.Sprintf(" did you mean %s?", orList(s))
	}
	ps.addf("warehouse", "unknown warehouse %q;%s %s", name, hint, list)
}

// checkTable requires schema.table with identifier-safe parts.
func checkTable(ps *problems, path, table string, required bool) {
	if table == "" {
		if required {
			ps.addf(path, "%s is required: schema.table (Postgres) or dataset.table (BigQuery)", path)
		}
		return
	}
	schema, name, ok := strings.Cut(table, ".")
	if !ok || !identifier.MatchString(schema) || !identifier.MatchString(name) {
		ps.addf(path, "%s %q must be schema.table (Postgres) or dataset.table (BigQuery), each part letters, digits or _", path, table)
	}
}

// checkIdentifier rejects a set column name that would need quoting.
// checkBackfill requires the select role to be a plain role name, which
// dre quotes but which must also name the role PostgreSQL reports.
func checkBackfill(ps *problems, b *BackfillSettings) {
	if b == nil {
		return
	}
	if b.Budget < 0 {
		ps.addf("backfill.budget", "backfill.budget %g is negative; give the most a backfill may cost without an approval, or remove it", b.Budget)
	}
	switch {
	case b.SelectRole == "" && b.Budget != 0:
	case b.SelectRole == "":
		ps.addf("backfill.select_role", "backfill.select_role is empty; name the PostgreSQL role that may read only this dataset's upstream tables, or remove backfill:")
	case !identifier.MatchString(b.SelectRole):
		ps.addf("backfill.select_role", "role %q must be letters, digits or _, not starting with a digit", b.SelectRole)
	case strings.EqualFold(b.SelectRole, "public"):
		ps.addf("backfill.select_role", "PUBLIC is every role, not a limited one; create a role that may read only the upstream tables")
	}
}

func checkIdentifier(ps *problems, path, column string) {
	if column != "" && !identifier.MatchString(column) {
		ps.addf(path, "column %q must be letters, digits or _, not starting with a digit", column)
	}
}

// checkPartition requires a column and a valid granularity.
func checkPartition(ps *problems, p *Partition) {
	if p == nil {
		return
	}
	if p.Column == "" {
		ps.addf("partition.column", "partition.column is required: the column that splits the table into partitions")
	}
	checkIdentifier(ps, "partition.column", p.Column)
	if !p.Granularity.Valid() {
		ps.addf("partition.granularity", "granularity %q is not valid; want one of %s", p.Granularity, joinQuoted(Granularities()))
	}
}
