// Package cli is dre's command line. Commands read and write only through
// Options, so tests run them in-process with captured output and a fake
// environment, exactly as a user would.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"
)

// Options are a command run's input and output.
type Options struct {
	Args   []string
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	// Env looks up environment variables (os.LookupEnv in production).
	Env func(key string) (string, bool)
}

// Main runs dre with opts and returns the process exit code: 0 on success,
// 1 on failure, 2 on a usage error, or the code an *exitCodeError carries
// (see backfill_follow.go). It never calls os.Exit, so tests can run
// it in-process.
func Main(ctx context.Context, opts Options) int {
	opts = withDefaults(opts)
	root := NewRootCommand(&opts)
	root.SetArgs(opts.Args)
	root.SetIn(opts.Stdin)
	root.SetOut(opts.Stdout)
	root.SetErr(opts.Stderr)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return 0
	}
	fmt.Fprintln(opts.Stderr, "dre:", err)
	var usage *usageError
	if errors.As(err, &usage) {
		return 2
	}
	// Commands whose outcome scripts branch on (backfill) say which code.
	var coded *exitCodeError
	if errors.As(err, &coded) {
		return coded.code
	}
	return 1
}

func withDefaults(o Options) Options {
	if o.Stdin == nil {
		o.Stdin = os.Stdin
	}
	if o.Stdout == nil {
		o.Stdout = os.Stdout
	}
	if o.Stderr == nil {
		o.Stderr = os.Stderr
	}
	if o.Env == nil {
		o.Env = os.LookupEnv
	}
	return o
}

// usageError marks a mistake in the command line itself (exit code 2).
type usageError struct{ err error }

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return e.err }

// globals are the flags every command shares.
type globals struct {
	opts       *Options
	configFlag string
	uiURL      string
}

// NewRootCommand builds the dre command tree over opts; Main runs it.
func NewRootCommand(opts *Options) *cobra.Command {
	g := &globals{opts: opts}
	root := &cobra.Command{
		Use:   "dre",
		Short: "Durable data reliability jobs on Temporal: checks, backfills, triage, deprecation, access reviews",
		Long: `dre runs data reliability engineering jobs as durable Temporal workflows.

Start everything on one machine with "dre dev --demo", then open the Temporal UI
it prints to watch every run.`,
		Example: `  dre dev --demo                 # Temporal + UI + worker + gateway + demo warehouse
  dre catalog lint dre.yaml      # check a config in CI
  dre catalog check orders       # probe a dataset through a durable workflow`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.PersistentFlags().StringVar(&g.configFlag, "config", "", "path to dre.yaml (default: $DRE_CONFIG, ./dre.yaml, then .dre/dre.yaml written by dre dev)")
	root.PersistentFlags().StringVar(&g.uiURL, "ui-url", "", "Temporal UI base URL for run links (default: $DRE_UI_URL or http://127.0.0.1:8233)")
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return &usageError{err} })
	root.AddCommand(newVersionCmd(), newDevCmd(g), newWorkerCmd(g), newGatewayCmd(g), newCatalogCmd(g))
	root.AddCommand(newRunbookCmd(g))
	root.AddCommand(newBackfillCmd(g))
	root.AddCommand(newTriageCmd(g))
	root.AddCommand(newDeprecateCmd(g))
	root.AddCommand(newSchedulesCmd(g))
	root.AddCommand(newPIICmd(g))
	root.AddCommand(newAccessCmd(g), newAuditCmd(g))
	root.AddCommand(newSLOCmd(g), newAdminCmd(g))
	root.AddCommand(newLineageCmd(g))
	return root
}

// minArgs is cobra.MinimumNArgs with errors marked as usage errors.
func minArgs(n int, what string) cobra.PositionalArgs {
	return func(_ *cobra.Command, args []string) error {
		if len(args) < n {
			return &usageError{fmt.Errorf("want %s, got %d arguments", what, len(args))}
		}
		return nil
	}
}

// exactArgs is cobra.ExactArgs with errors marked as usage errors.
func exactArgs(n int, what string) cobra.PositionalArgs {
	return func(_ *cobra.Command, args []string) error {
		if len(args) != n {
			return &usageError{fmt.Errorf("want %s, got %d arguments", what, len(args))}
		}
		return nil
	}
}
