package cli

import (
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/dre-dev/dre/internal/catalog"
	"github.com/dre-dev/dre/internal/lineage"
	"github.com/dre-dev/dre/workflows"
)

func newDeprecatePlanCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "plan <dataset>",
		Short: "Print a deprecation's dates, phase by phase, from the catalog; starts nothing",
		Long: `plan reads the dataset's lifecycle and prints when each phase would happen
if the deprecation started on deprecate_on (or now, when that has passed),
with nobody extending, vetoing or reading the table at the usage gate.

It then lists the consumers the lineage knows: every dataset downstream of
this one (its upstream: entries, at any depth), with their owners, who
should hear of the deprecation before the table goes.`,
		Example: `  dre deprecate plan legacy_sessions`,
		Args:    exactArgs(1, "one dataset name (see dre catalog list)"),
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := g.loadConfig()
			if err != nil {
				return err
			}
			ds, err := lifecycleDataset(cfg, args[0])
			if err != nil {
				return err
			}
			printDeprecatePlan(cmd.OutOrStdout(), ds, time.Now().UTC())
			graph, _ := lineage.Build(cfg.Catalog.Datasets()) // config.Load refused cycles
			printDownstreamConsumers(cmd.OutOrStdout(), graph, ds.Name)
			return nil
		},
	}
}

// printDeprecatePlan prints the phases of ds's lifecycle from now.
func printDeprecatePlan(w io.Writer, ds catalog.Dataset, now time.Time) {
	l := ds.Lifecycle
	start := l.DeprecateOn.Time()
	if now.After(start) {
		start = now
	}
	retire := start.Add(l.GracePeriod.Duration)
	row := func(at time.Time, phase, what string) {
		fmt.Fprintf(w, "%s  %-11s %s\n", at.Format(time.RFC3339), phase, what)
	}
	fmt.Fprintf(w, "%s (%s), replacement %s\n", ds.Name, ds.Table, orNone(l.Replacement))
	row(start, workflows.DeprecateAnnounce, "comment, label "+workflows.DeprecateRetiresLabel+", Slack to "+orNone(ds.Owner.SlackChannel)+" and the readers")
	if every := l.RemindEvery.Duration; every > 0 {
		n := 0
		for t := start.Add(every); t.Before(retire); t = t.Add(every) {
			n++
		}
		row(start.Add(every), workflows.DeprecateRemind, fmt.Sprintf("every %s until acknowledged: %d reminders at most", l.RemindEvery, n))
	}
	for _, b := range l.Brownouts {
		what := "reads revoked for " + b.Duration.String()
		if b.Start.Add(b.Duration.Duration).Before(start) {
			what = "skipped: over before the announce"
		}
		row(b.Start.UTC(), workflows.DeprecateBrownout, what)
	}
	if l.UsageGate.Duration > 0 {
		row(retire, workflows.DeprecateUsageGate, "pause for the owner if read in the last "+l.UsageGate.String())
	}
	row(retire, workflows.DeprecateSoftDelete, "reads revoked, moved to "+workflows.ArchivedName(ds, retire))
	final := retire.Add(l.SoftDeleteRetention.Duration)
	if l.Snapshot {
		row(final, workflows.DeprecateSnapshot, "copy with its metadata")
	}
	row(final, workflows.DeprecateFinal, string(l.FinalAction))
}

// printDownstreamConsumers lists the datasets downstream of name, nearest
// first, with who owns them.
func printDownstreamConsumers(w io.Writer, graph *lineage.Graph, name string) {
	sg, err := graph.Walk(name, lineage.Down, 0)
	if err != nil || len(sg.Nodes) == 1 {
		fmt.Fprintf(w, "\nno downstream datasets in the lineage (upstream: entries in dre.yaml)\n")
		return
	}
	fmt.Fprintf(w, "\ndownstream consumers (%d), from the lineage:\n", len(sg.Nodes)-1)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "  DEPTH\tDATASET\tTABLE\tOWNER\tSLACK")
	for _, n := range sg.Nodes[1:] {
		d, _ := graph.Dataset(n.Name)
		table := n.Table
		if n.External {
			table = "(outside the catalog)"
		}
		fmt.Fprintf(tw, "  %d\t%s\t%s\t%s\t%s\n", n.Depth, n.Name, table, orNone(d.Owner.Team), orNone(d.Owner.SlackChannel))
	}
	_ = tw.Flush()
	fmt.Fprintf(w, "picture: dre lineage %s --downstream -o mermaid\n", name)
}
