package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"

	"github.com/dre-dev/dre/internal/slosync"
	"github.com/dre-dev/dre/workflows"
)

func newSLOBackfillHistoryCmd(g *globals) *cobra.Command {
	var wait time.Duration
	cmd := &cobra.Command{
		Use:   "backfill-history <dataset>",
		Short: "Reconstruct a dataset's SLO readings over their windows from the warehouse",
		Long: `backfill-history asks the evaluator slo-eval/<dataset> to compute every
SLO's SLI for each past interval of its window from what the warehouse holds:
the freshness_column timestamps for freshness, the rows (and nulls) of
each partition for volume and completeness, and the good and total SQL of
ratio SLOs run once per interval (the latest 2,016). The readings are stored marked
reconstructed, only in intervals that hold no reading yet, so the error
budget and the burn rates start from the whole window instead of from the
first evaluation. Running it again changes nothing.

The evaluator does this by itself when it first sees an SLO (dre slo
schedule sync); run it after a gap in evaluation, or for SLOs synced before
dre did. Custom SQL SLOs, and volume or completeness SLOs of unpartitioned
tables, have no readable past and are skipped with the reason. Row counts
are as the partitions hold them now, so rows that arrived late count as on
time.`,
		Example: `  dre slo backfill-history orders
  dre slo backfill-history orders --wait 10m`,
		Args: exactArgs(1, "one dataset name (see dre catalog list)"),
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, c, err := g.sloClient(cmd.Context())
			if err != nil {
				return err
			}
			defer c.Close()
			if len(sloDatasets(cfg.Catalog, args[0])) == 0 {
				if _, err := cfg.Catalog.Lookup(args[0]); err != nil {
					return err
				}
				return fmt.Errorf("%s has no slos: in the catalog; nothing to reconstruct", args[0])
			}
			return backfillHistory(cmd.Context(), cmd.OutOrStdout(), c, args[0], wait)
		},
	}
	cmd.Flags().DurationVar(&wait, "wait", 5*time.Minute, "how long to wait for the evaluator's answer")
	return cmd
}

// backfillHistory signals the evaluator and waits for the bootstrap that
// answers this request to show in its status.
func backfillHistory(ctx context.Context, out io.Writer, c client.Client, dataset string, wait time.Duration) error {
	id := workflows.SLOEvalWorkflowID(dataset)
	req := "cli-" + strconv.FormatInt(time.Now().UnixNano(), 36)
	err := c.SignalWorkflow(ctx, id, "", workflows.SLOBootstrapSignal, req)
	var nf *serviceerror.NotFound
	if errors.As(err, &nf) {
		if id, err = signalBatchBootstrap(ctx, c, dataset, req); id == "" {
			return err // no evaluator holds the dataset
		}
	}
	if err != nil {
		return fmt.Errorf("asking %s to reconstruct its history: %w", id, err)
	}
	fmt.Fprintf(out, "asked %s to reconstruct its SLO history (request %s)\n", id, req)
	ctx, cancel := context.WithTimeout(ctx, wait)
	defer cancel()
	tick := time.NewTicker(500 * time.Millisecond)
	defer tick.Stop()
	for {
		st, _, err := sloStatus(ctx, c, dataset)
		if err == nil && st.Bootstrap != nil && st.Bootstrap.Request == req {
			return printBootstrap(out, st.Bootstrap)
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("no answer from %s within %s; it runs the bootstrap before its next round (see dre slo status %s)", id, wait, dataset)
		case <-tick.C:
		}
	}
}

func printBootstrap(out io.Writer, b *workflows.SLOBootstrap) error {
	if b.Error != "" {
		return fmt.Errorf("the history bootstrap failed: %s", b.Error)
	}
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "SLO\tINTERVALS\tBAD\tSTORED\tNOTE")
	for _, h := range b.SLOs {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%s\n", h.SLO, h.Slots, h.Bad, h.Stored, h.Skipped)
	}
	return tw.Flush()
}

// signalBatchBootstrap asks the batch evaluator that holds the dataset
// (slo.batch) to reconstruct its history, and returns the batch's ID.
func signalBatchBootstrap(ctx context.Context, c client.Client, dataset, req string) (string, error) {
	batches, err := slosync.RunningBatches(ctx, c)
	if err != nil {
		return "", err
	}
	_, batch, ok := sloBatchMember(batches, dataset)
	if !ok {
		return "", fmt.Errorf("no evaluator runs for %s: run dre slo schedule sync, which reconstructs the history of new SLOs itself", dataset)
	}
	id := workflows.SLOBatchWorkflowID(batch)
	return id, c.SignalWorkflow(ctx, id, "", workflows.SLOBatchBootstrapSignal, workflows.SLOBatchBootstrap{Dataset: dataset, Request: req})
}
