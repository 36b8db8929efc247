package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/dre-dev/dre/workflows"
)

func newDeprecateStatusCmd(g *globals) *cobra.Command {
	var output string
	cmd := &cobra.Command{
		Use:   "status <dataset>",
		Short: "Show a deprecation's phase, dates, consumers, acknowledgements and timeline",
		Example: `  dre deprecate status legacy_sessions
  dre deprecate status legacy_sessions --output json`,
		Args: exactArgs(1, "one dataset name (see dre catalog list)"),
		RunE: func(cmd *cobra.Command, args []string) error {
			s, err := g.deprecateSession(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			defer s.c.Close()
			v, err := s.c.QueryWorkflow(cmd.Context(), workflows.DeprecateWorkflowID(args[0]), "", workflows.StatusQuery)
			var st workflows.DeprecateStatus
			if err == nil {
				err = v.Get(&st)
			}
			if err != nil {
				return fmt.Errorf("no deprecation of %s to show (start one with `dre deprecate start %s`): %w", args[0], args[0], err)
			}
			if output == "json" {
				enc := json.NewEncoder(cmd.OutOrStdout())
				enc.SetIndent("", "  ")
				return enc.Encode(st)
			}
			printDeprecation(cmd.OutOrStdout(), st)
			return nil
		},
	}
	cmd.Flags().StringVarP(&output, "output", "o", "text", "text or json")
	return cmd
}

// deprecateLine is a deprecation in one line.
func deprecateLine(s workflows.DeprecateStatus) string {
	line := fmt.Sprintf("%s (%s): %s, %s", s.Dataset, s.Table, s.Phase, s.Status)
	if !s.RetiresAt.IsZero() {
		line += ", retires " + s.RetiresAt.UTC().Format(time.RFC3339)
	}
	if s.Pause != nil {
		line += fmt.Sprintf(", paused (%s: %s) until %s", s.Pause.Kind, s.Pause.Reason, s.Pause.Deadline.UTC().Format(time.RFC3339))
	}
	return line
}

func printDeprecation(w io.Writer, s workflows.DeprecateStatus) {
	fmt.Fprintln(w, deprecateLine(s))
	if s.Archived != "" {
		fmt.Fprintf(w, "archived as %s; %s\n", s.Archived, dropLine(s))
	}
	if s.Snapshot != "" {
		fmt.Fprintf(w, "snapshot %s\n", s.Snapshot)
	}
	fmt.Fprintf(w, "consumers: %s; acknowledged: %s; reminders sent: %d\n",
		orNone(strings.Join(s.Consumers, ", ")), orNone(strings.Join(s.Acked, ", ")), s.Reminders)
	for _, e := range s.Timeline {
		by := ""
		switch {
		case e.By != "" && e.Evidence != "":
			by = " (" + e.By + ", " + evidenceText(e.Evidence) + ")"
		case e.By != "":
			by = " (" + e.By + ")"
		}
		fmt.Fprintf(w, "  %s  %-11s %s%s\n", e.At.UTC().Format(time.RFC3339), e.Phase, e.What, by)
	}
}

func dropLine(s workflows.DeprecateStatus) string {
	if s.DropAt.IsZero() {
		return "kept"
	}
	return "final action at " + s.DropAt.UTC().Format(time.RFC3339)
}

// evidenceText says how a decision was proven: by which key, or not.
func evidenceText(evidence string) string {
	if evidence == workflows.Unverified {
		return "unverified"
	}
	return "signed by " + evidence
}
