package lineage

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/dre-dev/dre/internal/catalog"
	"github.com/dre-dev/dre/internal/warehouse"
)

// Build returns the graph of the datasets' declared upstream: entries. A
// cycle is a *CycleError naming the cycle and the dre.yaml entry that
// closes it; the graph is returned all the same, since walks stay finite.
func Build(ds []catalog.Dataset) (*Graph, error) {
	g := newGraph(ds)
	at := map[[2]string]string{}
	for i, d := range ds {
		for j, u := range d.Upstream {
			from := u
			if catalog.IsExternal(u) {
				from = g.Resolve(d.Warehouse, u)
			} else if u == d.Name {
				continue // catalog.Dataset.Validate reports it more plainly
			}
			g.addEdge(from, d.Name, declaredBy(d))
			key := [2]string{from, d.Name}
			if _, seen := at[key]; !seen {
				at[key] = fmt.Sprintf("datasets[%d].upstream[%d]", i, j)
			}
		}
	}
	return g, g.cycleError(at)
}

// declaredBy names who declared d's upstream: dbt's manifest, or dre.yaml.
func declaredBy(d catalog.Dataset) Source {
	if d.FromManifest {
		return Dbt
	}
	return Declared
}

// Check returns the problems of the datasets' lineage that checking one
// dataset cannot find: cycles, each placed at the upstream entry that
// closes it.
func Check(ds []catalog.Dataset) []catalog.Problem {
	_, err := Build(ds)
	var ce *CycleError
	if !errors.As(err, &ce) {
		return nil
	}
	out := make([]catalog.Problem, 0, len(ce.Cycles))
	for _, c := range ce.Cycles {
		out = append(out, catalog.Problem{Path: c.At, Message: c.message()})
	}
	return out
}

// TableEdge says that the table To reads the table From; both are
// schema.table in one warehouse.
type TableEdge struct {
	From string `json:"from"`
	To   string `json:"to"`
}

// Merge adds edges learnt from warehouse's own metadata to the graph,
// landing each table on the dataset that holds it when there is one. An
// edge already declared keeps both sources. A cycle the new edges close
// is a *CycleError.
func (g *Graph) Merge(warehouse string, edges []TableEdge, src Source) error {
	for _, e := range edges {
		from, to := g.Resolve(warehouse, e.From), g.Resolve(warehouse, e.To)
		if from != to {
			g.addEdge(from, to, src)
		}
	}
	return g.cycleError(nil)
}

// MergeJobs adds the edges of warehouse's job history (source
// BigQueryJobs), landing each table on the dataset holding it, keeping
// each edge's job count and latest job. Tables of other projects, named
// project.dataset.table, stay outside the catalog. A cycle the new edges
// close is a *CycleError, with the edges merged all the same: a job
// history can hold a restore that copied a table back.
func (g *Graph) MergeJobs(warehouse string, edges []warehouse.JobEdge) error {
	for _, e := range edges {
		from, to := g.Resolve(warehouse, e.From), g.Resolve(warehouse, e.To)
		if from == to {
			continue
		}
		g.addEdge(from, to, BigQueryJobs)
		key := [2]string{from, to}
		sum := g.jobs[key]
		sum.From, sum.To, sum.Jobs = from, to, sum.Jobs+e.Jobs
		if e.LastSeen.After(sum.LastSeen) {
			sum.LastSeen = e.LastSeen
		}
		g.jobs[key] = sum
	}
	return g.cycleError(nil)
}

// CycleError lists the cycles of a graph. Data cannot be computed from
// itself, so every cycle is a mistake in dre.yaml or the warehouse.
type CycleError struct {
	Cycles []Cycle
}

// Cycle is one cycle: Path runs downstream from a node back to itself.
type Cycle struct {
	Path []string
	// At is the dre.yaml path of the upstream entry closing the cycle,
	// like datasets[3].upstream[0]; "" when a merged edge closes it.
	At string
}

// message explains the cycle and what to do about it.
func (c Cycle) message() string {
	return fmt.Sprintf("upstream cycle %s: a table cannot be computed from itself; remove one of these upstream entries",
		strings.Join(c.Path, " -> "))
}

// Error lists every cycle.
func (e *CycleError) Error() string {
	msgs := make([]string, len(e.Cycles))
	for i, c := range e.Cycles {
		msgs[i] = c.message()
		if c.At != "" {
			msgs[i] = c.At + ": " + msgs[i]
		}
	}
	return strings.Join(msgs, "; ")
}

// cycleError returns the graph's cycles as a *CycleError, or nil. at
// places declared edges in dre.yaml.
func (g *Graph) cycleError(at map[[2]string]string) error {
	backs := g.backEdges()
	if len(backs) == 0 {
		return nil
	}
	ce := &CycleError{}
	for _, b := range backs {
		ce.Cycles = append(ce.Cycles, Cycle{Path: b.path, At: at[[2]string{b.from, b.to}]})
	}
	return ce
}

// backEdge is an edge from -> to that closes the cycle path.
type backEdge struct {
	from, to string
	path     []string
}

// backEdges runs a depth-first search downstream from every node in
// sorted order and returns the edges that reach a node still on the
// stack, each with the cycle it closes. Iterative, so a long chain of
// thousands of models cannot overflow the stack.
func (g *Graph) backEdges() []backEdge {
	const (
		unseen = iota
		onStack
		done
	)
	state := map[string]int{}
	var out []backEdge
	for _, root := range g.nodes() {
		if state[root] != unseen {
			continue
		}
		stack := []dfsFrame{{node: root}}
		state[root] = onStack
		for len(stack) > 0 {
			top := &stack[len(stack)-1]
			children := g.down[top.node]
			if top.next == len(children) {
				state[top.node] = done
				stack = stack[:len(stack)-1]
				continue
			}
			child := children[top.next]
			top.next++
			switch state[child] {
			case unseen:
				state[child] = onStack
				stack = append(stack, dfsFrame{node: child})
			case onStack:
				out = append(out, backEdge{from: top.node, to: child, path: cyclePath(stack, child)})
			}
		}
	}
	return out
}

// dfsFrame is a node on the depth-first search's stack and the index of
// its next child to visit.
type dfsFrame struct {
	node string
	next int
}

// cyclePath returns the stack from child to its top, then child again.
func cyclePath(stack []dfsFrame, child string) []string {
	var path []string
	for i := len(stack) - 1; i >= 0; i-- {
		path = append(path, stack[i].node)
		if stack[i].node == child {
			break
		}
	}
	slices.Reverse(path)
	return append(path, child)
}

// nodes returns every node, sorted.
func (g *Graph) nodes() []string {
	set := make(map[string]bool, len(g.datasets)+len(g.up))
	for n := range g.datasets {
		set[n] = true
	}
	for n := range g.up {
		set[n] = true
	}
	for n := range g.down {
		set[n] = true
	}
	out := make([]string, 0, len(set))
	for n := range set {
		out = append(out, n)
	}
	slices.Sort(out)
	return out
}
