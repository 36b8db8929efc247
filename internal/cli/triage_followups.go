package cli

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/dre-dev/dre/internal/followups"
)

// newTriageFollowupsCmd groups list, add and done of postmortem
// follow-ups, kept in the state database.
func newTriageFollowupsCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "followups",
		Short: "Postmortem follow-ups: list, add and close them; open ones are posted weekly until done",
		Long: `Follow-ups are the action items of an incident's postmortem, kept in dre's
state database (state.dsn in dre.yaml) until someone closes them. The
followup-reminders schedule (dre schedules sync) posts the open ones every
Monday at 09:00 UTC to their dataset's owner channel, mentioning each
owner, until they are done.`,
		Example: `  dre triage followups list
  dre triage followups add orders --owner alice --incident triage/orders "alert on late loads before 6am"
  dre triage followups done 12`,
	}
	cmd.AddCommand(newFollowupsListCmd(g), newFollowupsAddCmd(g), newFollowupsDoneCmd(g))
	return cmd
}

// followupStore opens the state database of g's dre.yaml.
func (g *globals) followupStore() (*followups.Store, error) {
	cfg, err := g.loadConfig()
	if err != nil {
		return nil, err
	}
	dsn, err := g.stateDSNOf(cfg)
	if err != nil {
		return nil, err
	}
	return followups.New(dsn), nil
}

func newFollowupsListCmd(g *globals) *cobra.Command {
	var dataset string
	var all bool
	cmd := &cobra.Command{
		Use:   "list",
		Short: "The open follow-ups (with --all, the done ones too)",
		Example: `  dre triage followups list
  dre triage followups list --dataset orders --all`,
		Args: exactArgs(0, "no arguments; filter with --dataset"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			store, err := g.followupStore()
			if err != nil {
				return err
			}
			defer store.Close()
			items, err := store.List(cmd.Context(), dataset, all)
			if err != nil {
				return err
			}
			printFollowups(cmd.OutOrStdout(), items)
			return nil
		},
	}
	cmd.Flags().StringVar(&dataset, "dataset", "", "only this dataset's follow-ups")
	cmd.Flags().BoolVar(&all, "all", false, "include the done ones")
	return cmd
}

// printFollowups writes one line per item, or says there are none.
func printFollowups(w io.Writer, items []followups.Item) {
	if len(items) == 0 {
		fmt.Fprintln(w, "no follow-ups")
		return
	}
	for _, it := range items {
		state := "open"
		if !it.Open() {
			state = "done by " + it.DoneBy + " " + it.DoneAt.Format(time.DateOnly)
		}
		fmt.Fprintf(w, "%-5d %-14s %-12s %s  (%s, since %s%s)\n", it.ID, it.Dataset, it.Owner, it.Text, state,
			it.CreatedAt.Format(time.DateOnly), prefixed(", ", it.Incident))
	}
}

func prefixed(prefix, s string) string {
	if s == "" {
		return ""
	}
	return prefix + s
}

func newFollowupsAddCmd(g *globals) *cobra.Command {
	var owner, incident string
	cmd := &cobra.Command{
		Use:   "add <dataset> --owner <person> <text>",
		Short: "Record a follow-up of a dataset's incident",
		Example: `  dre triage followups add orders --owner alice "alert on late loads before 6am"
  dre triage followups add orders --owner U0123ABCD --incident triage/orders "add a unique key on order_id"`,
		Args: minArgs(2, "a dataset and the follow-up's text"),
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := g.loadConfig()
			if err != nil {
				return err
			}
			if _, err := cfg.Catalog.Lookup(args[0]); err != nil {
				return err
			}
			if owner == "" {
				return &usageError{errors.New("--owner is required: a person under people: in dre.yaml, or a Slack user ID, who will see the weekly reminder")}
			}
			store, err := g.followupStore()
			if err != nil {
				return err
			}
			defer store.Close()
			it, err := store.Add(cmd.Context(), followups.Item{Dataset: args[0], Incident: incident, Owner: owner,
				Text: strings.Join(args[1:], " "), CreatedAt: time.Now(), CreatedBy: g.cliActor()})
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "follow-up %d of %s for %s; close it with: dre triage followups done %d\n", it.ID, it.Dataset, it.Owner, it.ID)
			return nil
		},
	}
	cmd.Flags().StringVar(&owner, "owner", "", "who does it: a person under people: or a Slack user ID (required)")
	cmd.Flags().StringVar(&incident, "incident", "", "the incident's workflow ID, like triage/orders")
	return cmd
}

func newFollowupsDoneCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:     "done <id>",
		Short:   "Close a follow-up: it is no longer posted",
		Example: "  dre triage followups done 12",
		Args:    exactArgs(1, "the follow-up's ID (see dre triage followups list)"),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := strconv.ParseInt(args[0], 10, 64)
			if err != nil || id <= 0 {
				return &usageError{fmt.Errorf("%q is not a follow-up ID; see dre triage followups list", args[0])}
			}
			store, err := g.followupStore()
			if err != nil {
				return err
			}
			defer store.Close()
			it, err := store.Done(cmd.Context(), id, g.cliActor(), time.Now())
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "follow-up %d of %s done: %s\n", it.ID, it.Dataset, it.Text)
			return nil
		},
	}
}
