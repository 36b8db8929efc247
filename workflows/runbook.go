package workflows

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/dre-dev/dre/internal/catalog"
	"github.com/dre-dev/dre/runbooks"
)

// RunbookInput asks for one run of a runbook. It carries everything the
// run reads, so that it replays the very definition and catalog entries
// it started with: the parsed runbook, its inputs as text (defaults
// filled, see ResolveRunbookInputs), and the catalog datasets its steps
// name. Runbooks it calls travel in Callees, by name.
type RunbookInput struct {
	Runbook runbooks.Runbook `json:"runbook"`
	// Hash is runbooks.Hash of Runbook, for the DreRunbookHash attribute.
	Hash   string            `json:"hash"`
	Inputs map[string]string `json:"inputs"`
	// Dataset is the target: the value of the first input of type dataset.
	Dataset   string                      `json:"dataset"`
	Datasets  map[string]catalog.Dataset  `json:"datasets"`
	Callees   map[string]runbooks.Runbook `json:"callees,omitempty"`
	Requester string                      `json:"requester,omitempty"`
	// StartFrom, when set, is a top-level step ID: a retry runs it and the
	// steps after it, and takes the results of the steps before it from
	// Prior (the status of the failed run).
	StartFrom string      `json:"startFrom,omitempty"`
	Prior     []StepState `json:"prior,omitempty"`
	// FreezeApproved is set by a run that its dataset's SLO freeze held
	// and an owner approved, on the runbooks it calls: the dataset's name,
	// so that a callee on the same dataset is not held a second time. It
	// counts only in a child run (a client cannot start one).
	FreezeApproved string `json:"freezeApproved,omitempty"`
	// CallerRequester is set by a run on the runbooks it calls: whoever
	// asked for the outermost run (Requester is then the caller's run),
	// so that they cannot approve a called runbook's steps either. It
	// counts only in a child run.
	CallerRequester string `json:"callerRequester,omitempty"`
	// WarehouseKinds are the kinds of the configured warehouses by name
	// ("postgres", BigQueryKind), so that table and ident quote names the
	// way the warehouse a step runs on reads them.
	WarehouseKinds map[string]string `json:"warehouseKinds,omitempty"`
}

// RunbookApproveUpdate is the update that decides an approve step.
const RunbookApproveUpdate = "approve"

// RunbookApproval is the argument of RunbookApproveUpdate.
type RunbookApproval struct {
	// Step is the ID of the approve step that is waiting.
	Step string `json:"step"`
	// By is who decides: their person ID under people: in dre.yaml (for
	// unsigned decisions also a Slack user or group ID). The step's
	// approvers and the authz: rules say who may.
	By      string `json:"by"`
	Approve bool   `json:"approve"`
	// Proof proves By sent it: a signature over decision.Decision
	// {WorkflowID: the run's ID, Action: RunbookApproveUpdate, Target:
	// RunbookApprovalTarget(approval), Decider: By, At, Nonce}. Its fields
	// are inline in the JSON.
	Proof
}

// Run statuses, also written to the DreStatus search attribute.
const (
	RunbookRunning = "running"
	RunbookWaiting = "waiting" // an approval is pending
	RunbookOK      = "ok"
	RunbookFailed  = "failed"
)

// ErrRunbookFailed is the error type of a run that a failed step stopped;
// its details hold the RunbookStatus.
const ErrRunbookFailed = "RunbookFailed"

// Step states, as the status query reports them.
const (
	StepPending = "pending"
	StepRunning = "running"
	StepDone    = "done"
	StepFailed  = "failed"
	StepSkipped = "skipped"
)

// RunbookStatus is what the status query and the result report.
type RunbookStatus struct {
	Runbook string `json:"runbook"`
	Hash    string `json:"hash"`
	Dataset string `json:"dataset"`
	Status  string `json:"status"`
	// Steps lists every step, nested ones included, depth first.
	Steps []StepState `json:"steps"`
	// FailedStep is the step whose failure stopped the run.
	FailedStep string `json:"failedStep,omitempty"`
	Error      string `json:"error,omitempty"`
	// Hold, while the run waits for step slo-freeze, says why (the
	// dataset's SLO freeze) and how to approve; no step has run yet.
	Hold string `json:"hold,omitempty"`
}

