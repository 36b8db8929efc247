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
	var signRef, out, cpDir string
	cmd := &cobra.Command{
		Use:   "checkpoint",
		Short: "Sign the chain's head with your SSH key; keep the file so a deleted tail or a re-created log shows",
		Long: `Takes a checkpoint of the audit log's head (sequence number, hash, record
count, time), signs it with your SSH key in the namespace
dre-audit-checkpoint@dre.dev, records it in the dre_audit_checkpoints table and
writes it as JSON to --out, or into the directory --dir under a name with
its time and sequence number (else to stdout). The key must be listed under
people.<you>.keys in dre.yaml. "dre audit verify" then checks the log still
holds the checkpointed record with the same hash; keep the file somewhere the
state database's owner cannot reach (a ticket, a bucket, a Slack channel).
To publish checkpoints on a schedule, signed by the workers' own key, set
audit.checkpoint_every, checkpoint_key, checkpoint_signer and
checkpoint_dir or checkpoint_channel in dre.yaml and run dre schedules sync.`,
		Example: `  dre audit checkpoint --sign ~/.ssh/id_ed25519 --out audit-checkpoint-$(date +%F).json
  dre audit checkpoint --sign ~/.ssh/id_ed25519 --dir /mnt/audit-checkpoints
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
			if err := writeCheckpoint(cmd.OutOrStdout(), out, cpDir, sc); err != nil {
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
	cmd.Flags().StringVar(&out, "out", "", "file to write the signed checkpoint to (default: stdout, unless --dir)")
	cmd.Flags().StringVar(&cpDir, "dir", "", "checkpoint directory to write it into, as the scheduled checkpoints are (dre audit verify --checkpoint-dir reads the newest)")
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

// writeCheckpoint writes the document into dir and to path, or to stdout
// when neither is given.
func writeCheckpoint(stdout io.Writer, path, dir string, sc audit.SignedCheckpoint) error {
	if dir != "" {
		if _, err := audit.WriteCheckpointFile(dir, sc); err != nil {
			return err
		}
	}
	if path == "" && dir == "" {
		_, err := stdout.Write(sc.MarshalIndent())
		return err
	}
	if path == "" {
		return nil
	}
	if err := os.WriteFile(path, sc.MarshalIndent(), 0o644); err != nil {
		return fmt.Errorf("writing the checkpoint: %w", err)
	}
	return nil
}
