package workflows

import (
	"time"

	"github.com/dre-dev/dre/internal/catalog"
)

// Triage signals and updates. A second report of an open incident arrives
// as TriageReportSignal through signal-with-start, so it joins the
// incident instead of opening another.
const (
	TriageReportSignal  = "report"
	TriageAckUpdate     = "ack"
	TriageResolveUpdate = "resolve"
	TriageTimelineQuery = "timeline"
)

// TriageReport is one report of trouble with a dataset: the first opens
// the incident, later ones join it.
type TriageReport struct {
	// Reporter is who reported: a Slack user ID, "pagerduty", "slo:<name>".
	Reporter string `json:"reporter"`
	// Severity is 1 (worst) to 4; 0 means the default, 3.
	Severity    int       `json:"severity,omitempty"`
	Description string    `json:"description,omitempty"`
	Source      string    `json:"source,omitempty"` // slack, pagerduty, slo, cli
	ReportedAt  time.Time `json:"reportedAt"`
	// ResponseURL is Slack's response_url for the reporter's command, so
	// follow-ups reach the person who asked.
	ResponseURL string `json:"responseUrl,omitempty"`
	// Channel is the Slack channel the command came from.
	Channel string `json:"channel,omitempty"`
}

// TriageInput starts the triage of one dataset.
type TriageInput struct {
	Dataset catalog.Dataset `json:"dataset"`
	Report  TriageReport    `json:"report"`
	// Policy tunes paging, escalation, auto-resolve and the diagnosis; its
	// zero value means the defaults (see TriagePolicy).
	Policy TriagePolicy `json:"policy,omitzero"`
	// RunURL links to the run in the Temporal UI, for the opening message.
	RunURL string `json:"runUrl,omitempty"`
	// Runbook is the prepared run of the dataset's catalog runbook, parsed
	// and resolved by the starter (the workflow reads no files); the
	// run-runbook update starts it as a child. Nil when there is none.
	Runbook *RunbookInput `json:"runbook,omitempty"`
}
