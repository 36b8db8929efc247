package cli

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/dre-dev/dre/internal/audit"
)

func newAuditResetCmd(g *globals) *cobra.Command {
	var iKnow bool
	var reason, checkpointDir string
	cmd := &cobra.Command{
		Use:   "reset --i-know --reason <why>",
		Short: "Start a new audit log in place of one dropped after a checkpoint, when no backup can be restored",
		Long: `Once a signed checkpoint exists, dre refuses to create an empty audit log in
place of a dropped dre_audit_log table. Restore the table from a backup of the
state database if you can. If you cannot, reset starts a new log whose first
record (action audit.reset) names you, your reason and the checkpoint whose
records were lost; older checkpoints then no longer apply, so sign a new one
with dre audit checkpoint. Reset refuses while dre_audit_log exists: rename a
truncated or rewritten table first to keep it as evidence. When the
dre_audit_checkpoints table was dropped too, the lost checkpoint is the newest
file in the checkpoint directory (--checkpoint-dir, default
audit.checkpoint_dir); files from before the reset then no longer apply.`,
		Example: `  dre audit reset --i-know --reason "state database lost in INC-123, no backup since 2026-11-30"
  dre audit checkpoint --sign ~/.ssh/id_ed25519 --out audit-checkpoint.json`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if !iKnow || reason == "" {
				return &usageError{errors.New("reset records the loss of the audit log for good: say --i-know and give --reason")}
			}
			cfg, err := g.loadConfig()
			if err != nil {
				return err
			}
			dsn, err := g.stateDSNOf(cfg)
			if err != nil {
				return err
			}
			if !cmd.Flags().Changed("checkpoint-dir") {
				checkpointDir = cfg.Audit.CheckpointDir
			}
			first, err := audit.Reset(cmd.Context(), dsn, g.cliActor(), reason, audit.Options{CheckpointDir: checkpointDir})
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "new audit log started: record 1 (hash %s) records the loss after checkpoint %s; sign a new checkpoint with dre audit checkpoint\n",
				first.Hash, first.Details["lost_after_checkpoint"])
			return nil
		},
	}
	cmd.Flags().BoolVar(&iKnow, "i-know", false, "confirm that the dropped log's records are lost")
	cmd.Flags().StringVar(&reason, "reason", "", "why the log could not be restored (kept in the reset record)")
	cmd.Flags().StringVar(&checkpointDir, "checkpoint-dir", "", "checkpoint files to find the lost checkpoint in when dre_audit_checkpoints was dropped too (default: audit.checkpoint_dir)")
	return cmd
}
