package cli

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/dre-dev/dre/internal/schedules"
)

// newAccessReviewScheduleCmd creates or updates the quarterly review's
// Temporal Schedule; run again, it changes only what the flags changed.
func newAccessReviewScheduleCmd(g *globals) *cobra.Command {
	f := &reviewFlags{}
	cmd := &cobra.Command{
		Use:     "schedule",
		Short:   "Create or update the Temporal Schedule that starts a review each quarter",
		Example: "  dre access review schedule --deadline 14d --ignore postgres,etl",
		Args:    exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, c, err := g.configAndClient(cmd.Context())
			if err != nil {
				return err
			}
			defer c.Close()
			in, err := f.input(cfg, "")
			if err != nil {
				return err
			}
			change, err := schedules.Ensure(cmd.Context(), c.ScheduleClient(), schedules.AccessReview(in, cfg.Temporal.TaskQueue))
			if err != nil {
				return err
			}
			fmt.Fprintln(cmd.OutOrStdout(), change)
			return nil
		},
	}
	f.register(cmd)
	return cmd
}
