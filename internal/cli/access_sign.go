package cli

import (
	"fmt"
	"io"

	"github.com/dre-dev/dre/internal/config"
	"github.com/dre-dev/dre/workflows"
)

// accessDecision builds the decision to send on access request id,
// signed as proof says.
func (g *globals) accessDecision(cfg *config.Config, stderr io.Writer, id, action string, who decider) (workflows.AccessDecision, error) {
	dataset, ok := workflows.AccessRequestDataset(id)
	if !ok {
		return workflows.AccessDecision{}, fmt.Errorf("%q is not an access request ID (access-request/<dataset>/<requester>/<id>; see dre access list)", id)
	}
	by, p, err := g.proof(cfg, stderr, id, action, dataset, who)
	if err != nil {
		return workflows.AccessDecision{}, err
	}
	return workflows.AccessDecision{By: by, Note: who.note, Proof: p}, nil
}
