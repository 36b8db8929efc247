package workflows

import (
	"errors"
	"fmt"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/dre-dev/dre/activities"
	"github.com/dre-dev/dre/internal/authz"
)

// The cascade's guard: one cost plan over every dataset, every dataset's
// SLO freeze, and one approval that must be allowed for each dataset.

// prepare estimates every dataset's cost (for a plan or a budget) and,
// when any dataset is frozen or the whole cost is over budget, waits for
// one approval; stop is true when nothing should be written.
func (c *cascadeRun) prepare(ctx workflow.Context) (stop bool, err error) {
	// Without a budget nothing is decided on the cost, so only a plan
	// estimates it, as for a single backfill.
	if c.in.DryRun || c.in.Budget > 0 {
		if err := c.estimate(ctx); err != nil {
			return true, err
		}
	}
	if c.in.DryRun {
		c.status = BackfillPlanned
		return true, nil
	}
	if reason := c.holdReason(ctx); reason != "" {
		return c.awaitApproval(ctx, authz.BackfillOverride, "approval despite: "+reason)
	}
	if c.in.Budget > 0 && c.amount > c.in.Budget {
		return c.awaitApproval(ctx, authz.BackfillApprove, fmt.Sprintf("approval of the cascade's cost %.0f over its budget %.0f", c.amount, c.in.Budget))
	}
	if c.cancelled { // while it planned
		c.status = BackfillCancelled
		return true, nil
	}
	return false, nil
}

// estimate plans each dataset's first partitions with the warehouse and
// extrapolates the rest, as a single backfill's plan does.
func (c *cascadeRun) estimate(ctx workflow.Context) error {
	for _, n := range c.nodes {
		parts := PlanPartitions(n.gran, n.in.Dataset.Partition.Column, n.in.From, n.in.To, backfillPlanDetail)
		actx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
			StartToCloseTimeout: 10 * time.Minute, HeartbeatTimeout: time.Minute,
			RetryPolicy: &temporal.RetryPolicy{InitialInterval: time.Second, MaximumAttempts: 3},
			Summary:     fmt.Sprintf("estimate %d partitions of %s", len(parts), n.in.Dataset.Table),
		})
		sel, _ := n.in.selectSQL() // validated in addNodes
		var a *activities.Backfills
		var res activities.EstimatePartitionsResult
		in := activities.EstimatePartitionsInput{Warehouse: n.in.Dataset.Warehouse, Select: sel, Partitions: parts, Dataset: n.in.Dataset.Name}
		if err := workflow.ExecuteActivity(actx, a.EstimatePartitions, in).Get(ctx, &res); err != nil {
			return err
		}
		n.plan = summarisePlan(parts, res.Costs, len(n.starts))
		c.amount += n.plan.Amount
	}
	return nil
}

// holdReason is why any dataset of the cascade must be approved first:
// its SLO freeze, asked of the worker as a single backfill does.
func (c *cascadeRun) holdReason(ctx workflow.Context) string {
	var reasons []string
	for _, n := range c.nodes {
		if len(n.in.Dataset.SLOs) == 0 {
			continue
		}
		actx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
			StartToCloseTimeout: 30 * time.Second,
			RetryPolicy:         &temporal.RetryPolicy{InitialInterval: time.Second, MaximumAttempts: 5},
			Summary:             "check the SLO freeze of " + n.in.Dataset.Name,
		})
		var s *activities.SLOs
		var reason string
		if err := workflow.ExecuteActivity(actx, s.FreezeReason, n.in.Dataset.Name).Get(ctx, &reason); err != nil {
			reason = "the SLO freeze of " + n.in.Dataset.Name + " could not be checked (" + err.Error() + ")"
		}
		if reason != "" {
			reasons = append(reasons, n.in.Dataset.Name+": "+reason)
		}
	}
	return joinReasons(reasons...)
}

