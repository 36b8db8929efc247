package activities

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"go.temporal.io/sdk/temporal"

	"github.com/dre-dev/dre/internal/audit"
	"github.com/dre-dev/dre/internal/people"
)

// AuditCheckpoints takes signed checkpoints of the audit log's head for
// the audit-checkpoint schedule. Everything it needs is the worker's own
// configuration (audit: in its dre.yaml): the signing key never appears
// in a workflow input or history, only the signed document does.
type AuditCheckpoints struct {
	DSN    string            // the state database
	People *people.Directory // whose keys signatures must be by
	// Key is audit.checkpoint_key (as for decision.OpenSigner) and
	// AgentSocket the worker's SSH_AUTH_SOCK, for keys in ssh-agent.
	Key, AgentSocket string
	Signer           string // audit.checkpoint_signer
	Dir              string // audit.checkpoint_dir; "" writes no file
	Channel          string // audit.checkpoint_channel; "" posts nothing

	mu  sync.Mutex
	log *audit.Log
}

// AuditCheckpointRequest asks for a checkpoint taken at At, the
// workflow's time: a retried activity then recognizes its own checkpoint.
type AuditCheckpointRequest struct {
	At time.Time `json:"at"`
}

// AuditCheckpointResult is the published checkpoint, or why none was.
type AuditCheckpointResult struct {
	// Skipped says the head has not moved since the last checkpoint (or
	// the log is empty); Reason says which.
	Skipped bool   `json:"skipped,omitempty"`
	Reason  string `json:"reason,omitempty"`
	Seq     int64  `json:"seq"`
	Head    string `json:"head"`
	Signer  string `json:"signer,omitempty"`
	// Fingerprint is the signing key's SHA256 fingerprint.
	Fingerprint string `json:"fingerprint,omitempty"`
	// Document is the signed checkpoint as a checkpoint file holds it.
	Document string `json:"document,omitempty"`
	File     string `json:"file,omitempty"`
	// Channel is where the workflow posts it: the worker's
	// audit.checkpoint_channel, "" for none.
	Channel string `json:"channel,omitempty"`
}

// errCheckpoint marks a checkpoint that no retry can take: the worker's
// configuration is wrong, or the log lost what a checkpoint covered.
const errCheckpoint = "AuditCheckpointRefused"

// refuse is a non-retryable checkpoint failure saying what to do.
func refuse(format string, args ...any) error {
	return temporal.NewNonRetryableApplicationError(fmt.Sprintf(format, args...), errCheckpoint, nil)
}

// PublishCheckpoint checks the log against the newest checkpoint in the
// state database and in the checkpoint directory, then signs a checkpoint
// of its head with the worker's key, records it in dre_audit_checkpoints
// and writes it to the directory. An unmoved head is skipped. It never
// signs over a loss: a log that lost checkpointed records fails it.
func (a *AuditCheckpoints) PublishCheckpoint(ctx context.Context, req AuditCheckpointRequest) (AuditCheckpointResult, error) {
	if err := a.configured(); err != nil {
		return AuditCheckpointResult{}, err
	}
	// The key is opened first, so a bad one fails every run, not only
	// those with something new to sign.
	signer, err := a.openSigner()
	if err != nil {
		return AuditCheckpointResult{}, err
	}
	// Closing only drops the agent connection, after the signature is made.
	defer func() { _ = signer.Close() }()
	l, err := a.open(ctx)
	if err != nil {
		return AuditCheckpointResult{}, err
	}
	if err := a.checkNewestFile(ctx, l); err != nil {
		return AuditCheckpointResult{}, err
	}
	c, err := l.Checkpoint(ctx)
	if err != nil {
		return a.notTaken(err)
	}
	c.At = req.At.UTC().Truncate(time.Microsecond) // as PostgreSQL keeps it
	latest, found, err := l.LatestCheckpoint(ctx)
	switch {
	case err != nil:
		return AuditCheckpointResult{}, err
	case found && latest.SameHead(c) && latest.At.Equal(c.At):
		return a.publish(ctx, l, latest, false) // this run's own, from an attempt that failed after saving it
	case found && latest.SameHead(c):
		return AuditCheckpointResult{Skipped: true, Seq: c.Seq, Head: c.Head,
			Reason: fmt.Sprintf("the head has not moved since the checkpoint of record %d at %s", latest.Seq, latest.At.Format(time.RFC3339))}, nil
	}
	sc, err := a.sign(c, signer)
	if err != nil {
		return AuditCheckpointResult{}, err
	}
	return a.publish(ctx, l, sc, true)
}

// configured refuses a worker whose dre.yaml does not set checkpoints up.
func (a *AuditCheckpoints) configured() error {
	switch {
	case a == nil || a.DSN == "":
		return refuse("this worker has no state database (state.dsn in dre.yaml or DRE_STATE_DSN), so there is no audit log to checkpoint")
	case a.Key == "" || a.Signer == "":
		return refuse("this worker's dre.yaml does not set audit.checkpoint_key and audit.checkpoint_signer; set them on the workers, or remove audit.checkpoint_every and run dre schedules sync")
	}
	return nil
}

// notTaken turns Checkpoint's refusals into a result or a final error.
func (a *AuditCheckpoints) notTaken(err error) (AuditCheckpointResult, error) {
	var bad *audit.Problem
	var loss *audit.Loss
	switch {
	case errors.Is(err, audit.ErrEmptyLog):
		return AuditCheckpointResult{Skipped: true, Reason: err.Error()}, nil
	case errors.As(err, &bad), errors.As(err, &loss):
		return AuditCheckpointResult{}, refuse("no checkpoint signed: %v; run dre audit verify and restore the state database from a backup", err)
	}
	return AuditCheckpointResult{}, err
}

// open opens the log once; a failed open is retried on the next call.
func (a *AuditCheckpoints) open(ctx context.Context) (*audit.Log, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.log != nil {
		return a.log, nil
	}
	l, err := audit.OpenWith(ctx, a.DSN, audit.Options{CheckpointDir: a.Dir})
	if errors.Is(err, audit.ErrLogDropped) {
		return nil, refuse("%v", err)
	}
	if err != nil {
		return nil, err
	}
	a.log = l
	return l, nil
}
