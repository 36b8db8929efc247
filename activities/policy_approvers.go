package activities

import (
	"context"
	"slices"
)

// DatasetApprovers returns each dataset's pii.approvers as the worker's
// own catalog lists them, for workflows whose items name their approvers
// in the input a client sent (access reviews, PII scans): only the
// worker's dre.yaml says who decides. A dataset the catalog lacks, or a
// worker without a catalog, gets no approvers, so nobody may decide it
// under a rule that needs approvers.
func (p *Policy) DatasetApprovers(_ context.Context, datasets []string) (map[string][]string, error) {
	out := make(map[string][]string, len(datasets))
	for _, name := range datasets {
		out[name] = nil
		if p == nil || p.Catalog == nil {
			continue
		}
		if ds, err := p.Catalog.Lookup(name); err == nil {
			out[name] = slices.Clone(ds.PII.Approvers)
		}
	}
	return out, nil
}
