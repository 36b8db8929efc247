package workflows

import (
	"context"
	"fmt"
	"maps"
	"strings"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/dre-dev/dre/internal/catalog"
	"github.com/dre-dev/dre/runbooks"
)

// RunbookWorkflowName is the registered name of the runbook interpreter;
// triage and runbook steps start it as a child by this name.
const RunbookWorkflowName = "Runbook"

// KindRunbook is the DreKind of runbook runs.
const KindRunbook = "runbook"

// RunbookWorkflowID is the ID of a run: runbook/<name>/<dataset>/<key>,
// where key is unique per run and chosen by the caller (the CLI uses the
// start time). A called runbook runs as <parent ID>/<step ID>.
func RunbookWorkflowID(name, dataset, key string) string {
	if dataset == "" {
		dataset = "-"
	}
	return "runbook/" + name + "/" + dataset + "/" + key
}

// StartRunbook starts the run id (see RunbookWorkflowID); an ID in use
// fails.
func StartRunbook(ctx context.Context, c Starter, taskQueue, id string, in RunbookInput) (client.WorkflowRun, error) {
	return c.ExecuteWorkflow(ctx, RunbookStartOptions(taskQueue, id, in), RunbookWorkflowName, in)
}

// RunbookStartOptions makes the run findable and readable in the UI.
func RunbookStartOptions(taskQueue, id string, in RunbookInput) client.StartWorkflowOptions {
	summary := fmt.Sprintf("Runbook %s on %s", in.Runbook.Name, orText(in.Dataset, "-"))
	if in.StartFrom != "" {
		summary += ", retried from " + in.StartFrom
	}
	return client.StartWorkflowOptions{
		ID:                       id,
		TaskQueue:                orDefaultQueue(taskQueue),
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_FAIL,
		StaticSummary:            summary,
		StaticDetails:            fmt.Sprintf("%s\n\nRequested by %s; definition `%.12s` from %s.", in.Runbook.Description, in.Requester, in.Hash, in.Runbook.Source.File),
		TypedSearchAttributes: temporal.NewSearchAttributes(
			KindKey.ValueSet(KindRunbook), DatasetKey.ValueSet(in.Dataset),
			RunbookKey.ValueSet(in.Runbook.Name), RunbookHashKey.ValueSet(in.Hash),
			StatusKey.ValueSet(RunbookRunning), RequesterKey.ValueSet(in.Requester),
		),
	}
}

// RunbookSet is what runbook runs are prepared from: the loaded runbooks
// and the catalog whose datasets they name. Its users load it once (the
// gateway must not read files on every report) and prepare many runs.
type RunbookSet struct {
	// Runbooks are the runbooks a run may start from or call; when two
	// share a name the later one wins (lint reports the duplicate).
	Runbooks []*runbooks.Runbook
	Catalog  *catalog.Catalog
	// WarehouseKinds are the configured warehouses' kinds by name
	// (RunbookInput.WarehouseKinds).
	WarehouseKinds map[string]string
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
		Datasets: datasets, WarehouseKinds: set.WarehouseKinds, Callees: callees, Requester: req.Requester}, nil
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

// PlannedStep is one step of a dry run: what it would do, with the
// templates rendered from the inputs (results of earlier steps are not
// known yet, so they render as zero values).
type PlannedStep struct {
	Depth  int
	ID     string
	Name   string
	Kind   runbooks.StepKind
	When   string
	Detail []string
}

// PlanRunbook describes what a run of in would do, running nothing. It
// is not workflow code; `dre runbook run --dry-run` prints it.
func PlanRunbook(in RunbookInput) ([]PlannedStep, error) {
	r, err := buildRun(in, RunbookWorkflowID(in.Runbook.Name, in.Dataset, "dry-run"))
	if err != nil {
		return nil, err
	}
	r.computeZeroOutputs()
	var plan []PlannedStep
	for _, s := range allSteps(in.Runbook.Steps) {
		st := r.byID[s.ID]
		plan = append(plan, PlannedStep{Depth: st.Depth, ID: s.ID, Name: s.Label(), Kind: s.Kind, When: s.When, Detail: r.detail(s)})
	}
	return plan, nil
}

// detail renders what a step would do.
func (r *runbookRun) detail(s *runbooks.Step) []string {
	t := func(text string) string {
		out, err := r.render(text)
		if err != nil {
			return fmt.Sprintf("%s (does not render yet: %v)", text, err)
		}
		return out
	}
	switch {
	case s.Check != nil:
		return checkDetail(s.Check, t)
	case s.SQL != nil:
		where := s.SQL.Warehouse
		if where == "" {
			where = "the warehouse of " + t(s.SQL.Dataset)
		}
		lines := []string{"SQL on " + where + ": " + strings.TrimSpace(t(s.SQL.Statement))}
		if len(s.SQL.Params) > 0 {
			lines = append(lines, "params $1.. = "+strings.Join(s.SQL.Params, ", "))
		}
		return lines
	case s.Notify != nil:
		return []string{"Slack " + r.ownerLabel(t(s.Notify.Channel), func(o ownerInfo) string { return o.SlackChannel }) + ": " + t(s.Notify.Text)}
	case s.Page != nil:
		service := r.ownerLabel(t(s.Page.Service), func(o ownerInfo) string { return o.PagerDutyService })
		return []string{fmt.Sprintf("page %s (%s): %s", service, s.Page.Severity, t(s.Page.Summary))}
	case s.Approve != nil:
		a := s.Approve
		return []string{fmt.Sprintf("approval by %s within %s, else %s: %s", strings.Join(a.Approvers, ", "), t(a.Timeout), a.Default, t(a.Prompt))}
	case s.Wait != nil && s.Wait.Until != nil:
		return append([]string{fmt.Sprintf("poll every %s, for at most %s:", t(s.Wait.Every), t(s.Timeout))}, checkDetail(s.Wait.Until, t)...)
	case s.Wait != nil:
		return []string{"wait " + t(s.Wait.Duration)}
	case s.Backfill != nil:
		return []string{fmt.Sprintf("backfill %s from %s to %s", t(s.Backfill.Dataset), s.Backfill.From, s.Backfill.To)}
	case s.Call != nil:
		var ins []string
		for _, k := range sortedKeys(s.Call.Inputs) {
			ins = append(ins, k+"="+s.Call.Inputs[k])
		}
		return []string{fmt.Sprintf("run runbook %s (%s)", s.Call.Runbook, strings.Join(ins, ", "))}
	case s.Parallel != nil:
		return []string{fmt.Sprintf("%d branches at once", len(s.Parallel.Branches))}
	}
	return nil
}

// ownerLabel shows "owner" with what it stands for.
func (r *runbookRun) ownerLabel(target string, get func(ownerInfo) string) string {
	if target != "owner" {
		return target
	}
	v, err := r.ownerField("", get)
	if err != nil {
		return "owner (unknown: " + failureText(err) + ")"
	}
	return v + " (owner)"
}

func checkDetail(c *runbooks.CheckStep, t func(string) string) []string {
	lines := []string{fmt.Sprintf("%s check of %s", c.Check, t(c.Dataset))}
	if c.SQL != "" {
		lines = append(lines, "SQL: "+strings.TrimSpace(t(c.SQL)))
	}
	if c.Expect != "" {
		lines = append(lines, "expect "+c.Expect)
	}
	return lines
}
