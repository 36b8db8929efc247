package cli

import (
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/dre-dev/dre/internal/catalog"
	"github.com/dre-dev/dre/workflows"
)

// selectFlags choose which partitions a backfill rewrites, in which
// order, and how it publishes them; the workflow checks them again.
type selectFlags struct {
	only, of, partitions, order, publish string
}

func (s *selectFlags) register(cmd *cobra.Command) {
	cmd.Flags().StringVar(&s.only, "only", workflows.BackfillAll, "which partitions: all, missing (none an earlier backfill wrote from the same source) or failed (those an earlier run failed)")
	cmd.Flags().StringVar(&s.of, "of", "", "with --only failed, the run ID whose failures to redo (default: the last run over the range)")
	cmd.Flags().StringVar(&s.partitions, "partitions", "", "only these partitions, comma-separated: 2026-11-03,2026-11-07 (--from and --to may then be left out)")
	cmd.Flags().StringVar(&s.order, "order", workflows.BackfillOldestFirst, "oldest or newest partition first")
	cmd.Flags().StringVar(&s.publish, "publish", "", "wap: stage, audit with dre.yaml's validation checks, publish only what passes; direct: replace, then validate (default: the dataset's validation.mode)")
}

// apply puts the selection into the workflow input.
func (s *selectFlags) apply(in *workflows.BackfillInput) error {
	in.Only, in.OfRun, in.Order, in.Publish = s.only, s.of, s.order, s.publish
	if s.publish != "" && s.publish != catalog.PublishWAP && s.publish != catalog.PublishDirect {
		return &usageError{fmt.Errorf("--publish %q: use %s or %s", s.publish, catalog.PublishWAP, catalog.PublishDirect)}
	}
	parts, err := parsePartitions(s.partitions)
	in.Partitions = parts
	return err
}

// parsePartitions reads a comma-separated list of partition starts.
func parsePartitions(list string) ([]time.Time, error) {
	if strings.TrimSpace(list) == "" {
		return nil, nil
	}
	var out []time.Time
	for _, item := range strings.Split(list, ",") {
		t, err := parseBound(strings.TrimSpace(item))
		if err != nil {
			return nil, &usageError{fmt.Errorf("--partitions: %v", err)}
		}
		out = append(out, t)
	}
	return out, nil
}
