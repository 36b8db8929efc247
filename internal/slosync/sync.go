package slosync

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"

	"github.com/dre-dev/dre/internal/catalog"
	"github.com/dre-dev/dre/workflows"
)

// Client is the part of client.Client a sync uses.
type Client interface {
	workflows.SignalStarter
	SignalWorkflow(ctx context.Context, workflowID, runID, signalName string, arg any) error
	TerminateWorkflow(ctx context.Context, workflowID, runID, reason string, details ...any) error
	QueryWorkflow(ctx context.Context, workflowID, runID, queryType string, args ...any) (converter.EncodedValue, error)
	ListWorkflow(ctx context.Context, req *workflowservice.ListWorkflowExecutionsRequest) (*workflowservice.ListWorkflowExecutionsResponse, error)
}

// Options are what a sync needs besides the catalog's datasets with SLOs.
type Options struct {
	TaskQueue string
	// BatchSize and Parallelism are dre.yaml's slo.batch; size 0 gives
	// every dataset its own evaluator.
	BatchSize   int
	Parallelism int
	// RunURL links a started or signalled run in the output.
	RunURL func(workflowID, runID string) string
}

// Sync starts or updates the evaluators the plan wants, hands each moved
// dataset's state to its new evaluator, then stops the evaluators that no
// longer have a dataset to evaluate: a per-dataset one is terminated once
// its dataset's batch holds it, a batch is sent an empty membership and
// ends itself. The new home starts before the old one stops, so a sync
// cut short leaves a dataset evaluated twice (its readings are keyed by
// slot, so a twice-taken reading is stored once), never not at all; the
// next sync finishes the move. It needs a worker to answer the running
// evaluators' status queries.
func Sync(ctx context.Context, c Client, datasets []catalog.Dataset, o Options, out io.Writer) error {
	batches, err := runningBatches(ctx, c)
	if err != nil {
		return err
	}
	own, err := runningPerDataset(ctx, c)
	if err != nil {
		return err
	}
	plan := NewPlan(datasets, o.BatchSize, batches.homes())
	for _, ds := range plan.PerDataset {
		if err := startPerDataset(ctx, c, o, ds, batches, out); err != nil {
			return err
		}
	}
	wanted := map[string]bool{}
	for _, b := range gainersFirst(plan.Batches, batches.homes()) {
		wanted[b.Name] = true
		if err := startBatch(ctx, c, o, b, batches, own, out); err != nil {
			return err
		}
	}
	if err := endBatches(ctx, c, batches, wanted, out); err != nil {
		return err
	}
	return stopPerDataset(ctx, c, plan.Batches, own, out)
}

// startPerDataset signals-with-start the dataset's own evaluator, with
// the state its batch kept when it leaves one.
func startPerDataset(ctx context.Context, c Client, o Options, ds catalog.Dataset, batches batchStates, out io.Writer) error {
	in := workflows.SLOEvalInput{Dataset: ds}
	moved := ""
	if st, from, ok := batches.member(ds.Name); ok {
		in.State, moved = &st, " (moved from "+workflows.SLOBatchWorkflowID(from)+")"
	}
	run, err := workflows.StartSLOEval(ctx, c, o.TaskQueue, in)
	if err != nil {
		return fmt.Errorf("starting the evaluator of %s: %w", ds.Name, err)
	}
	fmt.Fprintf(out, "%s: %d SLO(s)%s, %s\n", ds.Name, len(ds.SLOs), moved, o.url(run))
	return nil
}

// gainersFirst orders the batches that take in a dataset before the
// others, so that a dataset moving between batches joins its new batch
// before it leaves the old one.
func gainersFirst(batches []Batch, homes map[string]string) []Batch {
	var gain, rest []Batch
	for _, b := range batches {
		gains := false
		for _, ds := range b.Datasets {
			gains = gains || homes[ds.Name] != b.Name
		}
		if gains {
			gain = append(gain, b)
		} else {
			rest = append(rest, b)
		}
	}
	return append(gain, rest...)
}

// startBatch signals-with-start a batch with its whole membership and
// the state of each member that moves in.
func startBatch(ctx context.Context, c Client, o Options, b Batch, batches batchStates, own map[string]bool, out io.Writer) error {
	in := workflows.SLOBatchEvalInput{Batch: b.Name, Datasets: b.Datasets, Parallelism: o.Parallelism}
	var moved []string
	for _, ds := range b.Datasets {
		st, from, ok := batches.member(ds.Name)
		switch {
		case ok && from == b.Name:
			continue
		case !ok && own[ds.Name]:
			var err error
			if st, ok, err = perDatasetStatus(ctx, c, ds.Name); err != nil {
				return err
			}
		}
		if ok {
			in.Handover = append(in.Handover, st)
			moved = append(moved, ds.Name)
		}
	}
	run, err := workflows.StartSLOBatchEval(ctx, c, o.TaskQueue, in)
	if err != nil {
		return fmt.Errorf("starting the batch evaluator %s: %w", b.Name, err)
	}
	note := ""
	if len(moved) > 0 {
		note = fmt.Sprintf(" (moved in with their state: %s)", strings.Join(moved, ", "))
	}
	fmt.Fprintf(out, "%s: %d datasets%s, %s\n", workflows.SLOBatchWorkflowID(b.Name), len(b.Datasets), note, o.url(run))
	return nil
}

// endBatches sends an empty membership to each running batch the plan
// no longer wants; it ends itself.
func endBatches(ctx context.Context, c Client, batches batchStates, wanted map[string]bool, out io.Writer) error {
	for name := range batches {
		if wanted[name] {
			continue
		}
		id := workflows.SLOBatchWorkflowID(name)
		err := c.SignalWorkflow(ctx, id, "", workflows.SLOBatchCatalogSignal, workflows.SLOBatchCatalog{})
		if err != nil && !isNotFound(err) {
			return fmt.Errorf("ending %s (run dre slo schedule sync again to finish): %w", id, err)
		}
		fmt.Fprintf(out, "%s: ended, its datasets are evaluated elsewhere\n", id)
	}
	return nil
}

// stopPerDataset terminates the own evaluators of batched datasets.
func stopPerDataset(ctx context.Context, c Client, batches []Batch, own map[string]bool, out io.Writer) error {
	for _, b := range batches {
		for _, ds := range b.Datasets {
			if !own[ds.Name] {
				continue
			}
			id := workflows.SLOEvalWorkflowID(ds.Name)
			err := c.TerminateWorkflow(ctx, id, "", "dre slo schedule sync: evaluated by "+workflows.SLOBatchWorkflowID(b.Name)+" (slo.batch)")
			if err != nil && !isNotFound(err) {
				return fmt.Errorf("stopping %s (run dre slo schedule sync again to finish): %w", id, err)
			}
			fmt.Fprintf(out, "%s: stopped, now in %s\n", id, workflows.SLOBatchWorkflowID(b.Name))
		}
	}
	return nil
}

func (o Options) url(run client.WorkflowRun) string {
	if o.RunURL == nil {
		return run.GetID()
	}
	return o.RunURL(run.GetID(), run.GetRunID())
}

func isNotFound(err error) bool {
	var nf *serviceerror.NotFound
	return errors.As(err, &nf)
}
