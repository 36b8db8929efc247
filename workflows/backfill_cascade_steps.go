package workflows

import (
	"fmt"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/dre-dev/dre/activities"
	"github.com/dre-dev/dre/internal/authz"
	"github.com/dre-dev/dre/internal/catalog"
	"github.com/dre-dev/dre/internal/lineage"
)

// cascadeNode is one dataset of a cascade and its partitions' progress.
type cascadeNode struct {
	in       BackfillInput // its child's input
	gran     catalog.Granularity
	upstream []int // indexes of the nodes it reads
	readers  []int // indexes of the nodes reading it
	starts   []time.Time
	index    map[int64]int // partition start (unix seconds) -> position
	fed      []bool
	done     []bool
	nFed     int
	nDone    int
	nFailed  int
	plan     *BackfillPlan
	// outbox holds partitions fed but not yet sent; closing asks the
	// sender to close the child's feed once the outbox is empty.
	outbox  []time.Time
	closing bool
	closed  bool
	future  workflow.ChildWorkflowFuture
	started bool
	ended   bool
	status  string
	err     string
}

// blocked counts the partitions never fed although the feed closed.
func (n *cascadeNode) blocked() int {
	if !n.closed && !n.ended {
		return 0
	}
	return len(n.starts) - n.nFed
}

// load asks the worker's lineage for the cascade's datasets, in
// dependency order, and maps the range onto each one's partitions.
func (c *cascadeRun) load(ctx workflow.Context) error {
	if err := c.guard.load(ctx, c.in.Dataset); err != nil {
		return err
	}
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: time.Minute,
		RetryPolicy:         &temporal.RetryPolicy{InitialInterval: time.Second, MaximumAttempts: 5},
		Summary:             "find the datasets downstream of " + c.in.Dataset,
	})
	var l *activities.Lineage
	var found []lineage.CascadeNode
	if err := workflow.ExecuteActivity(ctx, l.CascadeDatasets, c.in.Dataset).Get(ctx, &found); err != nil {
		return err
	}
	if err := c.addNodes(found); err != nil {
		return temporal.NewNonRetryableApplicationError(err.Error(), ErrInvalidInput, nil)
	}
	names := make([]string, len(c.nodes))
	for i, n := range c.nodes {
		names[i] = n.in.Dataset.Name
	}
	return c.guard.loadDeciders(ctx, names)
}

// addNodes builds each dataset's backfill over the partitions covering
// its upstream datasets' ranges, checking each as a backfill would.
func (c *cascadeRun) addNodes(found []lineage.CascadeNode) error {
	total := 0
	for i, f := range found {
		ds := f.Dataset
		if ds.Partition == nil || !ds.Partition.Granularity.Valid() {
			return fmt.Errorf("dataset %q of the cascade has no partitioning; add partition: {column: <date column>, granularity: hour|day|month} to it in dre.yaml", ds.Name)
		}
		n := &cascadeNode{gran: ds.Partition.Granularity, index: map[int64]int{}}
		from, to := c.in.From, c.in.To
		for _, u := range f.Upstream {
			up := c.nodes[c.byName[u]]
			up.readers = append(up.readers, i)
			n.upstream = append(n.upstream, c.byName[u])
			if i > 0 {
				from, to = minTime(from, up.in.From), maxTime(to, up.in.To)
			}
		}
		if i > 0 {
			from, to = n.gran.Truncate(from), coverEnd(n.gran, to)
		}
		n.in = c.childInput(ds, from, to)
		if err := n.in.validate(); err != nil {
			return fmt.Errorf("%s: %w", ds.Name, err)
		}
		for t := from; t.Before(to); t = n.gran.Next(t) {
			n.index[t.Unix()] = len(n.starts)
			n.starts = append(n.starts, t)
		}
		n.fed, n.done = make([]bool, len(n.starts)), make([]bool, len(n.starts))
		total += len(n.starts)
		c.byName[ds.Name] = i
		c.nodes = append(c.nodes, n)
	}
	if total > backfillCascadeMaxPartitions {
		return fmt.Errorf("the cascade has %d partitions over %d datasets, more than the %d one cascade may run; split the range", total, len(c.nodes), backfillCascadeMaxPartitions)
	}
	return nil
}

