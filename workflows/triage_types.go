package workflows

import (
	"strings"
	"time"

	"github.com/dre-dev/dre/activities"
)

// Triage statuses, also written to the DreStatus search attribute.
const (
	TriageOpen         = "open"
	TriageAcknowledged = "acknowledged"
	TriageMitigated    = "mitigated"
	TriageResolved     = "resolved"
)

// More triage updates, beside TriageAckUpdate and TriageResolveUpdate:
// the Escalate and Run runbook buttons of the incident message.
const (
	TriageEscalateUpdate   = "escalate"
	TriageRunRunbookUpdate = "run-runbook"
)

// PagerDutyActor is the TriageAction.By, or its prefix before a colon
// ("pagerduty:Jane Doe"), of acks and resolutions that came from
// PagerDuty's webhook; they are not echoed back to PagerDuty.
const PagerDutyActor = "pagerduty"

// fromPagerDuty reports whether an action came from PagerDuty.
func fromPagerDuty(by string) bool {
	return by == PagerDutyActor || strings.HasPrefix(by, PagerDutyActor+":")
}

// TriageAction is the argument of every triage update: who clicked, and
// an optional note for the timeline.
type TriageAction struct {
	By   string `json:"by"`
	Note string `json:"note,omitempty"`
}

// TimelineEvent is one entry of an incident's timeline.
type TimelineEvent struct {
	At   time.Time `json:"at"`
	Kind string    `json:"kind"` // opened, reported, finding, paged, escalated, acknowledged...
	By   string    `json:"by,omitempty"`
	Text string    `json:"text,omitempty"`
}

// TriageTimeline is the incident as it stands: the answer to the timeline
// and status queries, and the workflow's result once resolved.
type TriageTimeline struct {
	WorkflowID string   `json:"workflowId"`
	Dataset    string   `json:"dataset"`
	Severity   int      `json:"severity"`
	Status     string   `json:"status"`
	Reporters  []string `json:"reporters"`
	// Channel and ThreadTS locate the incident's Slack thread.
	Channel  string `json:"channel,omitempty"`
	ThreadTS string `json:"threadTs,omitempty"`

	DetectedAt     time.Time `json:"detectedAt"`
	AcknowledgedAt time.Time `json:"acknowledgedAt,omitzero"`
	MitigatedAt    time.Time `json:"mitigatedAt,omitzero"`
	ResolvedAt     time.Time `json:"resolvedAt,omitzero"`
	AcknowledgedBy string    `json:"acknowledgedBy,omitempty"`
	ResolvedBy     string    `json:"resolvedBy,omitempty"`
	// TimeToAck and TimeToResolve count from DetectedAt; 0 until it happened.
	TimeToAck     time.Duration `json:"timeToAck,omitempty"`
	TimeToResolve time.Duration `json:"timeToResolve,omitempty"`

	Pages       int                  `json:"pages"`
	Escalations int                  `json:"escalations"`
	Findings    []activities.Finding `json:"findings,omitempty"`
	Events      []TimelineEvent      `json:"events"`
	// Postmortem is a Markdown skeleton, set once the incident is resolved.
	Postmortem string `json:"postmortem,omitempty"`
}
