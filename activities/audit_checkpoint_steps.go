package activities

import (
	"context"
	"fmt"
	"os"

	"golang.org/x/crypto/ssh"

	"github.com/dre-dev/dre/internal/audit"
	"github.com/dre-dev/dre/internal/decision"
)

// checkNewestFile compares the log with the newest checkpoint file. This
// is what catches both tables dropped together: the state database then
// holds no checkpoint, and a new one signed over the re-created log would
// become the newest file and hide the loss.
func (a *AuditCheckpoints) checkNewestFile(ctx context.Context, l *audit.Log) error {
	if a.Dir == "" {
		return nil
	}
	if err := os.MkdirAll(a.Dir, 0o755); err != nil {
		return refuse("audit.checkpoint_dir: %v; create the directory, writable by the worker", err)
	}
	sc, path, found, err := l.CheckpointFile(ctx, a.Dir)
	if err != nil {
		return refuse("audit.checkpoint_dir: %v; move the unreadable file away", err)
	}
	if !found {
		return nil
	}
	_, loss, err := l.CheckCheckpoint(ctx, sc, a.People)
	switch {
	case err != nil:
		return refuse("the newest checkpoint file %s is refused: %v; move it away if it is not dre's, and find out who wrote it", path, err)
	case loss != nil:
		return refuse("no checkpoint signed: %v (newest file %s). Restore dre_audit_log and dre_audit_checkpoints from a backup of the state database taken after that checkpoint; run dre audit verify --checkpoint-dir %s for details",
			loss, path, a.Dir)
	}
	return nil
}

// openSigner opens the worker's key, audit.checkpoint_key.
func (a *AuditCheckpoints) openSigner() (*decision.KeySigner, error) {
	signer, err := decision.OpenSigner(a.Key, a.AgentSocket)
	if err != nil {
		return nil, refuse("audit.checkpoint_key %s: %v; point it at the worker's private key file (ssh-keygen -t ed25519 -N ''), or at a key in the worker's ssh-agent", a.Key, err)
	}
	return signer, nil
}

// sign signs c with the worker's key, which must be checkpoint_signer's.
func (a *AuditCheckpoints) sign(c audit.Checkpoint, signer ssh.Signer) (audit.SignedCheckpoint, error) {
	sc, err := audit.SignCheckpoint(c, signer, a.People)
	if err != nil {
		return audit.SignedCheckpoint{}, refuse("audit.checkpoint_key %s: %v; add its public half to people.%s.keys (audit.checkpoint_signer)", a.Key, err, a.Signer)
	}
	if sc.Signer != a.Signer {
		return audit.SignedCheckpoint{}, refuse("audit.checkpoint_key %s is a key of people.%s, but audit.checkpoint_signer is %s; make them agree", a.Key, sc.Signer, a.Signer)
	}
	return sc, nil
}

// publish records sc (when save) and writes its file; writing the same
// checkpoint again replaces its file with the same content.
func (a *AuditCheckpoints) publish(ctx context.Context, l *audit.Log, sc audit.SignedCheckpoint, save bool) (AuditCheckpointResult, error) {
	if save {
		if err := l.SaveCheckpoint(ctx, sc); err != nil {
			return AuditCheckpointResult{}, err
		}
	}
	res := AuditCheckpointResult{Seq: sc.Seq, Head: sc.Head, Signer: sc.Signer, Fingerprint: sc.Fingerprint,
		Document: string(sc.MarshalIndent()), Channel: a.Channel}
	if a.Dir != "" {
		path, err := audit.WriteCheckpointFile(a.Dir, sc)
		if err != nil {
			return AuditCheckpointResult{}, fmt.Errorf("checkpoint of record %d recorded, but not written to audit.checkpoint_dir: %w", sc.Seq, err)
		}
		res.File = path
	}
	return res, nil
}

// CheckKey opens the worker's key once, for a warning at worker start: a
// bad audit.checkpoint_key otherwise shows only when the schedule runs.
func (a *AuditCheckpoints) CheckKey() error {
	if err := a.configured(); err != nil {
		return err
	}
	signer, err := a.openSigner()
	if err != nil {
		return err
	}
	return signer.Close()
}
