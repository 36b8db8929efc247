package authz

import "slices"

// The decisions the policy governs, as they are named under authz: in
// dre.yaml.
const (
	AccessApprove     = "access.approve"
	AccessDeny        = "access.deny"
	AccessRevoke      = "access.revoke"
	ReviewDecide      = "review.decide"
	PIITag            = "pii.tag"
	BackfillApprove   = "backfill.approve"
	BackfillOverride  = "backfill.override_freeze"
	DeprecateAck      = "deprecate.ack"
	DeprecateVeto     = "deprecate.veto"
	DeprecateContinue = "deprecate.continue"
	DeprecateExtend   = "deprecate.extend"
	DeprecateCancel   = "deprecate.cancel"
	RunbookApprove    = "runbook.approve"
	TriageAck         = "triage.ack"
	TriageResolve     = "triage.resolve"
	TriageEscalate    = "triage.escalate"
	TriageRunRunbook  = "triage.run_runbook"
	TriageBackfill    = "triage.backfill"
	TriageCommand     = "triage.command"
)

// The roles a rule may name besides people and groups.
const (
	Anyone    = "anyone"
	Owner     = "owner"
	Approvers = "approvers"
	Requester = "requester"
	// PagerDuty admits acks and resolves made in PagerDuty, which the
	// gateway passes on.
	PagerDuty = "pagerduty"
)

// defaults are the rules of a dre.yaml without authz:, which keep what
// each decision allowed before the policy existed.
var defaults = map[string][]string{
	AccessApprove:     {Approvers},
	AccessDeny:        {Approvers},
	AccessRevoke:      {Requester, Approvers},
	ReviewDecide:      {Approvers},
	PIITag:            {Approvers},
	BackfillApprove:   {Anyone},
	BackfillOverride:  {Owner, Approvers},
	DeprecateAck:      {Anyone},
	DeprecateVeto:     {Anyone},
	DeprecateContinue: {Approvers},
	DeprecateExtend:   {Anyone},
	DeprecateCancel:   {Anyone},
	RunbookApprove:    {Approvers},
	TriageAck:         {Anyone},
	TriageResolve:     {Anyone},
	TriageEscalate:    {Anyone},
	TriageRunRunbook:  {Anyone},
	// The child backfill keeps its own guards: the SLO freeze and the budget.
	TriageBackfill: {Anyone},
	// Taking command coordinates the responders, as an ack does; a team
	// that wants only its on-call to may name a group.
	TriageCommand: {Anyone},
}

// phrases say each decision in words, for messages.
var phrases = map[string]string{
	AccessApprove: "approve access", AccessDeny: "deny access", AccessRevoke: "revoke access",
	ReviewDecide: "decide in an access review", PIITag: "tag a PII column",
	BackfillApprove: "approve a backfill", BackfillOverride: "override a backfill hold (an SLO freeze, or a --select without backfill.select_role)",
	DeprecateAck: "acknowledge a deprecation", DeprecateVeto: "veto a deprecation", DeprecateContinue: "continue a paused deprecation",
	DeprecateExtend: "extend a deprecation", DeprecateCancel: "cancel a deprecation",
	RunbookApprove: "decide a runbook approval",
	TriageAck:      "acknowledge an incident", TriageResolve: "resolve an incident", TriageEscalate: "escalate an incident",
	TriageRunRunbook: "run a runbook from an incident", TriageBackfill: "backfill partitions from an incident",
	TriageCommand: "take command of an incident",
}

// openWithoutApprovers lists the decisions whose approvers are optional:
// with none listed, their default rule lets anyone decide, as before the
// policy (lifecycle.approvers is optional in dre.yaml).
var openWithoutApprovers = []string{DeprecateContinue}

// selfApproval lists the decisions a requester may not take on their own
// request (separation of duties).
var selfApproval = []string{AccessApprove, AccessDeny, BackfillApprove, BackfillOverride, RunbookApprove, ReviewDecide}

// Actions returns every decision name, sorted, for checking dre.yaml.
func Actions() []string {
	out := make([]string, 0, len(defaults))
	for a := range defaults {
		out = append(out, a)
	}
	slices.Sort(out)
	return out
}

// Known reports whether action is a decision the policy governs.
func Known(action string) bool {
	_, ok := defaults[action]
	return ok
}

// IsRole reports whether subject is one of the roles rather than a
// person or group.
func IsRole(subject string) bool {
	return slices.Contains([]string{Anyone, Owner, Approvers, Requester, PagerDuty}, subject)
}
