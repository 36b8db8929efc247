package cli

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/dre-dev/dre/internal/temporaladmin"
	"github.com/dre-dev/dre/workflows"
)

func newAdminCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "admin",
		Short: "Prepare a Temporal cluster for dre",
		Long: `admin prepares a Temporal cluster you run yourself (or Temporal Cloud) for dre.
dre dev does the same for its embedded server on every start.`,
		Example: `  TEMPORAL_ADDRESS=temporal-frontend:7233 dre admin setup
  dre admin setup --retention 90d`,
	}
	cmd.AddCommand(newAdminSetupCmd(g))
	return cmd
}

func newAdminSetupCmd(g *globals) *cobra.Command {
	var retention string
	cmd := &cobra.Command{
		Use:   "setup",
		Short: "Register dre's namespace and search attributes, idempotently, printing what it changed",
		Long: `setup registers the namespace of dre.yaml (temporal.namespace) if it is
missing, sets its retention, and adds the search attributes dre's workflows
use (DreKind, DreDataset, ...), through the frontend's APIs, the way a
production install is done. Running it again changes nothing and says so.
On Temporal Cloud, create the namespace in the Cloud console first; setup
then adds the search attributes.`,
		Example: `  dre admin setup
  dre admin setup --retention 90d   # keep closed runs 90 days`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			keep, err := parseRetention(retention)
			if err != nil {
				return &usageError{err}
			}
			cfg, err := g.loadConfig()
			if err != nil {
				return err
			}
			c, err := dialTemporal(cmd.Context(), cfg, g.opts.Stderr)
			if err != nil {
				return err
			}
			defer c.Close()
			done, err := temporaladmin.Setup(cmd.Context(), c, temporaladmin.Namespace{
				Name: cfg.Temporal.Namespace, Retention: keep, SearchAttributes: workflows.SearchAttributes(),
			})
			if err != nil {
				return err
			}
			for _, line := range done {
				fmt.Fprintln(cmd.OutOrStdout(), line)
			}
			if len(done) == 0 {
				fmt.Fprintf(cmd.OutOrStdout(), "namespace %s is ready for dre; nothing changed\n", cfg.Temporal.Namespace)
			}
			return nil
		},
	}
	// 30 days, as dre dev keeps them: a month of closed runs for audits and postmortems.
	cmd.Flags().StringVar(&retention, "retention", "30d", "how long closed runs stay visible: days (30d) or a Go duration (720h)")
	return cmd
}

// parseRetention reads a retention as days ("30d") or a Go duration.
func parseRetention(s string) (time.Duration, error) {
	var days int
	if n, err := fmt.Sscanf(s, "%dd", &days); err == nil && n == 1 && fmt.Sprintf("%dd", days) == s {
		if days < 1 {
			return 0, fmt.Errorf("--retention %q: keep closed runs at least 1 day (Temporal's minimum)", s)
		}
		return time.Duration(days) * 24 * time.Hour, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 24*time.Hour {
		return 0, fmt.Errorf("--retention %q: give days (30d) or a duration of at least 24h (720h)", s)
	}
	return d, nil
}
