package worker

import (
	"slices"
	"strings"
	"time"

	"github.com/dre-dev/dre/internal/catalog"
	"github.com/dre-dev/dre/internal/config"
	"github.com/dre-dev/dre/workflows"
)

// TriagePolicies returns the triage policy of each dataset from
// dre.yaml's triage: section, for every path that opens an incident (the
// gateway, the CLI, SLO burns). The policy travels in the workflow's
// input, so a running incident keeps the policy it started with. Without
// a unique_key under triage:, the duplicates check uses the dataset's own
// (the catalog's unique_key, which a dbt import fills in).
func TriagePolicies(cfg *config.Config) func(catalog.Dataset) workflows.TriagePolicy {
	return func(ds catalog.Dataset) workflows.TriagePolicy {
		p := TriagePolicy(cfg.TriagePolicy(ds))
		if len(p.UniqueKey) == 0 {
			p.UniqueKey = ds.UniqueKey
		}
		return p
	}
}

// TriagePolicy converts a checked dre.yaml policy; unset keys stay zero,
// which the workflow reads as its defaults.
func TriagePolicy(p config.TriagePolicy) workflows.TriagePolicy {
	out := workflows.TriagePolicy{
		PageSeverity: p.PageSeverity, MaxEscalations: p.MaxEscalations, EscalationMention: mentions(p.Mentions),
		AutoResolveAfter: p.AutoResolveAfter.Duration, RecheckEvery: p.RecheckEvery.Duration, UniqueKey: p.UniqueKey,
		ResolveAfterFix: p.ResolveAfterFix != nil && *p.ResolveAfterFix, BackfillBudget: p.BackfillBudget,
	}
	for i, key := range config.SeverityKeys {
		v, ok := p.EscalateAfter[key]
		if !ok {
			continue
		}
		if out.EscalateAfter == nil {
			out.EscalateAfter = map[int]time.Duration{}
		}
		d := time.Duration(-1) // never
		if v != "never" {
			parsed, _ := catalog.ParseDuration(v) // checked by config
			d = parsed.Duration
		}
		out.EscalateAfter[i+1] = d
	}
	out.Room = room(p.Room)
	if e := p.Escalation; e != nil {
		out.Repeat = e.Repeat
		for _, s := range e.Steps {
			out.Steps = append(out.Steps, workflows.EscalationStep{
				After: s.After.Duration, Mention: markup(s.Mention), PageService: s.Page,
				EscalatePagerDuty: s.EscalatePagerDuty, PagerDutyLevel: s.PagerDutyLevel,
			})
		}
	}
	return out
}

// room converts a checked room: key; nil stays nil (no rooms).
func room(r *config.IncidentRoom) *workflows.TriageRoom {
	if r == nil {
		return nil
	}
	out := &workflows.TriageRoom{Prefix: r.Prefix, Invite: r.Invite}
	for _, sev := range r.Severities {
		if i := slices.Index(config.SeverityKeys, sev); i >= 0 {
			out.Severities = append(out.Severities, i+1)
		}
	}
	return out
}

// mentions joins mentions in Slack markup; "" keeps the default.
func mentions(list []string) string { return strings.Join(markup(list), " ") }

// markup renders checked mentions in Slack markup.
func markup(list []string) []string {
	var out []string
	for _, m := range list {
		if s, ok := config.SlackMention(m); ok {
			out = append(out, s)
		}
	}
	return out
}