// childInput is the backfill of one dataset of the cascade.
func (c *cascadeRun) childInput(ds catalog.Dataset, from, to time.Time) BackfillInput {
	return BackfillInput{
		Dataset: ds, From: from, To: to, Concurrency: c.in.Concurrency, Requester: c.in.Requester,
		OnFailure: c.in.OnFailure, MaxAttempts: c.in.MaxAttempts, PartitionsPerActivity: c.in.PartitionsPerActivity,
		ApprovalTimeout: c.in.ApprovalTimeout,
	}
}

// coverEnd is the end of the partition holding the instant before t: the
// exclusive end of the partitions covering a range that ends at t.
func coverEnd(g catalog.Granularity, t time.Time) time.Time {
	start := g.Truncate(t)
	if start.Equal(t) {
		return t
	}
	return g.Next(start)
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// prepare estimates every dataset's cost and, when any dataset is frozen
// or the whole cost is over budget, waits for one approval; stop is true
// when nothing should be written.
func (c *cascadeRun) prepare(ctx workflow.Context) (stop bool, err error) {
	if err := c.estimate(ctx); err != nil {
		return true, err
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

// startChildren starts every dataset's backfill, upstream first, and
// feeds the root its whole range. A dataset whose backfill already runs
// stops the cascade before anything is written.
func (c *cascadeRun) startChildren(ctx workflow.Context) error {
	for _, n := range c.nodes {
		n.in.Cascade = &BackfillCascadeLink{Parent: c.id, Approver: c.approver}
		opts := workflow.ChildWorkflowOptions{
			WorkflowID:            BackfillWorkflowID(n.in.Dataset.Name),
			ParentClosePolicy:     enumspb.PARENT_CLOSE_POLICY_REQUEST_CANCEL,
			WorkflowIDReusePolicy: enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE,
			StaticSummary:         fmt.Sprintf("Backfill %s (%s), part of %s", n.in.Dataset.Name, n.in.Dataset.Table, c.id),
			TypedSearchAttributes: temporal.NewSearchAttributes(KindKey.ValueSet(KindBackfill),
				DatasetKey.ValueSet(n.in.Dataset.Name), StatusKey.ValueSet(BackfillPlanning), RequesterKey.ValueSet(c.in.Requester)),
		}
		n.future = workflow.ExecuteChildWorkflow(workflow.WithChildOptions(ctx, opts), BackfillWorkflowName, n.in)
		if err := n.future.GetChildWorkflowExecution().Get(ctx, nil); err != nil {
			c.cancelStarted(ctx)
			return temporal.NewNonRetryableApplicationError(fmt.Sprintf("the backfill of %s could not start (%v); if one is running, wait for it or cancel it with `dre backfill cancel %s`", n.in.Dataset.Name, err, n.in.Dataset.Name), ErrInvalidInput, nil)
		}
		n.started = true
		workflow.Go(ctx, func(ctx workflow.Context) { c.sendFeeds(ctx, n) })
	}
	root := c.nodes[0]
	c.feed(root, root.starts)
	root.closing = true
	return nil
}

// cancelStarted cancels the children already started and waits for them.
func (c *cascadeRun) cancelStarted(ctx workflow.Context) {
	for _, n := range c.nodes {
		if n.started {
			c.signalChild(ctx, n, BackfillControlSignal, BackfillCancelUpdate)
			n.closing = true
		}
	}
	for _, n := range c.nodes {
		if n.started {
			_ = n.future.Get(ctx, nil)
		}
	}
}

// signalChild signals a child that may have ended, which is not an error.
func (c *cascadeRun) signalChild(ctx workflow.Context, n *cascadeNode, name string, arg any) {
	if n.ended {
		return
	}
	if err := workflow.SignalExternalWorkflow(ctx, BackfillWorkflowID(n.in.Dataset.Name), "", name, arg).Get(ctx, nil); err != nil {
		workflow.GetLogger(ctx).Info("child not signalled", "dataset", n.in.Dataset.Name, "signal", name, "error", err)
	}
}