// awaitApproval waits for the approve or cancel update, with a durable
// timeout whose default is not to run.
func (c *cascadeRun) awaitApproval(ctx workflow.Context, rule, why string) (stop bool, err error) {
	c.approvalRule, c.approvalWhy = rule, why
	c.setStatus(ctx, BackfillAwaitingApproval)
	timeout := c.in.ApprovalTimeout
	if timeout == 0 {
		timeout = backfillDefaultApprovalTimeout
	}
	opts := workflow.AwaitOptions{Timeout: timeout, TimerOptions: workflow.TimerOptions{Summary: why}}
	ok, err := workflow.AwaitWithOptions(ctx, opts, func() bool { return c.approver != "" || c.cancelled })
	switch {
	case err != nil:
		return true, err
	case c.cancelled:
		c.status = BackfillCancelled
		return true, nil
	case !ok:
		c.status = BackfillNotApproved
		return true, nil
	}
	return false, nil
}

// validateApprove proves who approves and applies the authz rule to every
// dataset of the cascade: one approval must be allowed for each of them.
func (c *cascadeRun) validateApprove(ctx workflow.Context, a BackfillApproval) error {
	if c.status != BackfillAwaitingApproval {
		return fmt.Errorf("nothing to approve: the cascade is %s", c.status)
	}
	if a.By == "" {
		return errors.New("an approval needs the approver's name")
	}
	if err := c.guard.ready(); err != nil {
		return err
	}
	if c.guard.policy == nil {
		return errors.New("the cascade has no decision policy; approvals are refused")
	}
	for _, n := range c.nodes {
		if _, err := c.guard.check(ctx, c.claim(a), c.approvalRule, c.approvalFacts(n)); err != nil {
			return fmt.Errorf("%s: %w", n.in.Dataset.Name, err)
		}
	}
	return nil
}

// approve records the approver, which every child inherits, and audits it.
func (c *cascadeRun) approve(ctx workflow.Context, a BackfillApproval) (BackfillCascadeStatus, error) {
	who, err := c.guard.accept(ctx, c.claim(a))
	if err != nil {
		return c.snapshot(ctx), err
	}
	c.approver = who.name
	action := AuditBackfillApproved
	if c.approvalRule == authz.BackfillOverride {
		action = AuditBackfillFreezeOverride
	}
	names := make([]string, len(c.nodes))
	for i, n := range c.nodes {
		names[i] = n.in.Dataset.Name
	}
	e := activities.AuditEntry{Actor: who.name, Action: action, Target: c.in.Dataset, Reason: c.approvalWhy,
		Details: map[string]string{"workflow_id": c.id, "verified_key": who.evidence, "note": a.Note,
			"requester": c.in.Requester, "cascade": fmt.Sprint(names)}}
	workflow.Go(ctx, func(ctx workflow.Context) { auditEntry(ctx, e) })
	s := c.snapshot(ctx)
	s.Status = BackfillApproved
	return s, nil
}

// claim is a as a decision on this cascade, for the guard to prove.
func (c *cascadeRun) claim(a BackfillApproval) claim {
	return claim{workflowID: c.id, action: BackfillApproveUpdate, target: c.in.Dataset, by: a.By, proof: a.Proof,
		cli: "dre backfill approve " + c.in.Dataset + " --cascade"}
}

// approvalFacts are a dataset's facts for the approval rules, from the
// worker's catalog: its owner team and approvers, and the requester.
func (c *cascadeRun) approvalFacts(n *cascadeNode) authz.Facts {
	ds := n.in.Dataset
	f := authz.Facts{Dataset: ds.Name, OwnerTeam: c.guard.ownerTeamOf(ds.Name, ds.Owner.Team), Requester: c.in.Requester}
	f.Approvers = append(f.Approvers, c.guard.approversOf(ds.Name, ds.PII.Approvers)...)
	if ds.Lifecycle != nil {
		f.Approvers = append(f.Approvers, ds.Lifecycle.Approvers...)
	}
	return f
}
