package workflows

import (
	"fmt"
	"slices"
	"strings"

	"go.temporal.io/sdk/workflow"

	"github.com/dre-dev/dre/runbooks"
)

// runbookRun is the state of one run of the interpreter.
type runbookRun struct {
	in     RunbookInput
	inputs map[string]any // typed, as expressions see them
	// states lists every step depth first; byID finds them.
	states []*StepState
	byID   map[string]*StepState
	// zeroOutputs are the outputs of a step that did not succeed: zero
	// values of the types its output expressions have.
	zeroOutputs map[string]map[string]any
	waiting     map[string]*pendingApproval
	status      string
	failedStep  string
	errText     string
	workflowID  string
}

// newRunbookRun checks the input and lays out the steps, taking the
// results of a retry's prior steps.
func newRunbookRun(ctx workflow.Context, in RunbookInput) (*runbookRun, error) {
	if len(in.Runbook.Steps) == 0 {
		return nil, fmt.Errorf("runbook %q has no steps; pass a parsed runbook", in.Runbook.Name)
	}
	r, err := buildRun(in, workflow.GetInfo(ctx).WorkflowExecution.ID)
	if err != nil {
		return nil, err
	}
	if err := r.takePrior(); err != nil {
		return nil, err
	}
	r.computeZeroOutputs()
	return r, nil
}

// buildRun types the inputs and lays out the steps as pending.
func buildRun(in RunbookInput, workflowID string) (*runbookRun, error) {
	inputs, err := typedInputs(&in.Runbook, in.Inputs)
	if err != nil {
		return nil, err
	}
	r := &runbookRun{in: in, inputs: inputs, byID: map[string]*StepState{}, zeroOutputs: map[string]map[string]any{},
		waiting: map[string]*pendingApproval{}, status: RunbookRunning, workflowID: workflowID}
	r.layOut(in.Runbook.Steps, 0)
	return r, nil
}

// layOut adds a pending state for every step, depth first.
func (r *runbookRun) layOut(steps []runbooks.Step, depth int) {
	for i := range steps {
		s := &steps[i]
		st := &StepState{ID: s.ID, Name: s.Label(), Kind: s.Kind, Depth: depth, State: StepPending}
		r.states = append(r.states, st)
		r.byID[s.ID] = st
		if s.Parallel != nil {
			for _, branch := range s.Parallel.Branches {
				r.layOut(branch, depth+1)
			}
		}
		r.layOut(s.OnFailure.Steps, depth+1)
	}
}

// takePrior settles the steps before StartFrom with their prior states.
func (r *runbookRun) takePrior() error {
	if r.in.StartFrom == "" {
		return nil
	}
	top := r.in.Runbook.Steps
	at := slices.IndexFunc(top, func(s runbooks.Step) bool { return s.ID == r.in.StartFrom })
	if at < 0 {
		ids := make([]string, len(top))
		for i, s := range top {
			ids[i] = s.ID
		}
		return fmt.Errorf("cannot start from %q: it is not a top-level step of %s; top-level steps: %s", r.in.StartFrom, r.in.Runbook.Name, strings.Join(ids, ", "))
	}
	prior := map[string]StepState{}
	for _, st := range r.in.Prior {
		prior[st.ID] = st
	}
	before := &runbookRun{byID: map[string]*StepState{}}
	before.layOut(top[:at], 0)
	for _, b := range before.states {
		st := r.byID[b.ID]
		st.State = StepSkipped // never reached before: it stays so
		if p, ok := prior[b.ID]; ok && p.State != StepPending && p.State != StepRunning {
			st.State, st.Error, st.Result = p.State, p.Error, p.Result
		}
	}
	return nil
}

// register sets the status query and the approve update.
func (r *runbookRun) register(ctx workflow.Context) error {
	if err := workflow.SetQueryHandler(ctx, StatusQuery, func() (RunbookStatus, error) { return r.report(), nil }); err != nil {
		return err
	}
	return workflow.SetUpdateHandlerWithOptions(ctx, RunbookApproveUpdate, r.decide,
		workflow.UpdateHandlerOptions{Validator: r.validateApproval})
}

// report is the run's status with a copy of every step.
func (r *runbookRun) report() RunbookStatus {
	steps := make([]StepState, len(r.states))
	for i, st := range r.states {
		steps[i] = *st
	}
	return RunbookStatus{Runbook: r.in.Runbook.Name, Hash: r.in.Hash, Dataset: r.in.Dataset, Status: r.status,
		Steps: steps, FailedStep: r.failedStep, Error: r.errText}
}

// upsertAttributes makes the run findable: by kind, dataset, runbook,
// definition, status and requester.
func (r *runbookRun) upsertAttributes(ctx workflow.Context) error {
	return workflow.UpsertTypedSearchAttributes(ctx,
		KindKey.ValueSet(KindRunbook), DatasetKey.ValueSet(r.in.Dataset), RunbookKey.ValueSet(r.in.Runbook.Name),
		RunbookHashKey.ValueSet(r.in.Hash), StatusKey.ValueSet(r.status), RequesterKey.ValueSet(r.in.Requester))
}

// setStatus records a new run status and publishes it. A failed upsert
// only makes the UI stale, so it is logged, not fatal.
func (r *runbookRun) setStatus(ctx workflow.Context, status string) {
	if r.status == status {
		return
	}
	r.status = status
	if err := workflow.UpsertTypedSearchAttributes(ctx, StatusKey.ValueSet(status)); err != nil {
		workflow.GetLogger(ctx).Warn("runbook status not published", "status", status, "error", err)
	}
}
