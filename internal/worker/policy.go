package worker

import (
	"github.com/dre-dev/dre/activities"
	"github.com/dre-dev/dre/internal/catalog"
	"github.com/dre-dev/dre/internal/config"
)

// Policy is the decision policy of the worker's dre.yaml: its people,
// its catalog, decisions.allow_unsigned and slack_relay, and the Slack
// workspaces. Workflows check decisions
// against this, never against what their starter sent.
func Policy(cfg *config.Config) *activities.Policy {
	return &activities.Policy{People: cfg.People, Catalog: cfg.Catalog, AllowUnsigned: cfg.Decisions.AllowUnsigned,
		SlackRelay: cfg.Decisions.SlackRelay, SlackWorkspaces: cfg.Slack.Workspaces, Authz: cfg.Authz}
}

// catalogOf returns the catalog of the worker's dre.yaml, which p carries;
// nil (no lineage known) for a worker started without one.
func catalogOf(p *activities.Policy) *catalog.Catalog {
	if p == nil {
		return nil
	}
	return p.Catalog
}
