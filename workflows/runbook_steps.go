package workflows

import (
	"fmt"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/dre-dev/dre/activities"
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
	sql, err := r.render(c.SQL)
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
	if in.Statement, err = r.render(q.Statement); err != nil {
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
