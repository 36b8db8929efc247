package workflows

import (
	"fmt"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/dre-dev/dre/internal/catalog"
	"github.com/dre-dev/dre/runbooks"
)

// childCtx gives a child workflow its ID, the step's summary, its timeout
// and retries.
func (r *runbookRun) childCtx(ctx workflow.Context, s *runbooks.Step, id, summary string) (workflow.Context, error) {
	timeout, err := r.stepTimeout(s, 0)
	if err != nil {
		return nil, err
	}
	return workflow.WithChildOptions(ctx, workflow.ChildWorkflowOptions{
		WorkflowID: id, StaticSummary: summary, WorkflowExecutionTimeout: timeout, RetryPolicy: retryPolicy(s),
	}), nil
}

// backfill runs the Backfill workflow as a child, by name, so that this
// package needs nothing of it but its input.
func (r *runbookRun) backfill(ctx workflow.Context, s *runbooks.Step) (StepResult, error) {
	b := s.Backfill
	ds, err := r.dataset(b.Dataset)
	if err != nil {
		return StepResult{}, err
	}
	from, err := r.evalDate(b.From)
	if err != nil {
		return StepResult{}, err
	}
	to, err := r.evalDate(b.To)
	if err != nil {
		return StepResult{}, err
	}
	id := BackfillWorkflowID(ds.Name)
	cctx, err := r.childCtx(ctx, s, id, s.Label())
	if err != nil {
		return StepResult{}, err
	}
	in := BackfillInput{Dataset: ds, From: from, To: to, Requester: r.workflowID}
	// Only the partition count is read, so the backfill's result type
	// can evolve without this package.
	var out struct {
		Partitions int `json:"partitions"`
	}
	err = workflow.ExecuteChildWorkflow(cctx, BackfillWorkflowName, in).Get(ctx, &out)
	return StepResult{Run: id, Partitions: out.Partitions}, err
}

// evalDate evaluates an expression giving a YYYY-MM-DD date.
func (r *runbookRun) evalDate(expression string) (time.Time, error) {
	v, err := r.eval(expression, nil)
	if err != nil {
		return time.Time{}, err
	}
	text, _ := v.(string)
	d, err := catalog.ParseDate(text)
	if err != nil {
		return time.Time{}, fmt.Errorf("%s gave %v, want a YYYY-MM-DD date: %w", expression, v, err)
	}
	return d.Time(), nil
}

// call runs another runbook as a child Runbook workflow, with the
// definition the caller passed in Callees.
func (r *runbookRun) call(ctx workflow.Context, s *runbooks.Step) (StepResult, error) {
	c := s.Call
	callee, ok := r.in.Callees[c.Runbook]
	if !ok {
		msg := fmt.Sprintf("runbook %s was not passed to the run; start runbooks with dre runbook run, which passes the runbooks they call", c.Runbook)
		return StepResult{}, temporal.NewNonRetryableApplicationError(msg, ErrInvalidInput, nil)
	}
	given := map[string]string{}
	for _, name := range sortedKeys(c.Inputs) {
		v, err := r.eval(c.Inputs[name], nil)
		if err != nil {
			return StepResult{}, fmt.Errorf("input %s: %w", name, err)
		}
		given[name] = inputText(v)
	}
	inputs, err := ResolveRunbookInputs(&callee, given)
	if err != nil {
		return StepResult{}, temporal.NewNonRetryableApplicationError(err.Error(), ErrInvalidInput, nil)
	}
	id := r.workflowID + "/" + s.ID
	// Hash is SHA-256 over encoding/json's output, which sorts map keys.
	//workflowcheck:ignore
	hash := runbooks.Hash(&callee)
	child := RunbookInput{Runbook: callee, Hash: hash, Inputs: inputs, Dataset: TargetDataset(&callee, inputs),
		Datasets: r.in.Datasets, Callees: r.in.Callees, Requester: r.workflowID}
	cctx, err := r.childCtx(ctx, s, id, s.Label()+" (runbook "+callee.Name+")")
	if err != nil {
		return StepResult{}, err
	}
	return StepResult{Run: id}, workflow.ExecuteChildWorkflow(cctx, RunbookWorkflowName, child).Get(ctx, nil)
}

// parallel runs each branch in its own coroutine and fails when a branch
// stopped; the others run to their end first.
func (r *runbookRun) parallel(ctx workflow.Context, s *runbooks.Step) error {
	branches := s.Parallel.Branches
	errs := make([]error, len(branches))
	wg := workflow.NewWaitGroup(ctx)
	for i := range branches {
		wg.Add(1)
		workflow.Go(ctx, func(gctx workflow.Context) {
			defer wg.Done()
			errs[i] = r.runList(gctx, branches[i])
		})
	}
	wg.Wait(ctx)
	for i, err := range errs {
		if err != nil {
			return fmt.Errorf("branch %d: %w", i+1, err)
		}
	}
	return nil
}
