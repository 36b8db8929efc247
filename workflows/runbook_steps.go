package workflows

import (
	"fmt"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/dre-dev/dre/activities"
	"github.com/dre-dev/dre/internal/catalog"
	"github.com/dre-dev/dre/runbooks"
)

// Timeouts of one attempt of a step that does not set its own.
const (
	warehouseStepTimeout = 10 * time.Minute
	notifyStepTimeout    = time.Minute
)

// stepTimeout is the step's timeout (a duration or a template giving
// one), or def when it has none.
func (r *runbookRun) stepTimeout(s *runbooks.Step, def time.Duration) (time.Duration, error) {
	if s.Timeout == "" {
		return def, nil
	}
	text, err := r.render(s.Timeout)
	if err != nil {
		return 0, err
	}
	d, err := parseDuration(text)
	if err != nil {
		return 0, fmt.Errorf("timeout of step %s: %w", s.ID, err)
	}
	return d, nil
}

// retryPolicy makes a step's retries the attempts after the first.
func retryPolicy(s *runbooks.Step) *temporal.RetryPolicy {
	return &temporal.RetryPolicy{InitialInterval: time.Second, MaximumAttempts: int32(s.Retries + 1)}
}

// activityCtx gives an activity the step's summary, timeout and retries.
func activityCtx(ctx workflow.Context, s *runbooks.Step, timeout time.Duration) workflow.Context {
	return workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: timeout, RetryPolicy: retryPolicy(s), Summary: s.Label(),
	})
}

// check measures a dataset; the step fails when the check does not pass.
func (r *runbookRun) check(ctx workflow.Context, s *runbooks.Step) (StepResult, error) {
	timeout, err := r.stepTimeout(s, warehouseStepTimeout)
	if err != nil {
		return StepResult{}, err
	}
	res, err := r.measure(activityCtx(ctx, s, timeout), s.Check)
	if err == nil && !res.Passed {
		err = fmt.Errorf("%s check of %s did not pass: %s", s.Check.Check, s.Check.Dataset, res.Message)
	}
	return res, err
}

// measure runs a check activity and judges it with the check's expect.
func (r *runbookRun) measure(ctx workflow.Context, c *runbooks.CheckStep) (StepResult, error) {
	ds, err := r.dataset(c.Dataset)
	if err != nil {
		return StepResult{}, err
	}
	sql, err := r.renderOn(c.SQL, ds.Warehouse)
	if err != nil {
		return StepResult{}, err
	}
	var a *activities.Runbooks
	var out activities.RunbookCheckResult
	in := activities.RunbookCheckInput{Dataset: ds, Check: c.Check, SQL: sql}
	if err := workflow.ExecuteActivity(ctx, a.RunCheck, in).Get(ctx, &out); err != nil {
		return StepResult{}, err
	}
	res := StepResult{Passed: out.Passed, Value: out.Value, Lag: out.Lag, Rows: out.Rows, NullRate: out.NullRate,
		Latest: out.Latest, AsOf: out.AsOf, Row: out.Row, Message: out.Message}
	if c.Expect != "" {
		res.Passed, err = r.evalBool(c.Expect, kindFields(runbooks.KindCheck, res))
	}
	return res, err
}

// sql runs a statement on a warehouse named directly or by a dataset.
func (r *runbookRun) sql(ctx workflow.Context, s *runbooks.Step) (StepResult, error) {
	q := s.SQL
	wh, err := r.render(q.Warehouse)
	if err != nil {
		return StepResult{}, err
	}
	if wh == "" {
		ds, err := r.dataset(q.Dataset)
		if err != nil {
			return StepResult{}, err
		}
		wh = ds.Warehouse
	}
	in := activities.RunbookSQLInput{Warehouse: wh}
	if in.Statement, err = r.renderOn(q.Statement, wh); err != nil {
		return StepResult{}, err
	}
	for _, p := range q.Params {
		v, err := r.eval(p, nil)
		if err != nil {
			return StepResult{}, err
		}
		in.Params = append(in.Params, v)
	}
	if in.Timeout, err = r.stepTimeout(s, warehouseStepTimeout); err != nil {
		return StepResult{}, err
	}
	var a *activities.Runbooks
	var out activities.RunbookSQLResult
	err = workflow.ExecuteActivity(activityCtx(ctx, s, in.Timeout), a.RunSQL, in).Get(ctx, &out)
	return StepResult{Rows: out.Rows, Row: out.Row}, err
}

// notify posts a Slack message; "owner" is the target dataset's channel.
func (r *runbookRun) notify(ctx workflow.Context, s *runbooks.Step) (StepResult, error) {
	channel, err := r.render(s.Notify.Channel)
	if err == nil && channel == "owner" {
		channel, err = r.ownerField("slack_channel", func(o ownerInfo) string { return o.SlackChannel })
	}
	if err != nil {
		return StepResult{}, err
	}
	text, err := r.render(s.Notify.Text)
	if err != nil {
		return StepResult{}, err
	}
	timeout, err := r.stepTimeout(s, notifyStepTimeout)
	if err != nil {
		return StepResult{}, err
	}
	var n *activities.Notify
	var out activities.SlackPosted
	err = workflow.ExecuteActivity(activityCtx(ctx, s, timeout), n.PostSlack, activities.SlackMessage{Channel: channel, Text: text}).Get(ctx, &out)
	return StepResult{Channel: channel, Message: out.Reason}, err
}

// page opens a PagerDuty incident keyed by the run and step, so that a
// retried page updates the same incident.
func (r *runbookRun) page(ctx workflow.Context, s *runbooks.Step) (StepResult, error) {
	service, err := r.render(s.Page.Service)
	if err == nil && service == "owner" {
		service, err = r.ownerField("pagerduty_service", func(o ownerInfo) string { return o.PagerDutyService })
	}
	if err != nil {
		return StepResult{}, err
	}
	summary, err := r.render(s.Page.Summary)
	if err != nil {
		return StepResult{}, err
	}
	timeout, err := r.stepTimeout(s, notifyStepTimeout)
	if err != nil {
		return StepResult{}, err
	}
	req := activities.PageRequest{DedupKey: r.workflowID + "/" + s.ID, Summary: summary, Source: "dre runbook " + r.in.Runbook.Name,
		Severity: string(s.Page.Severity), Details: map[string]any{"service": service, "run": r.workflowID, "step": s.ID}}
	var n *activities.Notify
	var out activities.PageResult
	err = workflow.ExecuteActivity(activityCtx(ctx, s, timeout), n.Page, req).Get(ctx, &out)
	return StepResult{Incident: req.DedupKey, Message: out.Reason}, err
}

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
		Datasets: r.in.Datasets, WarehouseKinds: r.in.WarehouseKinds, Callees: r.in.Callees, Requester: r.workflowID,
		FreezeApproved: r.freezeApproved, CallerRequester: r.requester()}
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
