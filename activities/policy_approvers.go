package activities

import (
	"context"
	"slices"
)

// DatasetDeciders is who the worker's catalog says decides on a dataset:
// its pii.approvers and its owner team (the authz subjects approvers and
// owner).
type DatasetDeciders struct {
	Approvers []string `json:"approvers,omitempty"`
	OwnerTeam string   `json:"ownerTeam,omitempty"`
}

// DatasetDeciders returns the deciders of each dataset as the worker's
// own catalog lists them, for workflows whose items carry a dataset from
// the input a client sent (access reviews, PII scans): only the worker's
// dre.yaml says who decides. A dataset the catalog lacks, or a worker
// without a catalog, gets no approvers and no owner team, so nobody may
// decide it under a rule that needs either.
func (p *Policy) DatasetDeciders(_ context.Context, datasets []string) (map[string]DatasetDeciders, error) {
	out := make(map[string]DatasetDeciders, len(datasets))
	for _, name := range datasets {
		out[name] = DatasetDeciders{}
		if p == nil || p.Catalog == nil {
			continue
		}
		if ds, err := p.Catalog.Lookup(name); err == nil {
			out[name] = DatasetDeciders{Approvers: slices.Clone(ds.PII.Approvers), OwnerTeam: ds.Owner.Team}
		}
	}
	return out, nil
}
