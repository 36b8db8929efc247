package cli

import (
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/dre-dev/dre/internal/catalog"
	"github.com/dre-dev/dre/internal/config"
)

func newBackfillCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "backfill",
		Short: "Recompute a dataset's partitions over a range, exactly once each, validated",
		Long: `backfill rewrites the partitions of a catalog dataset in [--from, --to) with
the rows of its source (the dataset's source.select or source.table in
dre.yaml, or --select), through the durable workflow backfill/<dataset>.
Each partition is replaced in one transaction and recorded in a ledger, so
retries, crashes and restarts never apply it twice. One backfill runs per
dataset at a time; pause, resume, cancel or re-tune it while it runs.

` + backfillExitCodes,
		Example: `  dre backfill plan orders --from 2026-01-01 --to 2026-02-01
  dre backfill start orders --from 2026-01-01 --to 2026-02-01 --concurrency 4 --wait
  dre backfill watch orders
  dre backfill list
  dre backfill status orders --output json
  dre backfill pause orders
  dre backfill set orders --concurrency 8
  dre backfill resume orders
  dre backfill cancel orders`,
	}
	cmd.AddCommand(newBackfillPlanCmd(g), newBackfillStartCmd(g), newBackfillStatusCmd(g), newBackfillSetCmd(g),
		newBackfillWatchCmd(g), newBackfillListCmd(g))
	for _, c := range backfillControls {
		cmd.AddCommand(newBackfillControlCmd(g, c))
	}
	return cmd
}

// backfillDataset finds a dataset that can be backfilled, saying what to
// add to dre.yaml when it cannot.
func backfillDataset(cfg *config.Config, name string) (catalog.Dataset, error) {
	ds, err := cfg.Catalog.Lookup(name)
	if err != nil {
		return ds, err
	}
	if ds.Partition == nil {
		return ds, fmt.Errorf("dataset %q has no partition config; add to it in %s:\n    partition:\n      column: <its date or timestamp column>\n      granularity: day   # or hour, month", name, cfg.Path)
	}
	return ds, nil
}

// rangeFlags are --from and --to, read as UTC.
type rangeFlags struct{ from, to string }

func (r *rangeFlags) register(cmd *cobra.Command) {
	cmd.Flags().StringVar(&r.from, "from", "", "first partition, inclusive: 2026-01-01, 2026-01-01T15:00 or 2026-01 (UTC)")
	cmd.Flags().StringVar(&r.to, "to", "", "end of the range, exclusive, in the same forms")
}

func (r *rangeFlags) parse() (from, to time.Time, err error) {
	if r.from == "" || r.to == "" {
		return from, to, &usageError{errors.New("--from and --to are required, e.g. --from 2026-01-01 --to 2026-02-01")}
	}
	if from, err = parseBound(r.from); err != nil {
		return from, to, err
	}
	to, err = parseBound(r.to)
	return from, to, err
}

// boundLayouts are the forms --from and --to accept, longest first.
var boundLayouts = []string{time.RFC3339, "2006-01-02T15:04", "2006-01-02T15", "2006-01-02", "2006-01"}

func parseBound(s string) (time.Time, error) {
	for _, layout := range boundLayouts {
		if t, err := time.ParseInLocation(layout, s, time.UTC); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, &usageError{fmt.Errorf("cannot read %q as a time; use 2026-01-01, 2026-01-01T15:00, 2026-01 or RFC 3339", s)}
}
