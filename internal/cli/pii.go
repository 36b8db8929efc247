package cli

import (
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/dre-dev/dre/internal/catalog"
	"github.com/dre-dev/dre/internal/config"
	"github.com/dre-dev/dre/workflows"
)

func newPIICmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "pii",
		Short: "Find untagged personal data in the catalog's tables and tag it (the pii-scan workflow)",
		Long: `A PII scan samples random rows of each dataset and detects emails, phone
numbers, payment cards, IBANs, US social security numbers, IP addresses,
dates of birth, person names and postal addresses: in whole columns, in the
string leaves of JSON columns (reported by path, payload.user.email) and as
mentions inside free text (a note column where a fifth of the rows name a
phone number). It reports untagged PII with its evidence, untagged columns
whose name or comment suggests PII the sample did not show ("likely PII,
check"), tags that found nothing, and how each table was sampled. The
owners of untagged PII are asked in Slack; a dataset's pii.approvers can
then tag a column, which writes the tag in the warehouse and verifies it.`,
		Example: `  dre pii scan                       # every dataset; prints the report
  dre pii scan customers orders
  dre pii tag customers contact_email --sign ~/.ssh/id_ed25519.pub
  dre pii schedule --every 24h       # the daily scan as a Temporal Schedule`,
	}
	cmd.AddCommand(newPIIScanCmd(g), newPIITagCmd(g), newPIIScheduleCmd(g))
	return cmd
}

// piiScanFlags are the knobs shared by scan and schedule.
type piiScanFlags struct {
	limit         int
	threshold     float64
	contains      float64
	approval      time.Duration
	reportChannel string
}

func (f *piiScanFlags) register(cmd *cobra.Command) {
	cmd.Flags().IntVar(&f.limit, "limit", workflows.DefaultPIISampleLimit, "values sampled per column (1 to 1000)")
	cmd.Flags().Float64Var(&f.threshold, "threshold", 0.8, "share of a column's values that must match to flag it (0 to 1)")
	cmd.Flags().Float64Var(&f.contains, "contains-threshold", 0.2, "share of a free-text column's rows that must mention one kind to flag it (0 to 1)")
	cmd.Flags().DurationVar(&f.approval, "approval-timeout", 0, "how long tagging stays on offer (default 168h; scheduled: 90% of the interval)")
	cmd.Flags().StringVar(&f.reportChannel, "report-channel", "", "Slack channel for the whole report (default: each owner gets their part)")
}

// input builds the workflow input for the named datasets, or all of them.
func (f *piiScanFlags) input(cfg *config.Config, names []string) (workflows.PIIScanInput, error) {
	if f.limit < 1 || f.limit > 1000 || f.threshold <= 0 || f.threshold > 1 {
		return workflows.PIIScanInput{}, &usageError{fmt.Errorf("--limit %d, --threshold %v: use 1 to 1000 values and a ratio above 0 up to 1", f.limit, f.threshold)}
	}
	if f.contains <= 0 || f.contains > 1 {
		return workflows.PIIScanInput{}, &usageError{fmt.Errorf("--contains-threshold %v: use a share of rows above 0 up to 1, such as 0.2", f.contains)}
	}
	datasets := cfg.Catalog.Datasets()
	if len(names) > 0 {
		datasets = nil
		for _, n := range names {
			ds, err := cfg.Catalog.Lookup(n)
			if err != nil {
				return workflows.PIIScanInput{}, err
			}
			datasets = append(datasets, ds)
		}
	}
	if len(datasets) == 0 {
		return workflows.PIIScanInput{}, errors.New("the catalog has no datasets to scan; add some under datasets: in dre.yaml")
	}
	return workflows.PIIScanInput{Scope: workflows.PIIScanScope(names), Datasets: datasets, SampleLimit: f.limit,
		Threshold: f.threshold, ContainsThreshold: f.contains, ApprovalTimeout: f.approval, ReportChannel: f.reportChannel}, nil
}

func newPIIScanCmd(g *globals) *cobra.Command {
	var f piiScanFlags
	cmd := &cobra.Command{
		Use:   "scan [dataset...]",
		Short: "Scan datasets for PII now and print the report",
		Long: `scan starts the workflow pii-scan/<scope> (scope: "all", or the dataset names),
waits until every table is sampled and prints the Markdown report. Offers to
tag untagged PII stay open in the workflow until approved or timed out.`,
		Example: `  dre pii scan
  dre pii scan customers --limit 500 --threshold 0.9
  dre pii scan tickets --contains-threshold 0.1   # flag notes that mention PII in 10% of rows`,
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := g.loadConfig()
			if err != nil {
				return err
			}
			in, err := f.input(cfg, args) // before dialing: a bad flag needs no server
			if err != nil {
				return err
			}
			c, err := dialTemporal(cmd.Context(), cfg, g.opts.Stderr)
			if err != nil {
				return err
			}
			defer c.Close()
			r, err := workflows.StartPIIScan(cmd.Context(), c, cfg.Temporal.TaskQueue, in)
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			fmt.Fprint(out, r.Markdown)
			fmt.Fprintf(out, "\nrun: %s\n", g.workflowURL(cfg.Temporal.Namespace, r.WorkflowID))
			if r.Status == workflows.PIIScanAwaiting {
				fmt.Fprintf(out, "tag a column: dre pii tag <dataset> <column> --workflow %s --as <your person ID> --sign <your key>\n", r.WorkflowID)
			}
			return nil
		},
	}
	f.register(cmd)
	return cmd
}

// piiApproverHint explains where approvers come from: the CLI sees its
// own dre.yaml, while the worker's decides.
func piiApproverHint(ds catalog.Dataset) string {
	if len(ds.PII.Approvers) == 0 {
		return "dataset " + ds.Name + " lists no pii.approvers in your dre.yaml; the worker's dre.yaml decides who approves"
	}
	return fmt.Sprintf("approvers of %s in your dre.yaml: %v; the worker's dre.yaml decides who approves", ds.Name, ds.PII.Approvers)
}
