// Package authz is dre's one authorization policy: who may take each
// decision (approve access, approve a backfill, resolve an incident...),
// from the authz: section of dre.yaml with per-dataset overrides.
//
// It is pure: workflows evaluate it in their update validators against
// the people directory the worker loaded, after the decider's identity is
// proven (a verified signature, a Slack user vouched for by the gateway,
// or an unsigned name where decisions.allow_unsigned permits). So a rule
// holds whichever client sends the decision: the CLI, Slack, the
// Temporal UI or another SDK.
//
// A rule lists subjects. A subject is a person ID (people: in dre.yaml),
// a group (groups:), or one of the roles:
//
//	anyone     whoever proved who they are
//	owner      members of the group named by the dataset's owner.team
//	approvers  the approvers of the decision at hand: pii.approvers for
//	           access and PII tags, lifecycle.approvers for deprecations,
//	           a runbook step's approvers
//	requester  whoever asked for the work (for revoking their own access)
//	pagerduty  acks and resolves made in PagerDuty, passed on by the gateway
//
// Whatever the rule, a requester never approves their own request.
package authz
