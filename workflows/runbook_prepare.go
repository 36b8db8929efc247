package workflows

import (
	"fmt"
	"maps"
	"strings"

	"github.com/dre-dev/dre/internal/catalog"
	"github.com/dre-dev/dre/runbooks"
)

// RunbookSet is what runbook runs are prepared from: the loaded runbooks
// and the catalog whose datasets they name. Its users load it once (the
// gateway must not read files on every report) and prepare many runs.
type RunbookSet struct {
	// Runbooks are the runbooks a run may start from or call; when two
	// share a name the later one wins (lint reports the duplicate).
	Runbooks []*runbooks.Runbook
	Catalog  *catalog.Catalog
}

// RunbookRequest says which runbook to run, on what and for whom.
type RunbookRequest struct {
	Runbook string
	// Dataset, when set, is the value of the runbook's first input of type
	// dataset, which it overrides in Inputs.
	Dataset string
	// Inputs are input values by name, as text; missing ones take their
	// defaults.
	Inputs    map[string]string
	Requester string
}

// PrepareRunbook turns a request into a ready RunbookInput: the runbook's
// definition and hash, its inputs with defaults filled, the runbooks it
// calls (found by walking its parsed steps) and the catalog datasets it
// names. The CLI's dre runbook run and the triage's Run runbook button
// both prepare runs here, so that they carry the same things. It lives in
// workflows, not runbooks, because it makes this package's input and
// resolves inputs as the workflow reads them; it does no I/O.
func PrepareRunbook(set RunbookSet, req RunbookRequest) (RunbookInput, error) {
	known := runbooksByName(set.Runbooks)
	rb, ok := known[req.Runbook]
	if !ok {
		return RunbookInput{}, fmt.Errorf("unknown runbook %q; known runbooks: %s (add yours under ./runbooks or pass --runbooks)",
			req.Runbook, strings.Join(sortedKeys(known), ", "))
	}
	given, err := givenInputs(rb, req)
	if err != nil {
		return RunbookInput{}, err
	}
	inputs, err := ResolveRunbookInputs(rb, given)
	if err != nil {
		return RunbookInput{}, err
	}
	callees, err := runbooks.Callees(rb, known)
	if err != nil {
		return RunbookInput{}, err
	}
	datasets, err := namedDatasets(rb, callees, inputs, set.Catalog)
	if err != nil {
		return RunbookInput{}, err
	}
	return RunbookInput{Runbook: *rb, Hash: runbooks.Hash(rb), Inputs: inputs, Dataset: TargetDataset(rb, inputs),
		Datasets: datasets, Callees: callees, Requester: req.Requester}, nil
}

// runbooksByName indexes a set, the later of two namesakes winning.
func runbooksByName(set []*runbooks.Runbook) map[string]*runbooks.Runbook {
	known := make(map[string]*runbooks.Runbook, len(set))
	for _, rb := range set {
		known[rb.Name] = rb
	}
	return known
}

// givenInputs are the request's inputs with its dataset on the runbook's
// first dataset input.
func givenInputs(rb *runbooks.Runbook, req RunbookRequest) (map[string]string, error) {
	given := make(map[string]string, len(req.Inputs)+1)
	maps.Copy(given, req.Inputs)
	if req.Dataset == "" {
		return given, nil
	}
	for _, in := range rb.Inputs {
		if in.Type == runbooks.TypeDataset {
			given[in.Name] = req.Dataset
			return given, nil
		}
	}
	return nil, fmt.Errorf("runbook %s has no dataset input; drop --dataset", rb.Name)
}

// namedDatasets returns the catalog datasets a run may use: the values of
// its dataset inputs, which must be in the catalog, and every dataset
// whose name is a word of the runbook or of one it calls.
func namedDatasets(rb *runbooks.Runbook, callees map[string]runbooks.Runbook, inputs map[string]string, cat *catalog.Catalog) (map[string]catalog.Dataset, error) {
	out := map[string]catalog.Dataset{}
	for _, in := range rb.Inputs {
		if v := inputs[in.Name]; in.Type == runbooks.TypeDataset && v != "" {
			ds, err := cat.Lookup(v)
			if err != nil {
				return nil, err
			}
			out[v] = ds
		}
	}
	words := runbooks.Words(rb)
	for _, callee := range callees {
		for w := range runbooks.Words(&callee) {
			words[w] = true
		}
	}
	for _, ds := range cat.Datasets() {
		if words[ds.Name] {
			out[ds.Name] = ds
		}
	}
	return out, nil
}
