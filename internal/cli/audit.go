package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/dre-dev/dre/internal/audit"
	"github.com/dre-dev/dre/internal/config"
	"github.com/dre-dev/dre/internal/people"
)

func newAuditCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "audit",
		Short: "Verify and export dre's hash-chained audit log (grants, revocations, approvals, reviews)",
		Long: `Every grant, revocation, approval, denial and review decision dre makes is a
record in the audit log, a table in the state database (state.dsn, or the
embedded cluster of dre dev). Each record carries the SHA-256 of its content
and of the record before it, so editing, deleting or reordering records
breaks the chain; "dre audit verify" finds the first bad record. A signed
checkpoint of the head ("dre audit checkpoint", or the audit-checkpoint
schedule that audit.checkpoint_every in dre.yaml and dre schedules sync set
up, signed by the workers' own key) also shows newest records deleted or the
table dropped and re-created: verify checks the newest recorded one and the
newest file in the checkpoint directory, and once one exists dre refuses to
start an empty log in place of a dropped one.`,
		Example: `  dre audit verify
  dre audit checkpoint --sign ~/.ssh/id_ed25519 --out audit-checkpoint.json
  dre audit verify --checkpoint audit-checkpoint.json
  dre audit verify --checkpoint-dir /var/lib/dre/checkpoints
  dre audit export --from 2026-10-01 --to 2027-01-01 --format csv > q4.csv`,
	}
	cmd.AddCommand(newAuditVerifyCmd(g), newAuditCheckpointCmd(g), newAuditResetCmd(g), newAuditExportCmd(g))
	return cmd
}

func newAuditExportCmd(g *globals) *cobra.Command {
	var from, to, format string
	cmd := &cobra.Command{
		Use:   "export",
		Short: "Write the records of a time range as CSV or JSON lines to stdout",
		Example: `  dre audit export --from 2026-10-01 --to 2027-01-01 --format csv
  dre audit export --from 2026-12-01T00:00:00Z --format json | jq .action`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			start, err := parseAuditTime("--from", from)
			if err != nil {
				return err
			}
			end, err := parseAuditTime("--to", to)
			if err != nil {
				return err
			}
			if format != audit.FormatCSV && format != audit.FormatJSON {
				return &usageError{fmt.Errorf("--format %q: want csv or json", format)}
			}
			l, err := g.openAudit(cmd.Context())
			if err != nil {
				return err
			}
			defer l.Close()
			n, err := l.Export(cmd.Context(), cmd.OutOrStdout(), start, end, format)
			if err != nil {
				return fmt.Errorf("exporting the audit log: %w", err)
			}
			fmt.Fprintf(cmd.ErrOrStderr(), "%d records exported\n", n)
			return nil
		},
	}
	cmd.Flags().StringVar(&from, "from", "", "first time included: a date (2026-10-01) or RFC 3339 time (default: the first record)")
	cmd.Flags().StringVar(&to, "to", "", "first time excluded, like --from (default: now)")
	cmd.Flags().StringVar(&format, "format", audit.FormatCSV, "csv or json (one record per line)")
	return cmd
}

// parseAuditTime reads a date or an RFC 3339 time; "" is the open end.
func parseAuditTime(flag, s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, &usageError{fmt.Errorf("%s %q: write a date like 2026-10-01 or a time like 2026-10-01T09:00:00Z", flag, s)}
	}
	return t, nil
}

// openAudit opens the audit log of the configured state database.
func (g *globals) openAudit(ctx context.Context) (*audit.Log, error) {
	l, _, err := g.openAuditWithPeople(ctx)
	return l, err
}

// openAuditWithPeople opens the audit log and returns dre.yaml's people
// directory too, which checkpoint signatures are checked against.
func (g *globals) openAuditWithPeople(ctx context.Context) (*audit.Log, *people.Directory, error) {
	l, cfg, err := g.openAuditWithConfig(ctx)
	if err != nil {
		return nil, nil, err
	}
	return l, cfg.People, nil
}

// openAuditWithConfig opens the audit log and returns dre.yaml too.
func (g *globals) openAuditWithConfig(ctx context.Context) (*audit.Log, *config.Config, error) {
	cfg, err := g.loadConfig()
	if err != nil {
		return nil, nil, err
	}
	l, err := g.openAuditIn(ctx, cfg, cfg.Audit.CheckpointDir)
	return l, cfg, err
}

// openAuditIn opens the audit log of cfg's state database; the newest
// checkpoint file in checkpointDir, if any, keeps a dropped log from
// being re-created empty even when the checkpoints table was dropped too.
func (g *globals) openAuditIn(ctx context.Context, cfg *config.Config, checkpointDir string) (*audit.Log, error) {
	dsn, err := g.stateDSNOf(cfg)
	if err != nil {
		return nil, err
	}
	return audit.OpenWith(ctx, dsn, audit.Options{CheckpointDir: checkpointDir})
}

// stateDSNOf finds the state database: state.dsn (or DRE_STATE_DSN), or,
// for embedded state, the cluster of a dre dev running in this directory.
func (g *globals) stateDSNOf(cfg *config.Config) (string, error) {
	if cfg.State.DSN.IsSet() {
		s := cfg.State.DSN
		if err := s.Resolve(config.Env(g.opts.Env)); err != nil {
			return "", fmt.Errorf("state.dsn: %w", err)
		}
		return s.Value(), nil
	}
	if !cfg.State.Embedded {
		return "", errors.New("no state database: set state.dsn in dre.yaml or DRE_STATE_DSN (the audit log lives there)")
	}
	return devStateDSN(cfg.Path)
}

// devStateDSN reads the port of dre dev's PostgreSQL cluster from its
// postmaster.pid (line 4), next to the config dre dev wrote, or in .dre.
func devStateDSN(configPath string) (string, error) {
	for _, dir := range []string{filepath.Dir(configPath), ".dre"} {
		b, err := os.ReadFile(filepath.Join(dir, "pg", "postmaster.pid"))
		if err != nil {
			continue
		}
		if lines := strings.Split(string(b), "\n"); len(lines) > 3 && strings.TrimSpace(lines[3]) != "" {
			return fmt.Sprintf("postgres://postgres@127.0.0.1:%s/dre_state?sslmode=disable", strings.TrimSpace(lines[3])), nil
		}
	}
	return "", errors.New("state is embedded, but no dre dev is running here: start `dre dev` in this directory, or set DRE_STATE_DSN")
}

// stateDSN is what a worker under dre dev writes its audit log to: the
// embedded state database when there is one, else state.dsn.
func stateDSN(cfg *config.Config, embedded string) string {
	if embedded != "" {
		return embedded
	}
	return cfg.State.DSN.Value()
}