// StepState is one step of a run.
type StepState struct {
	ID   string            `json:"id"`
	Name string            `json:"name"`
	Kind runbooks.StepKind `json:"kind"`
	// Depth is 0 for top-level steps, 1 inside a parallel branch or an
	// on_failure list, and so on.
	Depth  int        `json:"depth"`
	State  string     `json:"state"`
	Error  string     `json:"error,omitempty"`
	Result StepResult `json:"result"`
}

// StepResult holds the results a step of each kind reports (see
// runbooks.ResultFields) and its outputs.
type StepResult struct {
	Passed     bool           `json:"passed,omitempty"`
	Value      float64        `json:"value,omitempty"`
	Lag        time.Duration  `json:"lag,omitempty"`
	Rows       int64          `json:"rows,omitempty"`
	NullRate   float64        `json:"nullRate,omitempty"`
	Latest     string         `json:"latest,omitempty"`
	AsOf       string         `json:"asOf,omitempty"`
	Row        map[string]any `json:"row,omitempty"`
	Message    string         `json:"message,omitempty"`
	Channel    string         `json:"channel,omitempty"`
	Incident   string         `json:"incident,omitempty"`
	Approved   bool           `json:"approved,omitempty"`
	By         string         `json:"by,omitempty"`
	TimedOut   bool           `json:"timedOut,omitempty"`
	Polls      int            `json:"polls,omitempty"`
	Run        string         `json:"run,omitempty"`
	Partitions int            `json:"partitions,omitempty"`
	Outputs    map[string]any `json:"outputs,omitempty"`
}

// Runbook interprets a runbook: its steps run in order, each as an
// activity, a timer, an update-driven approval or a child workflow whose
// summary is the step's name, so the run reads like the runbook in the
// Temporal UI. The status query lists every step with its state and
// results; the approve update decides approve steps.
func Runbook(ctx workflow.Context, in RunbookInput) (RunbookStatus, error) {
	r, err := newRunbookRun(ctx, in)
	if err != nil {
		return RunbookStatus{}, temporal.NewNonRetryableApplicationError(err.Error(), ErrInvalidInput, nil)
	}
	r.guard.start(ctx)
	if err := r.register(ctx); err != nil {
		return RunbookStatus{}, err
	}
	if err := r.guard.load(ctx, r.in.Dataset); err != nil {
		return r.report(), err
	}
	if err := r.upsertAttributes(ctx); err != nil {
		return r.report(), err
	}
	if err := r.holdIfFrozen(ctx); err != nil {
		return r.report(), err
	}
	err = r.runList(ctx, r.in.Runbook.Steps)
	var stop *stepFailure
	switch {
	case errors.As(err, &stop):
		r.failedStep, r.errText = stop.step, stop.Error()
		r.setStatus(ctx, RunbookFailed)
		return r.report(), temporal.NewNonRetryableApplicationError(stop.Error(), ErrRunbookFailed, nil, r.report())
	case err != nil:
		return r.report(), err
	}
	r.setStatus(ctx, RunbookOK)
	return r.report(), nil
}

// stepFailure is a failed step whose on_failure stops the run.
type stepFailure struct {
	step string
	msg  string
}

func (e *stepFailure) Error() string { return fmt.Sprintf("step %s failed: %s", e.step, e.msg) }

// runList runs steps in order until one stops the run. Steps that are not
// pending were settled by an earlier run (a retry's prior steps).
func (r *runbookRun) runList(ctx workflow.Context, steps []runbooks.Step) error {
	for i := range steps {
		if r.byID[steps[i].ID].State != StepPending {
			continue
		}
		if err := r.runStep(ctx, &steps[i]); err != nil {
			return err
		}
	}
	return nil
}

