package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"
	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/converter"

	"github.com/dre-dev/dre/workflows"
)

func newBackfillWatchCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "watch <dataset>",
		Short: "Follow a dataset's backfill until it ends: a live progress bar, then the report",
		Long: `watch follows backfill/<dataset>, across continue-as-new, until it ends: a
progress bar with rate and ETA redrawn in place when stdout is a terminal,
a plain line per change otherwise (pipes, CI logs); then the final report.
Watching a backfill that has already ended prints its report.

` + backfillExitCodes,
		Example: `  dre backfill watch orders
  dre backfill watch orders | tee backfill.log`,
		Args: exactArgs(1, "one dataset name (see dre catalog list)"),
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := g.loadConfig()
			if err != nil {
				return err
			}
			if _, err := cfg.Catalog.Lookup(args[0]); err != nil {
				return err
			}
			c, err := dialTemporal(cmd.Context(), cfg, g.opts.Stderr)
			if err != nil {
				return err
			}
			defer c.Close()
			id := workflows.BackfillWorkflowID(args[0])
			var notFound *serviceerror.NotFound
			if _, err := c.DescribeWorkflowExecution(cmd.Context(), id, ""); errors.As(err, &notFound) {
				return fmt.Errorf("no backfill of %s has run; start one with `dre backfill start %s --from ... --to ... --wait`", args[0], args[0])
			} else if err != nil {
				return err
			}
			return followBackfill(cmd.Context(), c, c.GetWorkflow(cmd.Context(), id, ""), cmd.OutOrStdout())
		},
	}
}

// backfillListed is one backfill in `dre backfill list`.
type backfillListed struct {
	Dataset    string    `json:"dataset"`
	Status     string    `json:"status"`
	Progress   float64   `json:"progress"`
	Started    time.Time `json:"started"`
	WorkflowID string    `json:"workflowId"`
	RunID      string    `json:"runId"`
}

func newBackfillListCmd(g *globals) *cobra.Command {
	var all bool
	var output string
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List running backfills (with --all, finished ones too), newest first",
		Example: `  dre backfill list
  dre backfill list --all --output json`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := g.loadConfig()
			if err != nil {
				return err
			}
			c, err := dialTemporal(cmd.Context(), cfg, g.opts.Stderr)
			if err != nil {
				return err
			}
			defer c.Close()
			query := workflows.KindQuery(workflows.KindBackfill) + ` AND ExecutionStatus = "Running"`
			if all {
				// A continued-as-new run is one step of a backfill listed by its latest run.
				query = workflows.KindQuery(workflows.KindBackfill) + ` AND ExecutionStatus != "ContinuedAsNew"`
			}
			resp, err := c.ListWorkflow(cmd.Context(), &workflowservice.ListWorkflowExecutionsRequest{
				Namespace: cfg.Temporal.Namespace, Query: query, PageSize: 200,
			})
			if err != nil {
				return fmt.Errorf("listing backfills: %w", err)
			}
			return printBackfillList(cmd.OutOrStdout(), listedBackfills(resp), output)
		},
	}
	cmd.Flags().BoolVar(&all, "all", false, "include backfills that have ended")
	cmd.Flags().StringVarP(&output, "output", "o", "text", "text or json")
	return cmd
}

// listedBackfills keeps the backfills (not their dry-run plans), read from
// their search attributes.
func listedBackfills(resp *workflowservice.ListWorkflowExecutionsResponse) []backfillListed {
	out := []backfillListed{}
	for _, e := range resp.GetExecutions() {
		id := e.GetExecution().GetWorkflowId()
		if !strings.HasPrefix(id, workflows.BackfillWorkflowID("")) {
			continue
		}
		fields := e.GetSearchAttributes().GetIndexedFields()
		l := backfillListed{WorkflowID: id, RunID: e.GetExecution().GetRunId(), Started: e.GetStartTime().AsTime()}
		decodeAttr(fields, workflows.DatasetKey.GetName(), &l.Dataset)
		decodeAttr(fields, workflows.StatusKey.GetName(), &l.Status)
		decodeAttr(fields, workflows.ProgressKey.GetName(), &l.Progress)
		out = append(out, l)
	}
	return out
}

// decodeAttr reads one search attribute; a missing or odd one stays zero.
func decodeAttr(fields map[string]*commonpb.Payload, name string, v any) {
	if p, ok := fields[name]; ok {
		_ = converter.GetDefaultDataConverter().FromPayload(p, v)
	}
}

func printBackfillList(out io.Writer, list []backfillListed, output string) error {
	switch strings.ToLower(output) {
	case "json":
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		return enc.Encode(list)
	case "text", "":
		if len(list) == 0 {
			fmt.Fprintln(out, "no backfills (dre backfill list --all includes those that have ended)")
			return nil
		}
		fmt.Fprintf(out, "%-20s %-18s %8s  %-20s\n", "DATASET", "STATUS", "PROGRESS", "STARTED")
		for _, l := range list {
			fmt.Fprintf(out, "%-20s %-18s %7.0f%%  %-20s\n", l.Dataset, l.Status, 100*l.Progress, l.Started.UTC().Format("2006-01-02 15:04:05Z"))
		}
		return nil
	}
	return &usageError{fmt.Errorf("unknown --output %q; use text or json", output)}
}
