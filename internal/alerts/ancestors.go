package alerts

import "github.com/dre-dev/dre/internal/catalog"

// maxAncestors bounds how many upstream datasets an alert may try to join,
// so a deep warehouse graph cannot make one delivery slow.
const maxAncestors = 50

// Ancestors returns the catalog datasets ds is computed from, at any depth,
// nearest first and, at one depth, in the order the upstream: entries list
// them: the incidents a downstream alert may join. Upstream tables outside
// the catalog have no incident and are passed through, not returned.
func (m *Mapper) Ancestors(ds catalog.Dataset) []catalog.Dataset {
	seen := map[string]bool{ds.Name: true}
	var out []catalog.Dataset
	frontier := []catalog.Dataset{ds}
	for len(frontier) > 0 && len(out) < maxAncestors {
		var next []catalog.Dataset
		for _, d := range frontier {
			for _, up := range m.upstreamOf(d) {
				if seen[up.Name] {
					continue
				}
				seen[up.Name] = true
				out = append(out, up)
				next = append(next, up)
			}
		}
		frontier = next
	}
	return out[:min(len(out), maxAncestors)]
}

// upstreamOf returns d's upstream: entries that are catalog datasets, by
// name or, for a schema.table entry, by table in d's warehouse.
func (m *Mapper) upstreamOf(d catalog.Dataset) []catalog.Dataset {
	var out []catalog.Dataset
	for _, u := range d.Upstream {
		if up, err := m.catalog.Lookup(u); err == nil {
			out = append(out, up)
			continue
		}
		for _, up := range m.tables[normalTable(u)] {
			if up.Warehouse == d.Warehouse {
				out = append(out, up)
			}
		}
	}
	return out
}
