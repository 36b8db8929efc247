package workflows

import (
	"fmt"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/dre-dev/dre/activities"
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
