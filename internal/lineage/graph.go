// Package lineage is the dependency graph of the catalog's datasets: which
// tables each one is computed from (upstream) and which are computed from
// it (downstream). Edges come from upstream: in dre.yaml (written by hand
// or imported from a dbt manifest) and from the warehouse itself (view
// dependencies); each edge keeps where it was learnt.
package lineage

import (
	"slices"
	"time"

	"github.com/dre-dev/dre/internal/catalog"
	"github.com/dre-dev/dre/internal/warehouse"
)

// Source says where an edge was learnt.
type Source string

// The sources of edges.
const (
	// Declared edges are upstream: entries in dre.yaml.
	Declared Source = "declared"
	// Dbt edges are depends_on entries of the dbt manifest dre.yaml names.
	Dbt Source = "dbt"
	// PostgresViews edges are a view's reads, from pg_depend/pg_rewrite.
	PostgresViews Source = "postgres-views"
	// BigQueryJobs edges are what query jobs wrote a table from, from
	// INFORMATION_SCHEMA.JOBS over a window.
	BigQueryJobs Source = "bigquery-jobs"
)

// Edge says that To is computed from From.
type Edge struct {
	From    string   `json:"from"`
	To      string   `json:"to"`
	Sources []Source `json:"sources"`
	// Jobs and LastSeen are set for edges learnt from a job history: how
	// many jobs wrote To from From in the window, and the latest.
	Jobs     int64      `json:"jobs,omitempty"`
	LastSeen *time.Time `json:"last_seen,omitempty"`
}

// Graph is a dependency graph whose nodes are dataset names and, for
// tables outside the catalog, schema.table. Merge adds to it, so merge
// before sharing it between goroutines.
type Graph struct {
	datasets map[string]catalog.Dataset
	// byTable finds the dataset holding warehouse/schema.table, so an
	// edge to a table the catalog knows lands on its dataset.
	byTable map[string]string
	up      map[string][]string // node -> nodes it reads, sorted
	down    map[string][]string // node -> nodes reading it, sorted
	sources map[[2]string][]Source
	jobs    map[[2]string]warehouse.JobEdge // edges seen in job histories
}

// newGraph returns a graph of datasets without edges.
func newGraph(ds []catalog.Dataset) *Graph {
	g := &Graph{
		datasets: make(map[string]catalog.Dataset, len(ds)),
		byTable:  make(map[string]string, len(ds)),
		up:       make(map[string][]string, len(ds)),
		down:     make(map[string][]string, len(ds)),
		sources:  make(map[[2]string][]Source, len(ds)),
		jobs:     map[[2]string]warehouse.JobEdge{},
	}
	ambiguous := map[string]bool{}
	for _, d := range ds {
		if _, dup := g.datasets[d.Name]; dup {
			continue
		}
		g.datasets[d.Name] = d
		key := tableKey(d.Warehouse, d.Table)
		if _, taken := g.byTable[key]; taken {
			// Two datasets on one table name (in two databases, say):
			// an edge naming the table cannot tell which is meant.
			ambiguous[key] = true
		}
		g.byTable[key] = d.Name
	}
	for key := range ambiguous {
		delete(g.byTable, key)
	}
	return g
}

// tableKey identifies a table across warehouses.
func tableKey(warehouse, table string) string { return warehouse + "/" + table }

// Resolve returns the node for table in warehouse: the dataset holding
// it, or the table itself when the catalog does not know it.
func (g *Graph) Resolve(warehouse, table string) string {
	if name, ok := g.byTable[tableKey(warehouse, table)]; ok {
		return name
	}
	return table
}

// addEdge records that to reads from, learnt from src. Repeats only add
// their source.
func (g *Graph) addEdge(from, to string, src Source) {
	key := [2]string{from, to}
	srcs, known := g.sources[key]
	if !known {
		g.up[to] = insertSorted(g.up[to], from)
		g.down[from] = insertSorted(g.down[from], to)
	}
	if !slices.Contains(srcs, src) {
		g.sources[key] = insertSorted(srcs, src)
	}
}

// insertSorted inserts v into the sorted slice s.
func insertSorted[T ~string](s []T, v T) []T {
	i, _ := slices.BinarySearch(s, v)
	return slices.Insert(s, i, v)
}

// Dataset returns the dataset called name, if node name is one.
func (g *Graph) Dataset(name string) (catalog.Dataset, bool) {
	d, ok := g.datasets[name]
	return d, ok
}

// Has reports whether name is a node: a dataset or a table some edge names.
func (g *Graph) Has(name string) bool {
	_, ds := g.datasets[name]
	return ds || len(g.up[name]) > 0 || len(g.down[name]) > 0
}

// Upstream returns the nodes name reads directly, sorted.
func (g *Graph) Upstream(name string) []string { return slices.Clone(g.up[name]) }

// Downstream returns the nodes reading name directly, sorted.
func (g *Graph) Downstream(name string) []string { return slices.Clone(g.down[name]) }

// Sources returns where the edge from -> to was learnt, or nil if there
// is no such edge.
func (g *Graph) Sources(from, to string) []Source {
	return slices.Clone(g.sources[[2]string{from, to}])
}

// jobStats returns how many jobs wrote the edge, and the latest, when a
// job history showed it.
func (g *Graph) jobStats(from, to string) (int64, *time.Time) {
	e, ok := g.jobs[[2]string{from, to}]
	if !ok {
		return 0, nil
	}
	last := e.LastSeen
	return e.Jobs, &last
}

// EdgeCount returns the number of edges.
func (g *Graph) EdgeCount() int { return len(g.sources) }
