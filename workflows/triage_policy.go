package workflows

import "time"

// TriagePolicy tunes a triage. Every zero field means its default, so the
// gateway can start a triage with none of it set.
type TriagePolicy struct {
	// PageSeverity is the least severe severity that pages: 2 (the
	// default) pages sev1 and sev2 and only notifies for sev3 and sev4.
	PageSeverity int `json:"pageSeverity,omitempty"`
	// EscalateAfter is how long an unacknowledged incident of a severity
	// waits before escalating; severities not listed take the defaults
	// (sev1 5m, sev2 15m, sev3 and sev4 never). A negative value never escalates.
	EscalateAfter map[int]time.Duration `json:"escalateAfter,omitempty"`
	// MaxEscalations bounds the escalations without an ack (default 3).
	MaxEscalations int `json:"maxEscalations,omitempty"`
	// EscalationMention is who an escalation mentions in Slack, for
	// example "<!subteam^S0123>" for the team's escalation group (default "<!here>").
	EscalationMention string `json:"escalationMention,omitempty"`
	// AutoResolveAfter resolves the incident once the freshness and volume
	// checks have passed for this long; 0 (the default) turns it off.
	AutoResolveAfter time.Duration `json:"autoResolveAfter,omitempty"`
	// RecheckEvery is how often auto-resolve reruns the checks (default 5m).
	RecheckEvery time.Duration `json:"recheckEvery,omitempty"`
	// UniqueKey declares the columns that identify a row, for the
	// duplicate-key check, which is skipped without it.
	UniqueKey []string `json:"uniqueKey,omitempty"`
	// BaselineDays and MADFactor tune the volume check (defaults 28 and 3).
	BaselineDays int     `json:"baselineDays,omitempty"`
	MADFactor    float64 `json:"madFactor,omitempty"`
}

// defaultEscalateAfter applies to severities EscalateAfter does not list.
var defaultEscalateAfter = map[int]time.Duration{1: 5 * time.Minute, 2: 15 * time.Minute}

// Other defaults of TriagePolicy.
const (
	defaultPageSeverity      = 2
	defaultMaxEscalations    = 3
	defaultEscalationMention = "<!here>"
	defaultRecheckEvery      = 5 * time.Minute
	defaultTriageSeverity    = 3
)

// withDefaults fills in every zero field.
func (p TriagePolicy) withDefaults() TriagePolicy {
	if p.PageSeverity == 0 {
		p.PageSeverity = defaultPageSeverity
	}
	if p.MaxEscalations == 0 {
		p.MaxEscalations = defaultMaxEscalations
	}
	if p.EscalationMention == "" {
		p.EscalationMention = defaultEscalationMention
	}
	if p.RecheckEvery <= 0 {
		p.RecheckEvery = defaultRecheckEvery
	}
	return p
}

// pages reports whether incidents of severity sev page on-call.
func (p TriagePolicy) pages(sev int) bool { return sev <= p.PageSeverity }

// escalateAfter is the ack deadline of severity sev; 0 means never escalate.
func (p TriagePolicy) escalateAfter(sev int) time.Duration {
	d, ok := p.EscalateAfter[sev]
	if !ok {
		d = defaultEscalateAfter[sev]
	}
	return max(d, 0)
}

// normalSeverity maps a report's severity to 1..4, 0 meaning the default.
func normalSeverity(sev int) int {
	if sev < 1 || sev > 4 {
		return defaultTriageSeverity
	}
	return sev
}
