package workflows

import (
	"errors"
	"fmt"
	"strings"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/dre-dev/dre/runbooks"
)

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
	if err := r.register(ctx); err != nil {
		return RunbookStatus{}, err
	}
	if err := r.upsertAttributes(ctx); err != nil {
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
