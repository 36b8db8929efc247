package workflows

import (
	"errors"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/dre-dev/dre/internal/catalog"
	"github.com/dre-dev/dre/runbooks"
)

// prepareSet is a fix runbook that calls count twice (once from a
// parallel branch) and tidy from a failure handler, over a catalog of
// four datasets.
func prepareSet(t *testing.T) RunbookSet {
	t.Helper()
	files := map[string]string{
		"fix.yaml": `name: fix
inputs:
  - {name: dataset, type: dataset, required: true}
  - {name: limit, type: int, default: "10"}
  - {name: note, type: string}
steps:
  - id: count
    runbook: {name: count, inputs: {dataset: inputs.dataset}}
  - id: both
    parallel:
      branches:
        - - {id: again, runbook: {name: count, inputs: {dataset: inputs.dataset}}}
    on_failure:
      steps:
        - {id: tidy, runbook: {name: tidy}}
`,
		"count.yaml": `name: count
inputs:
  - {name: dataset, type: dataset, required: true}
steps:
  - id: rows
    sql: {warehouse: local, statement: "SELECT count(*) FROM {{ table \"customers\" }}"}
`,
		"tidy.yaml":  "name: tidy\ninputs:\n  - {name: scratch, type: string, default: scratch_rows}\nsteps:\n  - {id: done, notify: {channel: '#x', text: tidied}}\n",
		"loop.yaml":  "name: loop\nsteps:\n  - {id: again, runbook: {name: loop}}\n",
		"stray.yaml": "name: stray\nsteps:\n  - {id: lost, runbook: {name: nowhere}}\n",
	}
	set := RunbookSet{Catalog: catalog.New([]catalog.Dataset{
		{Name: "orders", Table: "public.orders"}, {Name: "customers", Table: "public.customers"},
		{Name: "scratch_rows", Table: "public.scratch"}, {Name: "payments", Table: "public.payments"},
	})}
	for _, file := range slices.Sorted(maps.Keys(files)) {
		rb, err := runbooks.Parse(file, []byte(files[file]))
		if err != nil {
			t.Fatalf("%s does not parse: %v", file, err)
		}
		set.Runbooks = append(set.Runbooks, rb)
	}
	return set
}

func TestPrepareRunbookCarriesWhatTheRunNeeds(t *testing.T) {
	set := prepareSet(t)
	in, err := PrepareRunbook(set, RunbookRequest{Runbook: "fix", Dataset: "orders",
		Inputs: map[string]string{"dataset": "payments", "note": "by hand"}, Requester: "tester"})
	if err != nil {
		t.Fatal(err)
	}
	if in.Runbook.Name != "fix" || in.Hash != runbooks.Hash(&in.Runbook) || in.Dataset != "orders" || in.Requester != "tester" {
		t.Errorf("input %s/%.12s on %s for %s; want fix, its hash, orders, tester", in.Runbook.Name, in.Hash, in.Dataset, in.Requester)
	}
	if want := map[string]string{"dataset": "orders", "limit": "10", "note": "by hand"}; !maps.Equal(in.Inputs, want) {
		t.Errorf("inputs %v, want %v (the dataset overrides --input, defaults filled)", in.Inputs, want)
	}
	if got, want := slices.Sorted(maps.Keys(in.Callees)), []string{"count", "tidy"}; !slices.Equal(got, want) {
		t.Errorf("callees %v, want %v", got, want)
	}
	// orders is the input, customers is in count's SQL, scratch_rows is
	// tidy's default; payments is named nowhere.
	if got, want := slices.Sorted(maps.Keys(in.Datasets)), []string{"customers", "orders", "scratch_rows"}; !slices.Equal(got, want) {
		t.Errorf("datasets %v, want %v", got, want)
	}
	if in.Datasets["customers"].Table != "public.customers" {
		t.Errorf("datasets carry the wrong entries: %+v", in.Datasets)
	}
}

func TestPrepareRunbookRefusesBadRequests(t *testing.T) {
	for _, tt := range []struct {
		name string
		req  RunbookRequest
		want string
	}{
		{"unknown runbook", RunbookRequest{Runbook: "fixx", Dataset: "orders"}, `unknown runbook "fixx"; known runbooks: count, fix, loop, stray, tidy`},
		{"unknown dataset", RunbookRequest{Runbook: "fix", Dataset: "ordres"}, `"ordres"`},
		{"no dataset input", RunbookRequest{Runbook: "tidy", Dataset: "orders"}, "runbook tidy has no dataset input"},
		{"unknown input", RunbookRequest{Runbook: "fix", Dataset: "orders", Inputs: map[string]string{"limt": "3"}}, `runbook fix has no input "limt"`},
		{"missing input", RunbookRequest{Runbook: "fix"}, "runbook fix needs input dataset"},
		{"call loop", RunbookRequest{Runbook: "loop"}, "runbooks call each other in a loop: loop → loop"},
		{"unknown callee", RunbookRequest{Runbook: "stray"}, `unknown runbook "nowhere"`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			in, err := PrepareRunbook(prepareSet(t), tt.req)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want one saying %q", err, tt.want)
			}
			if in.Runbook.Name != "" || in.Datasets != nil {
				t.Errorf("a refused request gave an input: %+v", in)
			}
		})
	}
}

func TestPrepareRunbookUnknownDatasetSuggests(t *testing.T) {
	_, err := PrepareRunbook(prepareSet(t), RunbookRequest{Runbook: "fix", Dataset: "ordres"})
	var unknown *catalog.UnknownDatasetError
	if !errors.As(err, &unknown) || !slices.Contains(unknown.Suggestions, "orders") {
		t.Errorf("error %v, want an unknown dataset error suggesting orders", err)
	}
}
