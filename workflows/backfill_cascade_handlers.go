package workflows

import (
	"fmt"

	"go.temporal.io/sdk/workflow"
)

// registerHandlers installs the status query and the control updates,
// which take the same names as a single backfill's.
func (c *cascadeRun) registerHandlers(ctx workflow.Context) error {
	if err := workflow.SetQueryHandler(ctx, StatusQuery, func() (BackfillCascadeStatus, error) { return c.snapshot(ctx), nil }); err != nil {
		return err
	}
	updates := []struct {
		name      string
		handler   any
		validator any
	}{
		{BackfillPauseUpdate, c.pause, c.validatePause},
		{BackfillResumeUpdate, c.resume, c.validateResume},
		{BackfillCancelUpdate, c.cancel, c.validateCancel},
		{BackfillApproveUpdate, c.approve, c.validateApprove},
	}
	for _, u := range updates {
		opts := workflow.UpdateHandlerOptions{Validator: u.validator}
		if err := workflow.SetUpdateHandlerWithOptions(ctx, u.name, u.handler, opts); err != nil {
			return err
		}
	}
	return nil
}

func (c *cascadeRun) validatePause(workflow.Context) error {
	if c.status != BackfillRunning {
		return fmt.Errorf("cannot pause a cascade that is %s", c.status)
	}
	return nil
}

// pause pauses every child still running; partitions keep being fed and
// wait in the children's queues.
func (c *cascadeRun) pause(ctx workflow.Context) (BackfillCascadeStatus, error) {
	c.paused = true
	c.setStatus(ctx, BackfillPaused)
	c.controlChildren(ctx, BackfillPauseUpdate)
	return c.snapshot(ctx), nil
}

func (c *cascadeRun) validateResume(workflow.Context) error {
	if c.status != BackfillPaused {
		return fmt.Errorf("cannot resume a cascade that is %s, not paused", c.status)
	}
	return nil
}

func (c *cascadeRun) resume(ctx workflow.Context) (BackfillCascadeStatus, error) {
	c.paused = false
	c.setStatus(ctx, BackfillRunning)
	c.controlChildren(ctx, BackfillResumeUpdate)
	return c.snapshot(ctx), nil
}

func (c *cascadeRun) validateCancel(workflow.Context) error {
	switch c.status {
	case BackfillPlanning, BackfillAwaitingApproval, BackfillRunning, BackfillPaused:
		return nil
	}
	return fmt.Errorf("cannot cancel a cascade that is %s", c.status)
}

// cancel stops feeding and cancels every child: running partitions finish
// and each child reports what it wrote.
func (c *cascadeRun) cancel(ctx workflow.Context) (BackfillCascadeStatus, error) {
	c.cancelled = true
	if c.status == BackfillRunning || c.status == BackfillPaused {
		c.setStatus(ctx, BackfillCancelling)
	}
	for _, n := range c.nodes {
		n.closing = true
	}
	c.controlChildren(ctx, BackfillCancelUpdate)
	return c.snapshot(ctx), nil
}

// controlChildren passes a control to every started child.
func (c *cascadeRun) controlChildren(ctx workflow.Context, control string) {
	for _, n := range c.nodes {
		if n.started {
			c.signalChild(ctx, n, BackfillControlSignal, control)
		}
	}
}

// setStatus changes the status and publishes it as search attributes.
func (c *cascadeRun) setStatus(ctx workflow.Context, status string) {
	c.status = status
	err := workflow.UpsertTypedSearchAttributes(ctx, KindKey.ValueSet(KindBackfillCascade),
		DatasetKey.ValueSet(c.in.Dataset), StatusKey.ValueSet(status), RequesterKey.ValueSet(c.in.Requester))
	if err != nil {
		workflow.GetLogger(ctx).Warn("search attributes not updated", "error", err)
	}
}

// snapshot is the cascade's status and each dataset's.
func (c *cascadeRun) snapshot(ctx workflow.Context) BackfillCascadeStatus {
	s := BackfillCascadeStatus{Dataset: c.in.Dataset, Status: c.status, From: c.in.From, To: c.in.To,
		Amount: c.amount, Budget: c.in.Budget, Approver: c.approver, StartedAt: c.startedAt,
		Elapsed: workflow.Now(ctx).Sub(c.startedAt)}
	for _, n := range c.nodes {
		d := CascadeDatasetStatus{Dataset: n.in.Dataset.Name, Table: n.in.Dataset.Table, Granularity: n.gran,
			From: n.in.From, To: n.in.To, Total: len(n.starts), Fed: n.nFed, Done: n.nDone, Failed: n.nFailed,
			Blocked: n.blocked(), Status: n.status, Plan: n.plan, Error: n.err}
		for _, u := range n.upstream {
			d.Upstream = append(d.Upstream, c.nodes[u].in.Dataset.Name)
		}
		if d.Status == "" {
			d.Status = c.status
		}
		s.Datasets = append(s.Datasets, d)
	}
	return s
}