// runStep runs one step: its when, its kind, its outputs, and on failure
// its on_failure policy.
func (r *runbookRun) runStep(ctx workflow.Context, s *runbooks.Step) error {
	st := r.byID[s.ID]
	if s.When != "" {
		ok, err := r.evalBool(s.When, nil)
		if err != nil {
			return r.fail(ctx, s, StepResult{}, err)
		}
		if !ok {
			st.State = StepSkipped
			return nil
		}
	}
	st.State = StepRunning
	res, err := r.execute(ctx, s)
	if temporal.IsCanceledError(err) {
		return err // the run is cancelled: no failure policy applies
	}
	if err != nil {
		return r.fail(ctx, s, res, err)
	}
	st.State, st.Result = StepDone, res
	if st.Result.Outputs, err = r.outputs(s); err != nil {
		return r.fail(ctx, s, res, err)
	}
	return nil
}

// execute runs the step's kind.
func (r *runbookRun) execute(ctx workflow.Context, s *runbooks.Step) (StepResult, error) {
	switch s.Kind {
	case runbooks.KindCheck:
		return r.check(ctx, s)
	case runbooks.KindSQL:
		return r.sql(ctx, s)
	case runbooks.KindNotify:
		return r.notify(ctx, s)
	case runbooks.KindPage:
		return r.page(ctx, s)
	case runbooks.KindApprove:
		return r.approve(ctx, s)
	case runbooks.KindWait:
		return r.wait(ctx, s)
	case runbooks.KindBackfill:
		return r.backfill(ctx, s)
	case runbooks.KindRunbook:
		return r.call(ctx, s)
	case runbooks.KindParallel:
		return StepResult{}, r.parallel(ctx, s)
	}
	return StepResult{}, fmt.Errorf("step %s has no known kind (%q); lint the runbook", s.ID, s.Kind)
}

// fail records a failed step and applies its on_failure: continue, stop,
// or run its steps and then stop or continue.
func (r *runbookRun) fail(ctx workflow.Context, s *runbooks.Step, res StepResult, err error) error {
	st := r.byID[s.ID]
	res.Outputs = nil // outputs are kept only for steps that succeeded
	st.State, st.Result, st.Error = StepFailed, res, failureText(err)
	switch s.OnFailure.Action {
	case runbooks.FailureContinue:
		return nil
	case runbooks.FailureSteps:
		if err := r.runList(ctx, s.OnFailure.Steps); err != nil {
			return err
		}
		if s.OnFailure.Then == runbooks.FailureContinue {
			return nil
		}
	}
	return &stepFailure{step: s.ID, msg: st.Error}
}

// failureText is the reason of a failure without the SDK's wrapping
// ("activity error (type: ..., scheduledEventID: ...)").
func failureText(err error) string {
	var app *temporal.ApplicationError
	if errors.As(err, &app) {
		return app.Message()
	}
	var timeout *temporal.TimeoutError
	if errors.As(err, &timeout) {
		return "timed out (" + strings.ToLower(strings.TrimPrefix(timeout.TimeoutType().String(), "TIMEOUT_TYPE_")) + ")"
	}
	return err.Error()
}

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
	hold        string // see RunbookStatus.Hold
	// freezeApproved is the dataset whose freeze an owner let this run
	// write through; the runbooks it calls inherit it.
	freezeApproved string
	// guard proves who decides approvals and applies the authz: policy;
	// its policy is nil in runs recorded before it.
	guard decisionGuard
}

// newRunbookRun checks the input and lays out the steps, taking the
// results of a retry's prior steps.
func newRunbookRun(ctx workflow.Context, in RunbookInput) (*runbookRun, error) {
	if len(in.Runbook.Steps) == 0 {
		return nil, fmt.Errorf("runbook %q has no steps; pass a parsed runbook", in.Runbook.Name)
	}
	if workflow.GetInfo(ctx).ParentWorkflowExecution == nil {
		in.CallerRequester = "" // a client cannot name someone else as the requester
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
		Steps: steps, FailedStep: r.failedStep, Error: r.errText, Hold: r.hold}
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
