package config

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/dre-dev/dre/internal/catalog"
)

// Bounds that keep an incident's history small: each escalation is about
// twenty events, and an incident does not continue as new.
const (
	maxEscalationSteps  = 10
	maxEscalationRepeat = 9
	maxEscalationsLimit = 20
)

var (
	slackUser  = regexp.MustCompile(`^[UW][A-Z0-9]{2,}$`)
	slackGroup = regexp.MustCompile(`^S[A-Z0-9]{2,}$`)
	columnName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
	// serviceName keeps pagerduty.services names plain.
	serviceName = regexp.MustCompile(`^[a-z][a-z0-9_-]*$`)
)

// SlackMention renders a mention as dre.yaml writes it (a user ID U...,
// a user group ID S..., @here or @channel) in Slack's markup; ok is false
// for anything else.
func SlackMention(s string) (markup string, ok bool) {
	switch {
	case s == "@here" || s == "@channel":
		return "<!" + s[1:] + ">", true
	case slackUser.MatchString(s):
		return "<@" + s + ">", true
	case slackGroup.MatchString(s):
		return "<!subteam^" + s + ">", true
	}
	return "", false
}

// SeverityKeys are the keys of escalate_after.
var SeverityKeys = []string{"sev1", "sev2", "sev3", "sev4"}

// checkTriage checks the triage: section and pagerduty.services. It runs
// after the environment is applied, which may set pagerduty.api_token.
func (d *decoder) checkTriage(cfg *Config) {
	for _, name := range sortedKeys(cfg.PagerDuty.Services) {
		d.checkService(name, cfg.PagerDuty.Services[name])
	}
	d.checkPolicy(cfg, "triage.default", cfg.Triage.Default, false)
	teams := catalogTeams(cfg)
	for _, team := range sortedKeys(cfg.Triage.Teams) {
		path := "triage.teams." + team
		if !slices.Contains(teams, team) {
			d.addAt(d.KeyNodes[path], path, fmt.Sprintf("no dataset has owner.team %q; teams in the catalog: %s", team, orNone(teams)))
		}
		d.checkPolicy(cfg, path, cfg.Triage.Teams[team], false)
	}
	for _, name := range sortedKeys(cfg.Triage.Datasets) {
		path := "triage.datasets." + name
		if _, err := cfg.Catalog.Lookup(name); err != nil {
			d.addAt(d.KeyNodes[path], path, err.Error())
		}
		d.checkPolicy(cfg, path, cfg.Triage.Datasets[name], true)
	}
}

// checkService requires a plain name and a routing key.
func (d *decoder) checkService(name string, s PagerDutyService) {
	path := "pagerduty.services." + name
	if d.hasFailed(path) {
		return
	}
	if !serviceName.MatchString(name) {
		d.addAt(d.KeyNodes[path], path, fmt.Sprintf("service name %q must be lowercase letters, digits, _ or -, starting with a letter", name))
	}
	if !s.RoutingKey.IsSet() {
		d.addPath(path+".routing_key", "routing_key is required: the integration key of the service, as {env: NAME} or {file: PATH}")
	}
}

// checkPolicy checks one entry; unique_key only makes sense for a dataset.
func (d *decoder) checkPolicy(cfg *Config, path string, p TriagePolicy, dataset bool) {
	if d.hasFailed(path) {
		return
	}
	if p.PageSeverity < 0 || p.PageSeverity > 4 {
		d.addPath(path+".page_severity", fmt.Sprintf("page_severity %d is out of range; use 1 (only sev1 pages) to 4 (everything pages)", p.PageSeverity))
	}
	d.checkEscalateAfter(path+".escalate_after", p.EscalateAfter)
	if p.MaxEscalations < 0 || p.MaxEscalations > maxEscalationsLimit {
		d.addPath(path+".max_escalations", fmt.Sprintf("max_escalations %d is out of range; use 1 to %d", p.MaxEscalations, maxEscalationsLimit))
	}
	d.checkMentions(path+".mentions", p.Mentions)
	for key, v := range map[string]catalog.Duration{"auto_resolve_after": p.AutoResolveAfter, "recheck_every": p.RecheckEvery} {
		if v.Duration < 0 {
			d.addPath(path+"."+key, fmt.Sprintf("%s must be a positive duration like 30m; leave it out for the default", key))
		}
	}
	if p.BackfillBudget < 0 {
		d.addPath(path+".backfill_budget", "backfill_budget must be positive (BigQuery bytes or PostgreSQL planner units); leave it out for no budget")
	}
	d.checkUniqueKey(path+".unique_key", p.UniqueKey, dataset)
	if p.Escalation != nil {
		if p.MaxEscalations != 0 {
			d.addPath(path+".max_escalations", "max_escalations bounds the default escalation only; with escalation steps, use escalation.repeat")
		}
		d.checkEscalation(cfg, path+".escalation", *p.Escalation)
	}
	if p.Room != nil {
		d.checkRoom(path+".room", *p.Room)
	}
}

// checkEscalateAfter requires sev1..sev4 keys and positive durations or never.
func (d *decoder) checkEscalateAfter(path string, m map[string]string) {
	for _, sev := range sortedKeys(m) {
		if !slices.Contains(SeverityKeys, sev) {
			d.addAt(d.KeyNodes[path+"."+sev], path+"."+sev, fmt.Sprintf("unknown severity %q; use %s", sev, strings.Join(SeverityKeys, ", ")))
			continue
		}
		if v := m[sev]; v != "never" {
			if dur, err := catalog.ParseDuration(v); err != nil || dur.Duration <= 0 {
				d.addPath(path+"."+sev, fmt.Sprintf("want a positive duration like 5m, or never, got %q", v))
			}
		}
	}
}

// checkMentions requires every mention to be one Slack can render.
func (d *decoder) checkMentions(path string, mentions []string) {
	for i, m := range mentions {
		if _, ok := SlackMention(m); !ok {
			d.addPath(fmt.Sprintf("%s[%d]", path, i), fmt.Sprintf("%q is not a Slack mention; use a user ID (U0123ABCD), a user group ID (S0123ABCD), @here or @channel", m))
		}
	}
}

// checkUniqueKey requires plain column names, under datasets only.
func (d *decoder) checkUniqueKey(path string, cols []string, dataset bool) {
	if len(cols) > 0 && !dataset {
		d.addPath(path, "unique_key names columns of one table; set it under triage.datasets.<dataset>")
		return
	}
	for i, c := range cols {
		if !columnName.MatchString(c) {
			d.addPath(fmt.Sprintf("%s[%d]", path, i), fmt.Sprintf("column %q must be letters, digits or _, not starting with a digit", c))
		}
	}
}

// catalogTeams lists the owner.team values of the catalog, sorted.
func catalogTeams(cfg *Config) []string {
	var teams []string
	for _, ds := range cfg.Catalog.Datasets() {
		if ds.Owner.Team != "" && !slices.Contains(teams, ds.Owner.Team) {
			teams = append(teams, ds.Owner.Team)
		}
	}
	slices.Sort(teams)
	return teams
}

func orNone(list []string) string {
	if len(list) == 0 {
		return "none"
	}
	return strings.Join(list, ", ")
}

// sortedKeys returns a map's keys in order, so problems come out in a
// stable order.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
