package config

import (
	"fmt"
	"slices"
	"strings"

	"github.com/dre-dev/dre/internal/authz"
	"github.com/dre-dev/dre/internal/people"
)

// checkPeople checks the people and groups sections (package people says
// what is wrong with them) and the Slack workspaces they may come from.
func (d *decoder) checkPeople(cfg *Config) {
	kinds := map[string]people.WarehouseKind{}
	for name, wh := range cfg.Warehouses {
		switch {
		case wh.Postgres != nil:
			kinds[name] = people.Postgres
		case wh.BigQuery != nil:
			kinds[name] = people.BigQuery
		default:
			kinds[name] = "" // its own problem is reported; the name still counts
		}
	}
	for _, p := range people.Validate(cfg.People, kinds) {
		// As for datasets: a broken warehouses section would make every
		// principal's warehouse look unknown.
		if d.hasFailed(p.Path) || d.Failed["warehouses"] && strings.Contains(p.Path, ".principals.") {
			continue
		}
		d.addPath(p.Path, p.Message)
	}
	d.checkWorkspaces(cfg)
	d.checkSlackRelay(cfg)
	d.checkAuthz(cfg)
}

// checkSlackRelay requires decisions.slack_relay to name a person with a
// key, since only that key's signatures speak for Slack users.
func (d *decoder) checkSlackRelay(cfg *Config) {
	relay := cfg.Decisions.SlackRelay
	if relay == "" {
		return
	}
	p, err := cfg.People.Person(relay)
	switch {
	case err != nil:
		d.addPath("decisions.slack_relay", err.Error())
	case len(p.Keys) == 0:
		d.addPath("decisions.slack_relay", fmt.Sprintf("people.%s has no keys; add the public half of gateway.signing_key to its keys:", relay))
	}
}

// checkWorkspaces requires Slack workspace IDs, and each person's
// slack_team to be one of them when workspaces are listed.
func (d *decoder) checkWorkspaces(cfg *Config) {
	workspaces := cfg.Slack.Workspaces
	for i, team := range workspaces {
		if !people.ValidSlackTeam(team) {
			d.addPath(fmt.Sprintf("slack.workspaces[%d]", i), fmt.Sprintf("want a Slack workspace ID like T0123ABCD (in Slack: workspace menu, Settings, or the T... in an app's URL), got %q", team))
		}
	}
	if len(workspaces) == 0 {
		return
	}
	for _, id := range cfg.People.IDs() {
		p, _ := cfg.People.Person(id)
		if p.SlackTeam != "" && people.ValidSlackTeam(p.SlackTeam) && !slices.Contains(workspaces, p.SlackTeam) {
			d.addPath("people."+id+".slack_team", fmt.Sprintf("workspace %s is not in slack.workspaces %v; add it there, or dre refuses this person's Slack requests", p.SlackTeam, workspaces))
		}
	}
}

// checkAuthz checks the authz: rules against the people, groups and
// datasets dre.yaml names.
func (d *decoder) checkAuthz(cfg *Config) {
	if d.hasFailed("authz") {
		return
	}
	for _, p := range authz.Validate(cfg.Authz, cfg.People, cfg.Catalog.Names()) {
		d.addPath(p.Path, p.Message)
	}
}
