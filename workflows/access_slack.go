package workflows

import (
	"fmt"
	"slices"

	"go.temporal.io/sdk/workflow"
)

// proveSlack establishes the Slack user behind a decision made in Slack.
// Any Temporal client can claim a Slack user, so the claim counts only
// when signed by the relay key (decisions.slack_relay), which only the
// gateway holds and uses after verifying Slack's request signature; an
// unsigned claim counts only under decisions.allow_unsigned.
func (r *accessRequest) proveSlack(ctx workflow.Context, action string, d AccessDecision) (decider, error) {
	if d.SlackUser == "" {
		return decider{}, fmt.Errorf("a decision via Slack names its Slack user; this one names none")
	}
	if ws := r.policy.SlackWorkspaces; len(ws) > 0 && !slices.Contains(ws, d.SlackTeam) {
		return decider{}, fmt.Errorf("the Slack workspace %q is not one of dre's (slack.workspaces %v): its users cannot decide here", d.SlackTeam, ws)
	}
	person, err := r.slackPerson(d)
	if err != nil {
		return decider{}, err
	}
	if d.Signature == "" {
		if !r.policy.AllowUnsigned {
			return decider{}, refuse(fmt.Sprintf(
				"%s's %s from Slack is not signed by the gateway, and the worker's dre.yaml requires signed decisions; give the gateway a key (gateway.signing_key, listed under the people: entry decisions.slack_relay names), or decide with dre access %s --sign",
				d.SlackUser, action, action))
		}
		return decider{name: d.SlackUser, person: person, evidence: Unverified}, nil
	}
	if r.policy.SlackRelay == "" || d.By != r.policy.SlackRelay {
		return decider{}, refuse(fmt.Sprintf(
			"only the gateway's relay (decisions.slack_relay: %q) may pass on a Slack user's decision; this one is signed as %s", r.policy.SlackRelay, d.By))
	}
	v, err := r.verify(ctx, action, d, SlackOnBehalfOf(d.SlackTeam, d.SlackUser))
	if err != nil {
		return decider{}, err
	}
	return decider{name: d.SlackUser, person: person, slack: true,
		evidence: v.Fingerprint + " (relay " + d.By + " for Slack " + SlackOnBehalfOf(d.SlackTeam, d.SlackUser) + ")"}, nil
}

// slackPerson is the person with d's Slack user ID, "" if nobody; a person
// pinned to another workspace (slack_team) is refused.
func (r *accessRequest) slackPerson(d AccessDecision) (string, error) {
	p, err := r.policy.People.BySlackUser(d.SlackUser)
	if err != nil {
		return "", nil // known by the Slack ID alone, which approvers may list
	}
	if p.SlackTeam != "" && p.SlackTeam != d.SlackTeam {
		return "", fmt.Errorf("the Slack user %s is people.%s of workspace %s, but this decision comes from workspace %q", d.SlackUser, p.ID, p.SlackTeam, d.SlackTeam)
	}
	return p.ID, nil
}
