package dbt

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/dre-dev/dre/internal/catalog"
)

// Result is what an import found.
type Result struct {
	Version  int               // the manifest's schema version
	Datasets []catalog.Dataset // sorted by name
	// Warnings name what was left out or passed through, and why.
	Warnings []string
}

// identifier is what dre splices into SQL unquoted; a table with other
// characters cannot be a dataset.
var identifier = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// Import reads a manifest and returns a dataset in warehouse for each
// model, seed, snapshot and source with a table. Each dataset's upstream
// lists the datasets it depends on; through an ephemeral model (or a
// table dre cannot name) it reaches that model's own table-backed
// ancestors instead.
func Import(data []byte, warehouse string) (Result, error) {
	m, version, err := parse(data)
	if err != nil {
		return Result{}, err
	}
	res := m.resources()
	imp := &importer{m: m, res: res, names: map[string]string{}, memo: map[string][]string{}}
	imp.assignNames()
	out := Result{Version: version}
	for _, id := range sortedIDs(res) {
		if name, ok := imp.names[id]; ok {
			out.Datasets = append(out.Datasets, imp.dataset(res[id], name, warehouse))
		}
	}
	slices.SortFunc(out.Datasets, func(a, b catalog.Dataset) int { return strings.Compare(a.Name, b.Name) })
	out.Warnings = imp.warnings
	return out, nil
}

// importer holds an import's state.
type importer struct {
	m        *manifest
	res      map[string]*resource
	names    map[string]string   // unique_id -> dataset name, for table-backed resources
	memo     map[string][]string // unique_id -> dataset names it stands for
	warnings []string
}

// warnf records a warning.
func (imp *importer) warnf(format string, args ...any) {
	imp.warnings = append(imp.warnings, fmt.Sprintf(format, args...))
}

// assignNames gives each table-backed resource a unique dataset name in
// unique_id order, the project's own resources before its packages', so
// that the same manifest always gives the same names and the project
// keeps the plain ones. A clash (the same name in two packages, or a model
// and a source) is settled by prefixing the package, then the database,
// then a number.
func (imp *importer) assignNames() {
	taken := map[string]bool{}
	ids := sortedIDs(imp.res)
	own := func(id string) bool { return imp.res[id].pkg == imp.m.Metadata.ProjectName }
	slices.SortStableFunc(ids, func(a, b string) int {
		switch {
		case own(a) && !own(b):
			return -1
		case own(b) && !own(a):
			return 1
		}
		return 0
	})
	for _, id := range ids {
		r := imp.res[id]
		if r.ephemeral() {
			continue
		}
		if schema, table, _ := strings.Cut(r.table(), "."); !identifier.MatchString(schema) || !identifier.MatchString(table) {
			imp.warnf("%s: table %s needs quoting, which dre does not do; left out, lineage passes through it", id, r.table())
			continue
		}
		name := pickName(taken, datasetName(r.name), datasetName(r.pkg+"_"+r.name), datasetName(r.database+"_"+r.name))
		taken[name] = true
		imp.names[id] = name
	}
}

// pickName returns the first candidate not taken, else the last one with
// the first free number appended.
func pickName(taken map[string]bool, candidates ...string) string {
	for _, c := range candidates {
		if !taken[c] {
			return c
		}
	}
	last := candidates[len(candidates)-1]
	for i := 2; ; i++ {
		if c := fmt.Sprintf("%s_%d", last, i); !taken[c] {
			return c
		}
	}
}

// datasetName turns a dbt name into a dataset name: lowercase letters,
// digits and _, starting with a letter.
func datasetName(s string) string {
	var b strings.Builder
	for _, c := range strings.ToLower(s) {
		if (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') {
			b.WriteRune(c)
		} else {
			b.WriteByte('_')
		}
	}
	name := strings.Trim(b.String(), "_")
	if name == "" || name[0] < 'a' {
		name = "t_" + name
	}
	return name
}

// upstream returns the dataset names id stands for as a dependency: its
// own, or for a resource without a dataset, its dependencies' (memoized;
// a cycle, which dbt forbids, ends the walk).
func (imp *importer) upstream(id string) []string {
	if name, ok := imp.names[id]; ok {
		return []string{name}
	}
	if done, ok := imp.memo[id]; ok {
		return done
	}
	imp.memo[id] = nil
	r, ok := imp.res[id]
	if !ok {
		return nil
	}
	var out []string
	for _, dep := range r.deps {
		out = append(out, imp.upstream(dep)...)
	}
	slices.Sort(out)
	out = slices.Compact(out)
	imp.memo[id] = out
	return out
}

// dependencies returns r's upstream dataset names, warning about
// dependencies the manifest does not hold (a disabled model, say).
func (imp *importer) dependencies(r *resource) []string {
	var out []string
	for _, dep := range r.deps {
		if _, known := imp.res[dep]; !known && isTableID(dep) {
			imp.warnf("%s depends on %s, which the manifest does not hold (disabled?); that edge is left out", r.id, dep)
			continue
		}
		out = append(out, imp.upstream(dep)...)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// isTableID reports whether a unique_id names a kind of resource that
// would be a dataset, as opposed to a macro, metric or semantic model.
func isTableID(id string) bool {
	kind, _, _ := strings.Cut(id, ".")
	return datasetKinds[kind] || kind == "source"
}

// sortedIDs returns the keys of res, sorted.
func sortedIDs(res map[string]*resource) []string {
	ids := make([]string, 0, len(res))
	for id := range res {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}
