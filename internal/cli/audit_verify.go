package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/dre-dev/dre/internal/audit"
	"github.com/dre-dev/dre/internal/people"
)

func newAuditVerifyCmd(g *globals) *cobra.Command {
	var file, dir string
	cmd := &cobra.Command{
		Use:   "verify",
		Short: "Check the whole chain and the latest signed checkpoints; exit 1 naming edited, deleted or reordered records",
		Long: `Walks the hash chain from the first record and names the first edited,
deleted or reordered record. Then it checks the chain against every signed
checkpoint it can find (dre audit checkpoint, or the audit-checkpoint
schedule): the newest one in the dre_audit_checkpoints table, the newest
file in the checkpoint directory (--checkpoint-dir, default
audit.checkpoint_dir in dre.yaml), and the file given with --checkpoint.
Each signature must be by a key under people: in dre.yaml, and the log must
still hold each checkpointed record with the same hash: deleted newest
records, or a log dropped and re-created, are reported with what was lost.
A checkpoint file outside the database also shows the log and the
checkpoints table dropped together.`,
		Example: `  dre audit verify
  dre audit verify --checkpoint-dir /var/lib/dre/checkpoints
  dre audit verify --checkpoint audit-checkpoint-2026-12-01.json
  DRE_STATE_DSN=postgres://auditor@db/dre_state dre audit verify`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := g.loadConfig()
			if err != nil {
				return err
			}
			fromConfig := !cmd.Flags().Changed("checkpoint-dir")
			if fromConfig {
				dir = cfg.Audit.CheckpointDir
			}
			if fromConfig && dir != "" && !isDir(dir) {
				fmt.Fprintf(cmd.ErrOrStderr(), "audit.checkpoint_dir %s is not on this machine, so its files are not checked; pass --checkpoint-dir with a copy of it\n", dir)
				dir = ""
			}
			l, err := g.openAuditIn(cmd.Context(), cfg, dir)
			if err != nil {
				return err
			}
			defer l.Close()
			v, err := l.Verify(cmd.Context())
			if err != nil {
				return fmt.Errorf("reading the audit log: %w", err)
			}
			if v.Bad != nil {
				return fmt.Errorf("the audit log is NOT intact: %w (%d records before it verify)", v.Bad, v.Records)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "audit log intact: %d records, head %s\n", v.Records, v.Head)
			return verifyCheckpoints(cmd.Context(), cmd.OutOrStdout(), l, cfg.People, file, dir)
		},
	}
	cmd.Flags().StringVar(&file, "checkpoint", "", "a signed checkpoint file to check against as well")
	cmd.Flags().StringVar(&dir, "checkpoint-dir", "", "directory of checkpoint files whose newest to check against (default: audit.checkpoint_dir)")
	return cmd
}

// foundCheckpoint is a checkpoint and where it was found.
type foundCheckpoint struct {
	audit.SignedCheckpoint
	from      string
	fromTable bool
}

// verifyCheckpoints checks the log against each checkpoint found: its
// signature against the people directory, then that no checkpointed
// record is lost. Every loss is reported, each with what to do.
func verifyCheckpoints(ctx context.Context, out io.Writer, l *audit.Log, dir *people.Directory, file, cpDir string) error {
	found, err := findCheckpoints(ctx, l, file, cpDir)
	if err != nil {
		return err
	}
	if len(found) == 0 {
		fmt.Fprintln(out, noCheckpointNote)
		return nil
	}
	var losses []string
	for _, f := range found {
		who, loss, err := l.CheckCheckpoint(ctx, f.SignedCheckpoint, dir)
		if err != nil {
			return fmt.Errorf("the checkpoint in %s is refused: %w", f.from, err)
		}
		if loss != nil {
			losses = append(losses, fmt.Sprintf("it does not match the checkpoint of record %d signed by %s at %s (from %s): %s. %s",
				f.Seq, who.Person.ID, f.At.Format("2006-01-02T15:04:05Z"), f.from, loss.Reason, whatToDo(f, found)))
			continue
		}
		fmt.Fprintf(out, "checkpoint holds: record %d has head %s as signed by %s (%s) at %s (from %s)\n",
			f.Seq, f.Head, who.Person.ID, who.Fingerprint, f.At.Format("2006-01-02T15:04:05Z"), f.from)
	}
	if len(losses) > 0 {
		return errors.New("the audit log is NOT intact: " + strings.Join(losses, "\nAlso: "))
	}
	return nil
}

// whatToDo says what else the loss of f's records shows and what to
// restore: a file's checkpoint the table no longer has means the
// checkpoints were dropped or deleted with the log.
func whatToDo(f foundCheckpoint, all []foundCheckpoint) string {
	restore := fmt.Sprintf("Restore dre_audit_log from a backup of the state database taken after %s", f.At.Format("2006-01-02T15:04:05Z"))
	if f.fromTable {
		return restore + "."
	}
	for _, t := range all {
		if t.fromTable && !t.At.Before(f.At) {
			return restore + "."
		}
	}
	return "dre_audit_checkpoints no longer holds this checkpoint or a later one, so it was dropped, emptied or cut back with the log. " +
		restore + ", and dre_audit_checkpoints with it; the scheduled checkpoints stay refused until the log matches this file again."
}

// findCheckpoints reads the file, the newest recorded checkpoint and the
// newest file in cpDir; each that exists is returned.
func findCheckpoints(ctx context.Context, l *audit.Log, file, cpDir string) ([]foundCheckpoint, error) {
	var found []foundCheckpoint
	if file != "" {
		data, err := os.ReadFile(file)
		if err != nil {
			return nil, &usageError{fmt.Errorf("--checkpoint: %w", err)}
		}
		sc, err := audit.ParseCheckpoint(data)
		if err != nil {
			return nil, fmt.Errorf("--checkpoint %s: %w", file, err)
		}
		found = append(found, foundCheckpoint{SignedCheckpoint: sc, from: file})
	}
	sc, ok, err := l.LatestCheckpoint(ctx)
	if err != nil {
		return nil, err
	}
	if ok {
		found = append(found, foundCheckpoint{SignedCheckpoint: sc, from: "dre_audit_checkpoints", fromTable: true})
	}
	if cpDir == "" {
		return found, nil
	}
	sc, path, ok, err := l.CheckpointFile(ctx, cpDir)
	if err != nil {
		return nil, fmt.Errorf("checkpoint directory (--checkpoint-dir or audit.checkpoint_dir): %w", err)
	}
	if ok && filepath.Clean(path) != filepath.Clean(file) {
		found = append(found, foundCheckpoint{SignedCheckpoint: sc, from: path})
	}
	return found, nil
}

// isDir reports whether path is a directory here.
func isDir(path string) bool {
	st, err := os.Stat(path)
	return err == nil && st.IsDir()
}

// noCheckpointNote is what verify says when there is no checkpoint to
// compare with.
const noCheckpointNote = "no checkpoint yet: a deletion of the newest records or a re-created log would go unnoticed; sign one with dre audit checkpoint --sign <key>, or set audit.checkpoint_every and run dre schedules sync"
