package catalog

import (
	"fmt"
	"strings"
)

// IsExternal reports whether an upstream entry names a table outside the
// catalog (schema.table) rather than a dataset: dataset names have no dot.
func IsExternal(upstream string) bool { return strings.Contains(upstream, ".") }

// checkUpstream checks each entry's form on its own: a dataset name or a
// schema.table, not the dataset itself, not listed twice.
func checkUpstream(ps *problems, self string, upstream []string) {
	seen := map[string]int{}
	for i, u := range upstream {
		path := fmt.Sprintf("upstream[%d]", i)
		switch {
		case IsExternal(u):
			checkTable(ps, path, u, true)
		case !datasetName.MatchString(u):
			ps.addf(path, "upstream %q must be a dataset name (a lowercase identifier) or a table outside the catalog as schema.table", u)
		case u == self:
			ps.addf(path, "dataset %q cannot be its own upstream; remove this entry", u)
		}
		if j, dup := seen[u]; dup {
			ps.addf(path, "upstream %q is listed twice (also upstream[%d]); remove one", u, j)
		} else {
			seen[u] = i
		}
	}
}

// checkUpstreamNames requires every upstream dataset name to be a dataset
// of the catalog, so a typo does not silently cut the graph. Tables
// outside the catalog are written as schema.table and are not checked.
func checkUpstreamNames(ds []Dataset) []Problem {
	known := make([]string, 0, len(ds))
	for _, d := range ds {
		known = append(known, d.Name)
	}
	names := make(map[string]bool, len(ds))
	for _, n := range known {
		names[n] = true
	}
	var out []Problem
	for i, d := range ds {
		for j, u := range d.Upstream {
			if IsExternal(u) || names[u] || !datasetName.MatchString(u) {
				continue
			}
			hint := ""
			if s := Suggest(u, known); len(s) > 0 {
				hint = fmt.Sprintf(" did you mean %s?", orList(s))
			}
			out = append(out, Problem{Path: fmt.Sprintf("datasets[%d].upstream[%d]", i, j),
				Message: fmt.Sprintf("upstream %q is not a dataset of the catalog;%s name a dataset, or write a table outside the catalog as schema.table", u, hint)})
		}
	}
	return out
}
