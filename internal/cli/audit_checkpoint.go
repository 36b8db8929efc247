package cli

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"github.com/dre-dev/dre/internal/audit"
	"github.com/dre-dev/dre/internal/decision"
	"github.com/dre-dev/dre/internal/people"
)

func newAuditCheckpointCmd(g *globals) *cobra.Command {
	var signRef, out string
	cmd := &cobra.Command{
		Use:   "checkpoint",
		Short: "Sign the chain's head with your SSH key; keep the file so a deleted tail or a re-created log shows",
		Long: `Takes a checkpoint of the audit log's head (sequence number, hash, record
count, time), signs it with your SSH key in the namespace
dre-audit-checkpoint@dre.dev, records it in the dre_audit_checkpoints table and
writes it as JSON to --out (else stdout). The key must be listed under
people.<you>.keys in dre.yaml. "dre audit verify" then checks the log still
holds the checkpointed record with the same hash; keep the file somewhere the
state database's owner cannot reach (a ticket, a bucket, a Slack channel).
Run it on a schedule, e.g. daily from cron.`,
		Example: `  dre audit checkpoint --sign ~/.ssh/id_ed25519 --out audit-checkpoint-$(date +%F).json
  DRE_SIGNING_KEY=SHA256:abc... dre audit checkpoint > checkpoint.json`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			l, dir, err := g.openAuditWithPeople(cmd.Context())
			if err != nil {
				return err
			}
			defer l.Close()
			sc, err := g.signCheckpoint(cmd.Context(), l, dir, signRef)
			if err != nil {
				return err
			}
			if err := writeCheckpoint(cmd.OutOrStdout(), out, sc); err != nil {
				return err
			}
			if err := l.SaveCheckpoint(cmd.Context(), sc); err != nil {
				return err
			}
			fmt.Fprintf(cmd.ErrOrStderr(), "checkpoint of record %d (head %s) signed by %s (%s), recorded in dre_audit_checkpoints\n",
				sc.Seq, sc.Head, sc.Signer, sc.Fingerprint)
			return nil
		},
	}
	cmd.Flags().StringVar(&signRef, "sign", "", "signing key: SHA256 fingerprint in ssh-agent, .pub file, or private key file (default: DRE_SIGNING_KEY, else ssh-agent's only key)")
	cmd.Flags().StringVar(&out, "out", "", "file to write the signed checkpoint to (default: stdout)")
	return cmd
}

// signCheckpoint takes the log's checkpoint and signs it with the key ref
// names (or DRE_SIGNING_KEY, or ssh-agent's only key).
func (g *globals) signCheckpoint(ctx context.Context, l *audit.Log, dir *people.Directory, ref string) (audit.SignedCheckpoint, error) {
	c, err := l.Checkpoint(ctx)
	if err != nil {
		return audit.SignedCheckpoint{}, err
	}
	if ref == "" {
		ref, _ = g.opts.Env("DRE_SIGNING_KEY")
	}
	socket, _ := g.opts.Env("SSH_AUTH_SOCK")
	signer, err := decision.OpenSigner(ref, socket)
	if err != nil {
		return audit.SignedCheckpoint{}, err
	}
	// Closing only drops the agent connection, after the signature is made.
	defer func() { _ = signer.Close() }()
	return audit.SignCheckpoint(c, signer, dir)
}

// writeCheckpoint writes the document to path, or to stdout when path is "".
func writeCheckpoint(stdout io.Writer, path string, sc audit.SignedCheckpoint) error {
	if path == "" {
		_, err := stdout.Write(sc.MarshalIndent())
		return err
	}
	if err := os.WriteFile(path, sc.MarshalIndent(), 0o644); err != nil {
		return fmt.Errorf("writing the checkpoint: %w", err)
	}
	return nil
}

// verifyCheckpoint checks the log against the checkpoint file, or the
// newest recorded checkpoint when file is "": its signature against the
// people directory, then that no checkpointed record is lost.
func verifyCheckpoint(ctx context.Context, out io.Writer, l *audit.Log, dir *people.Directory, file string) error {
	sc, source, err := chooseCheckpoint(ctx, l, file)
	if err != nil {
		return err
	}
	if source == "" {
		fmt.Fprintln(out, noCheckpointNote)
		return nil
	}
	who, err := sc.VerifySignature(dir)
	if err != nil {
		return fmt.Errorf("the checkpoint in %s is refused: %w", source, err)
	}
	loss, err := l.Compare(ctx, sc.Checkpoint)
	if err != nil {
		return fmt.Errorf("comparing the audit log with the checkpoint: %w", err)
	}
	if loss != nil {
		return fmt.Errorf("the audit log is NOT intact: it does not match the checkpoint of record %d signed by %s at %s (from %s): %s",
			sc.Seq, who.Person.ID, sc.At.Format("2006-01-02T15:04:05Z"), source, loss.Reason)
	}
	fmt.Fprintf(out, "checkpoint holds: record %d has head %s as signed by %s (%s) at %s (from %s)\n",
		sc.Seq, sc.Head, who.Person.ID, who.Fingerprint, sc.At.Format("2006-01-02T15:04:05Z"), source)
	return nil
}

// chooseCheckpoint reads the file, or the newest recorded checkpoint; an
// empty source means there is none to check against.
func chooseCheckpoint(ctx context.Context, l *audit.Log, file string) (audit.SignedCheckpoint, string, error) {
	if file != "" {
		data, err := os.ReadFile(file)
		if err != nil {
			return audit.SignedCheckpoint{}, "", &usageError{fmt.Errorf("--checkpoint: %w", err)}
		}
		sc, err := audit.ParseCheckpoint(data)
		if err != nil {
			return audit.SignedCheckpoint{}, "", fmt.Errorf("--checkpoint %s: %w", file, err)
		}
		return sc, file, nil
	}
	sc, found, err := l.LatestCheckpoint(ctx)
	if err != nil || !found {
		return audit.SignedCheckpoint{}, "", err
	}
	return sc, "dre_audit_checkpoints", nil
}

// noCheckpointNote is what verify says when there is no checkpoint to
// compare with.
const noCheckpointNote = "no checkpoint yet: a deletion of the newest records or a re-created log would go unnoticed; sign one with dre audit checkpoint --sign <key>"
