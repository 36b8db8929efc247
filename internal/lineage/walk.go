package lineage

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/dre-dev/dre/internal/catalog"
)

// Direction says which way a walk goes.
type Direction string

// The directions of a walk.
const (
	Up   Direction = "upstream"   // towards what a node reads
	Down Direction = "downstream" // towards what reads a node
	Both Direction = "both"       // both ways, each walked separately
)

// Node is a node reached by a walk.
type Node struct {
	Name string `json:"name"`
	// Depth is how many edges away from the root the node is, negative
	// upstream and positive downstream; the root is 0.
	Depth int `json:"depth"`
	// Table and Warehouse are the dataset's; external tables have only
	// Table, which is their name.
	Table     string `json:"table"`
	Warehouse string `json:"warehouse,omitempty"`
	External  bool   `json:"external,omitempty"`
	Owner     string `json:"owner,omitempty"`
}

// Subgraph is a root and the nodes and edges within some depth of it.
type Subgraph struct {
	Root  string `json:"root"`
	Nodes []Node `json:"nodes"` // the root first, then by depth and name
	Edges []Edge `json:"edges"` // sorted by from, then to
}

// Walk returns the nodes within depth edges of root in direction dir
// (depth 0: no limit) and the edges between them along the walk.
func (g *Graph) Walk(root string, dir Direction, depth int) (Subgraph, error) {
	if !g.Has(root) {
		return Subgraph{}, fmt.Errorf("%q is neither a dataset nor a table any upstream: entry names", root)
	}
	if depth < 0 {
		return Subgraph{}, fmt.Errorf("depth %d is negative; use 0 for no limit", depth)
	}
	sg := Subgraph{Root: root, Nodes: []Node{g.node(root, 0)}}
	if dir == Up || dir == Both {
		g.walkOne(&sg, g.up, -1, depth)
	}
	if dir == Down || dir == Both {
		g.walkOne(&sg, g.down, 1, depth)
	}
	slices.SortFunc(sg.Nodes[1:], func(a, b Node) int {
		if a.Depth != b.Depth {
			return a.Depth - b.Depth
		}
		return cmp.Compare(a.Name, b.Name)
	})
	slices.SortFunc(sg.Edges, func(a, b Edge) int {
		if c := cmp.Compare(a.From, b.From); c != 0 {
			return c
		}
		return cmp.Compare(a.To, b.To)
	})
	// An edge is crossed twice only on a cycle walked both ways.
	sg.Edges = slices.CompactFunc(sg.Edges, func(a, b Edge) bool { return a.From == b.From && a.To == b.To })
	return sg, nil
}

// walkOne walks breadth first along next from sg.Root, sign giving the
// depth's sign, adding each node at its shortest distance and every edge
// between visited nodes it crosses.
func (g *Graph) walkOne(sg *Subgraph, next map[string][]string, sign, depth int) {
	seen := map[string]bool{sg.Root: true}
	frontier := []string{sg.Root}
	for level := 1; len(frontier) > 0 && (depth == 0 || level <= depth); level++ {
		var following []string
		for _, n := range frontier {
			for _, m := range next[n] {
				sg.Edges = append(sg.Edges, g.edge(n, m, sign))
				if seen[m] {
					continue
				}
				seen[m] = true
				following = append(following, m)
				sg.Nodes = append(sg.Nodes, g.node(m, sign*level))
			}
		}
		frontier = following
	}
}

// edge returns the edge between n and its neighbour m, upstream first.
func (g *Graph) edge(n, m string, sign int) Edge {
	from, to := n, m
	if sign < 0 {
		from, to = m, n
	}
	e := Edge{From: from, To: to, Sources: g.Sources(from, to)}
	e.Jobs, e.LastSeen = g.jobStats(from, to)
	return e
}

// node describes name at depth.
func (g *Graph) node(name string, depth int) Node {
	d, ok := g.datasets[name]
	if !ok {
		return Node{Name: name, Depth: depth, Table: name, External: true}
	}
	return Node{Name: name, Depth: depth, Table: d.Table, Warehouse: d.Warehouse, Owner: ownerOf(d)}
}

// ownerOf names who answers for d: its team, else its Slack channel.
func ownerOf(d catalog.Dataset) string {
	if d.Owner.Team != "" {
		return d.Owner.Team
	}
	return d.Owner.SlackChannel
}

// DownstreamDatasets returns every dataset downstream of name, at any
// depth, sorted by name: the tables a change to name can reach.
func (g *Graph) DownstreamDatasets(name string) []catalog.Dataset {
	sg, err := g.Walk(name, Down, 0)
	if err != nil {
		return nil
	}
	var out []catalog.Dataset
	for _, n := range sg.Nodes[1:] {
		if d, ok := g.datasets[n.Name]; ok {
			out = append(out, d)
		}
	}
	slices.SortFunc(out, func(a, b catalog.Dataset) int { return cmp.Compare(a.Name, b.Name) })
	return out
}
