package worker

import (
	"github.com/dre-dev/dre/activities"
	"github.com/dre-dev/dre/internal/config"
)

// AuditCheckpoints is the checkpoint signer of a worker configured by
// cfg, writing to the state database at stateDSN. agentSocket is the
// worker's SSH_AUTH_SOCK, for a checkpoint_key held in ssh-agent.
func AuditCheckpoints(cfg *config.Config, stateDSN, agentSocket string) *activities.AuditCheckpoints {
	a := cfg.Audit
	return &activities.AuditCheckpoints{DSN: stateDSN, People: cfg.People, Key: a.CheckpointKey, AgentSocket: agentSocket,
		Signer: a.CheckpointSigner, Dir: a.CheckpointDir, Channel: a.CheckpointChannel}
}
