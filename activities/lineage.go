package activities

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	"go.temporal.io/sdk/temporal"

	"github.com/dre-dev/dre/internal/catalog"
	"github.com/dre-dev/dre/internal/lineage"
	"github.com/dre-dev/dre/internal/warehouse"
)

// viewDependencyReader is a warehouse that records what its views read
// (PostgreSQL does, in pg_depend).
type viewDependencyReader interface {
	ViewDependencies(ctx context.Context) ([]warehouse.Dependency, error)
}

// Lineage answers lineage questions for workflows: from the worker's own
// catalog (so every way of starting a workflow gets the same answer) and
// from what warehouses know without being told.
type Lineage struct {
	Warehouses warehouseSource
	// Catalog is the worker's dre.yaml catalog; nil knows no lineage.
	Catalog *catalog.Catalog

	once  sync.Once
	graph *lineage.Graph
}

// DownstreamDatasets returns every catalog dataset computed from dataset,
// at any depth, sorted by name; none when the catalog does not know it.
func (l *Lineage) DownstreamDatasets(_ context.Context, dataset string) ([]catalog.Dataset, error) {
	return l.catalogGraph().DownstreamDatasets(dataset), nil
}

// catalogGraph builds the declared lineage of the worker's catalog once.
func (l *Lineage) catalogGraph() *lineage.Graph {
	l.once.Do(func() {
		// dre.yaml with a cycle does not load, so the error is always nil.
		l.graph, _ = lineage.Build(l.Catalog.Datasets())
	})
	return l.graph
}

// NeighbourhoodInput asks for the lineage around a dataset.
type NeighbourhoodInput struct {
	Dataset string `json:"dataset"`
	// Depth is how many edges to walk each way; 0 means 2.
	Depth int `json:"depth,omitempty"`
}

// Neighbourhood draws the datasets within Depth edges of Dataset, upstream
// and downstream, as a Mermaid flowchart (a postmortem shows it); "" when
// the catalog declares no lineage around the dataset.
func (l *Lineage) Neighbourhood(_ context.Context, in NeighbourhoodInput) (string, error) {
	g := l.catalogGraph()
	if !g.Has(in.Dataset) {
		return "", nil
	}
	depth := in.Depth
	if depth <= 0 {
		depth = 2
	}
	sg, err := g.Walk(in.Dataset, lineage.Both, depth)
	if err != nil || len(sg.Edges) == 0 {
		return "", err
	}
	var b strings.Builder
	if err := lineage.Render(&b, sg, "mermaid"); err != nil {
		return "", err
	}
	return b.String(), nil
}

// ViewDependenciesInput names the warehouse to read.
type ViewDependenciesInput struct {
	Warehouse string `json:"warehouse"`
}

// ViewDependencies returns what each view of the warehouse reads, as edges
// between schema.table names for lineage.Graph.Merge. A warehouse that
// keeps no such record is a non-retryable error naming it.
func (l *Lineage) ViewDependencies(ctx context.Context, in ViewDependenciesInput) ([]lineage.TableEdge, error) {
	w, err := l.Warehouses.Warehouse(ctx, in.Warehouse)
	var unknown *warehouse.UnknownWarehouseError
	if errors.As(err, &unknown) {
		return nil, temporal.NewNonRetryableApplicationError(err.Error(), errUnknownWarehouse, err)
	}
	if err != nil {
		return nil, err
	}
	return ReadViewDependencies(ctx, in.Warehouse, w)
}

// ReadViewDependencies reads w's view dependencies as lineage edges; the
// CLI calls it directly, the worker through the activity.
func ReadViewDependencies(ctx context.Context, name string, w warehouse.Warehouse) ([]lineage.TableEdge, error) {
	reader, ok := w.(viewDependencyReader)
	if !ok {
		err := fmt.Errorf("warehouse %q does not record what its views read; only PostgreSQL warehouses do", name)
		return nil, temporal.NewNonRetryableApplicationError(err.Error(), errInvalidInput, err)
	}
	deps, err := reader.ViewDependencies(ctx)
	if err != nil {
		return nil, fmt.Errorf("warehouse %s: %w", name, err)
	}
	edges := make([]lineage.TableEdge, len(deps))
	for i, d := range deps {
		edges[i] = lineage.TableEdge{From: d.Read.String(), To: d.Reader.String()}
	}
	return edges, nil
}

// CascadeDatasets returns root and every dataset downstream of it in
// dependency order, from the worker's catalog, for a cascading backfill.
// A root the catalog does not hold is a non-retryable error.
func (l *Lineage) CascadeDatasets(_ context.Context, root string) ([]lineage.CascadeNode, error) {
	if l.Catalog == nil {
		err := errors.New("the worker has no catalog (dre.yaml), so it knows no lineage to cascade along")
		return nil, temporal.NewNonRetryableApplicationError(err.Error(), errInvalidInput, err)
	}
	l.once.Do(func() {
		// dre.yaml with a cycle does not load, so the error is always nil.
		l.graph, _ = lineage.Build(l.Catalog.Datasets())
	})
	nodes, err := l.graph.Cascade(root)
	if err != nil {
		return nil, temporal.NewNonRetryableApplicationError(err.Error(), errInvalidInput, err)
	}
	return nodes, nil
}
