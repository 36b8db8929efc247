// Package slosync keeps the SLO evaluators in step with dre.yaml, for
// dre slo schedule sync: one SLOEval workflow per dataset with SLOs, or,
// under slo.batch, one SLOBatchEval per batch of datasets that share an
// interval. A sync moves datasets between the two, and between batches,
// with their state, so that no dataset is evaluated twice or dropped.
package slosync

import (
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/dre-dev/dre/internal/catalog"
	"github.com/dre-dev/dre/workflows"
)

// Plan is where each dataset with SLOs is evaluated.
type Plan struct {
	PerDataset []catalog.Dataset
	Batches    []Batch
}

// Batch is one batch evaluator and its members, by name.
type Batch struct {
	Name     string
	Datasets []catalog.Dataset
}

// NewPlan places the datasets. Size 0 gives every dataset its own
// evaluator. Otherwise the datasets are grouped by their shortest SLO
// interval, and each stays in the batch it is in now (current maps a
// dataset to its batch's name) while that batch is of its group and has
// room; the others fill the group's batches with room, in name order,
// then new ones. Running it again on its own outcome changes nothing.
func NewPlan(datasets []catalog.Dataset, size int, current map[string]string) Plan {
	var p Plan
	if size <= 0 {
		p.PerDataset = datasets
		return p
	}
	groups := map[string][]catalog.Dataset{}
	for _, ds := range datasets {
		g := interval(ds)
		groups[g] = append(groups[g], ds)
	}
	for _, g := range slices.Sorted(maps.Keys(groups)) {
		p.Batches = append(p.Batches, place(g, groups[g], size, current)...)
	}
	return p
}

// place fills one interval group's batches.
func place(group string, datasets []catalog.Dataset, size int, current map[string]string) []Batch {
	members := map[string][]catalog.Dataset{}
	var homeless []catalog.Dataset
	for _, ds := range datasets {
		b, ok := current[ds.Name]
		if ok && batchGroup(b) == group && len(members[b]) < size {
			members[b] = append(members[b], ds)
			continue
		}
		homeless = append(homeless, ds)
	}
	for k := 0; len(homeless) > 0; k++ {
		name := workflows.SLOBatchName(group, k)
		room := size - len(members[name])
		if room <= 0 {
			continue
		}
		n := min(room, len(homeless))
		members[name] = append(members[name], homeless[:n]...)
		homeless = homeless[n:]
	}
	var out []Batch
	for _, name := range slices.Sorted(maps.Keys(members)) {
		out = append(out, Batch{Name: name, Datasets: members[name]})
	}
	return out
}

// interval is the dataset's shortest SLO interval, as dre.yaml writes it.
func interval(ds catalog.Dataset) string {
	shortest := time.Duration(0)
	for _, o := range ds.SLOs {
		if shortest == 0 || o.Interval.Duration < shortest {
			shortest = o.Interval.Duration
		}
	}
	return catalog.Duration{Duration: shortest}.String()
}

// batchGroup is the interval a batch name starts with.
func batchGroup(batch string) string {
	i := strings.LastIndexByte(batch, '-')
	if i < 0 {
		return ""
	}
	return batch[:i]
}
