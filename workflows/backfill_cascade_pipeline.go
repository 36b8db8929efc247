package workflows

import (
	"time"

	"go.temporal.io/sdk/workflow"
)

// The pipeline: a downstream partition is fed to its dataset's backfill
// as soon as every upstream partition it reads is written (its ledger row
// committed), not when the upstream dataset is finished.

// run receives the children's progress and their ends until every child
// has ended.
func (c *cascadeRun) run(ctx workflow.Context) error {
	progress := workflow.GetSignalChannel(ctx, BackfillCascadeProgressSignal)
	sel := workflow.NewSelector(ctx)
	sel.AddReceive(progress, func(ch workflow.ReceiveChannel, _ bool) {
		var p BackfillCascadeProgress
		ch.Receive(ctx, &p)
		c.onProgress(p)
	})
	for _, n := range c.nodes {
		sel.AddFuture(n.future, func(f workflow.Future) {
			// Progress a child sent before it ended is in the channel
			// already: take it before deciding what its readers still get.
			for p := (BackfillCascadeProgress{}); progress.ReceiveAsync(&p); p = (BackfillCascadeProgress{}) {
				c.onProgress(p)
			}
			c.onEnd(ctx, n, f)
		})
	}
	for !c.allEnded() {
		sel.Select(ctx)
		if err := ctx.Err(); err != nil {
			return err
		}
	}
	return nil
}

func (c *cascadeRun) allEnded() bool {
	for _, n := range c.nodes {
		if !n.ended {
			return false
		}
	}
	return true
}

// onProgress marks a child's written partitions and feeds the downstream
// partitions that no longer wait for anything.
func (c *cascadeRun) onProgress(p BackfillCascadeProgress) {
	i, ok := c.byName[p.Dataset]
	if !ok {
		return
	}
	n := c.nodes[i]
	n.nFailed += p.Failed
	for _, s := range p.Done {
		for t := s.From; t.Before(s.To); t = n.gran.Next(t) {
			j, ok := n.index[t.Unix()]
			if !ok || n.done[j] {
				continue
			}
			n.done[j] = true
			n.nDone++
			c.feedReaders(n, t, n.gran.Next(t))
		}
	}
}

// feedReaders feeds each reader of a node the partitions overlapping
// [from, to) that are now ready.
func (c *cascadeRun) feedReaders(n *cascadeNode, from, to time.Time) {
	for _, r := range n.readers {
		reader := c.nodes[r]
		var ready []time.Time
		for t := reader.gran.Truncate(from); t.Before(to); t = reader.gran.Next(t) {
			j, ok := reader.index[t.Unix()]
			if ok && !reader.fed[j] && c.ready(reader, t) {
				ready = append(ready, t)
			}
		}
		c.feed(reader, ready)
	}
}

// ready is true when every upstream partition the partition of n starting
// at start reads, within the cascade, is written.
func (c *cascadeRun) ready(n *cascadeNode, start time.Time) bool {
	end := n.gran.Next(start)
	for _, u := range n.upstream {
		up := c.nodes[u]
		for t := up.gran.Truncate(start); t.Before(end); t = up.gran.Next(t) {
			if j, ok := up.index[t.Unix()]; ok && !up.done[j] {
				return false
			}
		}
	}
	return true
}

// feed marks partitions fed and queues them for the node's sender.
func (c *cascadeRun) feed(n *cascadeNode, starts []time.Time) {
	if c.cancelled || n.closing {
		return
	}
	for _, t := range starts {
		j := n.index[t.Unix()]
		if n.fed[j] {
			continue
		}
		n.fed[j] = true
		n.nFed++
		n.outbox = append(n.outbox, t)
	}
}

// onEnd records a child's outcome; its readers' feeds close once all
// their upstream children have ended, since nothing more will be written.
func (c *cascadeRun) onEnd(ctx workflow.Context, n *cascadeNode, f workflow.Future) {
	n.ended = true
	var r BackfillReport
	if err := f.Get(ctx, &r); err != nil {
		n.status, n.err = BackfillFailed, failureReason(err)
	} else {
		n.status = r.Status
	}
	for _, i := range n.readers {
		reader := c.nodes[i]
		all := true
		for _, u := range reader.upstream {
			all = all && c.nodes[u].ended
		}
		if all {
			reader.closing = true
		}
	}
}

// sendFeeds sends a child its fed partitions, one signal per wake-up so
// that they arrive in order, and finally closes its feed.
func (c *cascadeRun) sendFeeds(ctx workflow.Context, n *cascadeNode) {
	for !n.closed && !n.ended {
		if err := workflow.Await(ctx, func() bool { return len(n.outbox) > 0 || n.closing || n.ended }); err != nil {
			return
		}
		if n.ended {
			return
		}
		feed := BackfillFeed{Spans: spansOf(n.gran, n.outbox, false), Closed: n.closing}
		n.outbox = nil
		c.signalChild(ctx, n, BackfillFeedSignal, feed)
		n.closed = feed.Closed
	}
}
