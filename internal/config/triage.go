package config

import (
	"github.com/dre-dev/dre/internal/catalog"
)

// Triage is the triage: section: how incidents page, escalate and
// resolve. Default applies to every dataset; a team's entry (by
// owner.team) overrides it key by key, and a dataset's entry (by name)
// overrides both. Keys left out keep the built-in defaults.
type Triage struct {
	Default  TriagePolicy            `yaml:"default"`
	Teams    map[string]TriagePolicy `yaml:"teams"`
	Datasets map[string]TriagePolicy `yaml:"datasets"`
}

// TriagePolicy is one entry of the triage: section. Every key is
// optional; unset means the entry below it (dataset, team, default), then
// the built-in default.
type TriagePolicy struct {
	// PageSeverity is the least severe severity that pages on-call
	// (default 2: sev1 and sev2 page).
	PageSeverity int `yaml:"page_severity"`
	// EscalateAfter is how long an unacknowledged incident waits before
	// escalating, by severity: sev1..sev4 to a duration or "never"
	// (defaults sev1 5m, sev2 15m, sev3 and sev4 never).
	EscalateAfter map[string]string `yaml:"escalate_after"`
	// MaxEscalations bounds the default escalation (default 3); with
	// escalation steps, escalation.repeat counts instead.
	MaxEscalations int `yaml:"max_escalations"`
	// Mentions are who the default escalation mentions in Slack: user IDs
	// (U...), user group IDs (S...), @here or @channel (default @here).
	Mentions []string `yaml:"mentions"`
	// AutoResolveAfter resolves an incident once its checks have passed
	// for this long (default: never); RecheckEvery is how often they rerun
	// meanwhile (default 5m).
	AutoResolveAfter catalog.Duration `yaml:"auto_resolve_after"`
	RecheckEvery     catalog.Duration `yaml:"recheck_every"`
	// ResolveAfterFix resolves an incident without a human when its
	// failing checks pass after the backfill of the partitions its
	// findings name (default false: the thread asks for Resolve). A
	// pointer, so that a dataset can turn off what its team turned on.
	ResolveAfterFix *bool `yaml:"resolve_after_fix"`
	// BackfillBudget is the estimated cost above which the backfill of an
	// incident's affected partitions waits for dre backfill approve, in
	// the warehouse's estimate unit (BigQuery bytes scanned, PostgreSQL
	// planner cost units), as --budget does for dre backfill start;
	// default none.
	BackfillBudget float64 `yaml:"backfill_budget"`
	// UniqueKey names the columns that identify a row, for the duplicate
	// check of the diagnosis (skipped without it); only under datasets.
	UniqueKey []string `yaml:"unique_key"`
	// Escalation replaces the default escalation with ordered steps.
	Escalation *Escalation `yaml:"escalation"`
	// Room opens a Slack channel of its own for incidents of some
	// severities (default: none).
	Room *IncidentRoom `yaml:"room"`
}

// IncidentRoom is the room: key of a triage policy: which severities get
// a dedicated Slack channel, how it is named, and who joins it besides
// the owner team's people.
type IncidentRoom struct {
	// Severities are sev1..sev4, for example [sev1, sev2].
	Severities []string `yaml:"severities"`
	// Prefix starts the channel name, before the dataset and the day
	// (default inc-: inc-orders-2026-12-07).
	Prefix string `yaml:"prefix"`
	// Invite are the Slack user IDs of responders to invite.
	Invite []string `yaml:"invite"`
}

// Escalation is an escalation policy: steps run in order while nobody
// acknowledges, then the whole list again Repeat more times.
type Escalation struct {
	Steps  []EscalationStep `yaml:"steps"`
	Repeat int              `yaml:"repeat"`
}

// EscalationStep is one step of an escalation policy. After counts from
// the previous step (the first: from the page); unset means the
// severity's escalate_after. A step does at least one of: mention Slack
// users or groups, escalate the PagerDuty incident to its next level (or
// to PagerDutyLevel), page another service under pagerduty.services.
type EscalationStep struct {
	After             catalog.Duration `yaml:"after"`
	Mention           []string         `yaml:"mention"`
	EscalatePagerDuty bool             `yaml:"escalate_pagerduty"`
	PagerDutyLevel    int              `yaml:"pagerduty_level"`
	Page              string           `yaml:"page"`
}

// PagerDutyService is another PagerDuty service an escalation step may
// page through the Events API, under its own routing key.
type PagerDutyService struct {
	RoutingKey Secret `yaml:"routing_key"`
}

// TriagePolicy returns the policy of a dataset: its entry over its
// team's over the default, key by key.
func (c *Config) TriagePolicy(ds catalog.Dataset) TriagePolicy {
	p := c.Triage.Default
	if team, ok := c.Triage.Teams[ds.Owner.Team]; ok && ds.Owner.Team != "" {
		p = p.over(team)
	}
	if own, ok := c.Triage.Datasets[ds.Name]; ok {
		p = p.over(own)
	}
	return p
}

// over returns p with every key o sets replaced by o's.
func (p TriagePolicy) over(o TriagePolicy) TriagePolicy {
	if o.PageSeverity != 0 {
		p.PageSeverity = o.PageSeverity
	}
	if len(o.EscalateAfter) > 0 {
		merged := map[string]string{}
		for k, v := range p.EscalateAfter {
			merged[k] = v
		}
		for k, v := range o.EscalateAfter {
			merged[k] = v
		}
		p.EscalateAfter = merged
	}
	if o.MaxEscalations != 0 {
		p.MaxEscalations = o.MaxEscalations
	}
	if o.Mentions != nil {
		p.Mentions = o.Mentions
	}
	if o.AutoResolveAfter.Duration != 0 {
		p.AutoResolveAfter = o.AutoResolveAfter
	}
	if o.RecheckEvery.Duration != 0 {
		p.RecheckEvery = o.RecheckEvery
	}
	if o.UniqueKey != nil {
		p.UniqueKey = o.UniqueKey
	}
	if o.ResolveAfterFix != nil {
		p.ResolveAfterFix = o.ResolveAfterFix
	}
	if o.BackfillBudget != 0 {
		p.BackfillBudget = o.BackfillBudget
	}
	if o.Escalation != nil {
		p.Escalation = o.Escalation
	}
	if o.Room != nil {
		p.Room = o.Room
	}
	return p
}
