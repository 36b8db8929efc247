package lineage

import (
	"fmt"
	"slices"

	"github.com/dre-dev/dre/internal/catalog"
)

// CascadeNode is one dataset of a cascade: a dataset and the datasets of
// the same cascade it reads, directly or through tables outside the
// catalog (an external view between two models, say).
type CascadeNode struct {
	Dataset  catalog.Dataset `json:"dataset"`
	Upstream []string        `json:"upstream,omitempty"`
}

// Cascade returns root and every dataset downstream of it in dependency
// order: each dataset after all the datasets of the cascade it reads,
// ties broken by name so the order is stable. Tables outside the catalog
// are passed through, not listed: nothing can rewrite them.
func (g *Graph) Cascade(root string) ([]CascadeNode, error) {
	if _, ok := g.datasets[root]; !ok {
		return nil, fmt.Errorf("%q is not a dataset of the catalog", root)
	}
	in := map[string]bool{root: true}
	for _, d := range g.DownstreamDatasets(root) {
		in[d.Name] = true
	}
	ups := map[string][]string{}
	for name := range in {
		ups[name] = g.cascadeUpstream(name, in)
	}
	order, err := topoOrder(root, ups)
	if err != nil {
		return nil, err
	}
	out := make([]CascadeNode, len(order))
	for i, name := range order {
		out[i] = CascadeNode{Dataset: g.datasets[name], Upstream: ups[name]}
	}
	return out, nil
}

// cascadeUpstream is what name reads among the datasets in the cascade,
// walking up through tables the catalog does not hold, sorted.
func (g *Graph) cascadeUpstream(name string, in map[string]bool) []string {
	var out []string
	seen := map[string]bool{}
	stack := slices.Clone(g.up[name])
	for len(stack) > 0 {
		n := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if seen[n] {
			continue
		}
		seen[n] = true
		switch _, isDataset := g.datasets[n]; {
		case in[n]:
			out = append(out, n)
		case !isDataset:
			stack = append(stack, g.up[n]...)
		}
	}
	slices.Sort(out)
	return out
}

// topoOrder orders the nodes of ups so that each comes after what it
// reads (Kahn's algorithm, the smallest ready name first).
func topoOrder(root string, ups map[string][]string) ([]string, error) {
	waiting := map[string]int{}
	readers := map[string][]string{}
	for n, us := range ups {
		waiting[n] = len(us)
		for _, u := range us {
			readers[u] = append(readers[u], n)
		}
	}
	ready := []string{}
	for n, w := range waiting {
		if w == 0 {
			ready = append(ready, n)
		}
	}
	var order []string
	for len(ready) > 0 {
		slices.Sort(ready)
		n := ready[0]
		ready = ready[1:]
		order = append(order, n)
		for _, r := range readers[n] {
			if waiting[r]--; waiting[r] == 0 {
				ready = append(ready, r)
			}
		}
	}
	if len(order) != len(ups) || order[0] != root {
		return nil, fmt.Errorf("the datasets downstream of %s form a cycle; fix the upstream: entries in dre.yaml (dre catalog validate)", root)
	}
	return order, nil
}
