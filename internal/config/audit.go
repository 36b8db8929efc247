package config

import (
	"fmt"
	"strings"
	"time"

	"github.com/dre-dev/dre/internal/catalog"
)

// Audit configures the signed checkpoints of the audit log that the
// audit-checkpoint schedule publishes. The key stays in the worker's
// dre.yaml: the workflow only asks the worker to sign, so no key or key
// path is ever in a workflow input or history.
type Audit struct {
	// CheckpointEvery is how often a checkpoint is published; unset
	// publishes none (dre schedules sync creates no schedule).
	CheckpointEvery catalog.Duration `yaml:"checkpoint_every"`
	// CheckpointKey is the worker's signing key, as for dre audit
	// checkpoint --sign: an unencrypted OpenSSH private key file, or a
	// .pub file or SHA256 fingerprint of a key in the worker's ssh-agent.
	CheckpointKey string `yaml:"checkpoint_key"`
	// CheckpointSigner is the people: entry that lists the key's public
	// half; a signature by any other key is refused.
	CheckpointSigner string `yaml:"checkpoint_signer"`
	// CheckpointChannel is the Slack channel each checkpoint is posted to.
	CheckpointChannel string `yaml:"checkpoint_channel"`
	// CheckpointDir is the directory each checkpoint is written to, one
	// file per checkpoint; dre audit verify reads the newest from it.
	CheckpointDir string `yaml:"checkpoint_dir"`
}

// MinCheckpointEvery is the shortest checkpoint interval: a Slack post
// per checkpoint, and one file, are too many below it.
const MinCheckpointEvery = time.Minute

// checkAudit requires, once checkpoints are scheduled, a key, a signer
// with keys, and somewhere outside the state database to publish to:
// checkpoints kept only in the table vanish with it.
func (d *decoder) checkAudit(cfg *Config) {
	a := cfg.Audit
	every := a.CheckpointEvery.Duration
	switch {
	case every < 0 || every > 0 && every < MinCheckpointEvery:
		d.addPath("audit.checkpoint_every", "want a duration of at least 1m, like 1h; unset publishes no checkpoints")
	case every == 0:
		if a.CheckpointKey != "" || a.CheckpointSigner != "" || a.CheckpointChannel != "" || a.CheckpointDir != "" {
			d.addPath("audit.checkpoint_every", "set checkpoint_every (like 1h) too, or no checkpoint is ever published with these settings")
		}
		return
	}
	if strings.TrimSpace(a.CheckpointKey) == "" {
		d.addPath("audit.checkpoint_key", "checkpoints need the worker's signing key: a private key file, or a .pub file or SHA256 fingerprint of a key in ssh-agent")
	} else if strings.HasPrefix(a.CheckpointKey, "SHA256:") && len(a.CheckpointKey) != len("SHA256:")+43 {
		d.addPath("audit.checkpoint_key", fmt.Sprintf("%q is not an SSH key fingerprint (ssh-keygen -lf key.pub prints SHA256: and 43 characters)", a.CheckpointKey))
	}
	if a.CheckpointChannel == "" && a.CheckpointDir == "" {
		d.addPath("audit.checkpoint_every", "set checkpoint_channel or checkpoint_dir (or both): a checkpoint kept only in the state database is lost with it")
	}
	d.checkCheckpointSigner(cfg)
}

// checkCheckpointSigner requires the signer to be a person with keys.
func (d *decoder) checkCheckpointSigner(cfg *Config) {
	id := cfg.Audit.CheckpointSigner
	if id == "" {
		d.addPath("audit.checkpoint_signer", "name the people: entry that lists the public half of checkpoint_key")
		return
	}
	p, err := cfg.People.Person(id)
	switch {
	case err != nil:
		d.addPath("audit.checkpoint_signer", err.Error())
	case len(p.Keys) == 0:
		d.addPath("audit.checkpoint_signer", fmt.Sprintf("people.%s has no keys; add the public half of audit.checkpoint_key to its keys:", id))
	}
}
