package workflows

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/dre-dev/dre/runbooks"
)

// pendingApproval is an approve step waiting for its decision.
type pendingApproval struct {
	approvers []string
	decision  *RunbookApproval
	// who is who decided, with the evidence (a key fingerprint or
	// Unverified; "" in runs recorded before the guard).
	who decider
}

// validateApproval keeps bad decisions out of history: the step must be
// waiting, and the decider proven and allowed by the authz: rule of the
// step (runbook.approve, or backfill.override_freeze for slo-freeze).
func (r *runbookRun) validateApproval(ctx workflow.Context, a RunbookApproval) error {
	p, err := r.waitingFor(a.Step)
	if err != nil {
		return err
	}
	return r.vetApproval(ctx, a, p)
}

// waitingFor is the pending approval of step, if it still waits.
func (r *runbookRun) waitingFor(step string) (*pendingApproval, error) {
	p, ok := r.waiting[step]
	if !ok || p.decision != nil {
		return nil, fmt.Errorf("step %q is not waiting for an approval (waiting: %s)", step, strings.Join(sortedKeys(r.waiting), ", "))
	}
	return p, nil
}

// decide records a validated decision; the waiting step picks it up.
func (r *runbookRun) decide(ctx workflow.Context, a RunbookApproval) error {
	p, err := r.waitingFor(a.Step)
	if err != nil {
		return err // a second decision accepted in the same task
	}
	if r.guard.policy == nil {
		if err := r.vetApproval(ctx, a, p); err != nil {
			return err
		}
	}
	who, err := r.guard.accept(ctx, r.claim(a))
	if err != nil {
		return err
	}
	p.decision, p.who = &a, who
	return nil
}

// approve waits for an approver's decision, or takes the step's default
// when its timeout passes first. A rejection fails the step.
func (r *runbookRun) approve(ctx workflow.Context, s *runbooks.Step) (StepResult, error) {
	a := s.Approve
	timeoutText, err := r.render(a.Timeout)
	if err != nil {
		return StepResult{}, err
	}
	timeout, err := parseDuration(timeoutText)
	if err != nil {
		return StepResult{}, fmt.Errorf("approve timeout of step %s: %w", s.ID, err)
	}
	prompt, err := r.render(a.Prompt)
	if err != nil {
		return StepResult{}, err
	}
	p := &pendingApproval{approvers: nonEmpty(r.approvers(a.Approvers))}
	res := StepResult{Message: prompt}
	r.byID[s.ID].Result = res // the status query shows the prompt while waiting
	r.waiting[s.ID] = p
	r.setStatus(ctx, RunbookWaiting)
	opts := workflow.AwaitOptions{Timeout: timeout, TimerOptions: workflow.TimerOptions{Summary: s.Label() + ": decision due"}}
	decided, err := workflow.AwaitWithOptions(ctx, opts, func() bool { return p.decision != nil })
	delete(r.waiting, s.ID)
	if len(r.waiting) == 0 {
		r.setStatus(ctx, RunbookRunning)
	}
	if err != nil {
		return res, err
	}
	if decided {
		res.Approved, res.By = p.decision.Approve, p.who.name
		r.auditApproval(ctx, s.ID, p)
	} else {
		res.Approved, res.By, res.TimedOut = a.Default == runbooks.Approve, "timeout", true
	}
	if !res.Approved {
		return res, fmt.Errorf("not approved: %s", rejection(res, timeout))
	}
	return res, nil
}

func rejection(res StepResult, timeout time.Duration) string {
	if res.TimedOut {
		return fmt.Sprintf("nobody decided within %s, and the default is reject", timeout)
	}
	return "rejected by " + res.By
}

func nonEmpty(values []string) []string {
	return slices.DeleteFunc(values, func(v string) bool { return v == "" })
}

// wait sleeps for a duration, or polls a check until it passes within the
// step's timeout.
func (r *runbookRun) wait(ctx workflow.Context, s *runbooks.Step) (StepResult, error) {
	w := s.Wait
	if w.Until == nil {
		text, err := r.render(w.Duration)
		if err != nil {
			return StepResult{}, err
		}
		d, err := parseDuration(text)
		if err != nil {
			return StepResult{}, fmt.Errorf("wait of step %s: %w", s.ID, err)
		}
		return StepResult{}, workflow.NewTimerWithOptions(ctx, d, workflow.TimerOptions{Summary: s.Label()}).Get(ctx, nil)
	}
	return r.poll(ctx, s)
}

// poll runs the wait's check every `every` until it passes or the step's
// timeout is spent.
func (r *runbookRun) poll(ctx workflow.Context, s *runbooks.Step) (StepResult, error) {
	limit, err := r.stepTimeout(s, 0)
	if err != nil {
		return StepResult{}, err
	}
	if limit == 0 {
		return StepResult{}, fmt.Errorf("wait until of step %s needs a timeout on the step", s.ID)
	}
	everyText, err := r.render(s.Wait.Every)
	if err != nil {
		return StepResult{}, err
	}
	every, err := parseDuration(everyText)
	if err != nil {
		return StepResult{}, fmt.Errorf("every of step %s: %w", s.ID, err)
	}
	deadline := workflow.Now(ctx).Add(limit)
	actx := activityCtx(ctx, s, min(limit, warehouseStepTimeout))
	for polls := 1; ; polls++ {
		res, err := r.measure(actx, s.Wait.Until)
		res.Polls = polls
		if err != nil || res.Passed {
			return res, err
		}
		left := deadline.Sub(workflow.Now(ctx))
		if left <= 0 {
			res.TimedOut = true
			return res, waitTimedOut(s.Wait.Until.Check, limit, polls, res.Message)
		}
		timer := workflow.NewTimerWithOptions(ctx, min(every, left), workflow.TimerOptions{Summary: s.Label() + ": next poll"})
		if err := timer.Get(ctx, nil); err != nil {
			return res, err
		}
	}
}

// waitTimedOut is the error of a wait whose check never passed; it ends
// with what the last poll found (for published: the partitions still held
// back, and how to redo them).
func waitTimedOut(check string, limit time.Duration, polls int, last string) error {
	msg := fmt.Sprintf("%s check did not pass within %s (%d polls)", check, limit, polls)
	if last != "" {
		msg += ": " + last
	}
	return errors.New(msg)
}
