package workflows

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/dre-dev/dre/internal/decision"
)

// Proof is what a decision carries to prove who sent it: an armored SSH
// signature (decision.Sign) by one of the decider's keys over
// decision.Decision{WorkflowID, Action (the update's name), Target, Decider,
// At, Nonce}, or, for a decision made in Slack, the gateway's signature
// for the Slack user SlackUser of workspace SlackTeam (Via "slack"; the
// decider is the relay, decisions.slack_relay, and OnBehalfOf is
// SlackOnBehalfOf(SlackTeam, SlackUser)). Without a signature a decision
// counts only where the worker's dre.yaml sets decisions.allow_unsigned,
// and is recorded as unverified.
type Proof struct {
	Signature string    `json:"signature,omitempty"`
	At        time.Time `json:"at,omitzero"`
	Nonce     string    `json:"nonce,omitempty"`
	Via       string    `json:"via,omitempty"`
	SlackUser string    `json:"slackUser,omitempty"`
	SlackTeam string    `json:"slackTeam,omitempty"`
	// SlackGroups are the Slack user groups named under groups: that the
	// gateway found SlackUser in (through Slack, cached a few minutes),
	// covered by the relay's signature (SlackOnBehalfOfIn).
	SlackGroups []string `json:"slackGroups,omitempty"`
	// PagerDutyAgent is the PagerDuty user of a decision made in
	// PagerDuty (Via "pagerduty"), which the gateway passes on after
	// verifying the webhook's signature, signed for
	// PagerDutyOnBehalfOf(PagerDutyAgent).
	PagerDutyAgent string `json:"pagerDutyAgent,omitempty"`
}

// ViaPagerDuty is Proof.Via for decisions made in PagerDuty (an ack or a
// resolve of the incident dre paged).
const ViaPagerDuty = "pagerduty"

// PagerDutyOnBehalfOf is the decision.Decision.OnBehalfOf of a PagerDuty
// user's decision relayed by the gateway.
func PagerDutyOnBehalfOf(agent string) string { return "pagerduty:" + agent }

// prove establishes who sent c: a signature verified against the
// worker's directory, a Slack user vouched for by the gateway's relay key,
// or, where dre.yaml allows, the name it gives. It is pure (workflow.Now is
// the history's time), so the handler can run it again.
func (g *decisionGuard) prove(ctx workflow.Context, c claim) (decider, error) {
	p := c.proof
	switch {
	case p.Via == ViaSlack:
		return g.proveSlack(ctx, c)
	case p.Via == ViaPagerDuty:
		return g.provePagerDuty(ctx, c)
	case p.Via != "":
		return decider{}, fmt.Errorf("decisions come from the CLI (no via) or via %q or %q, not via %q", ViaSlack, ViaPagerDuty, p.Via)
	case c.by == "":
		return decider{}, errors.New("say who decides: the decision's By is empty (your person ID under people: in dre.yaml)")
	case p.Signature == "" && !g.policy.AllowUnsigned:
		return decider{}, refuse(fmt.Sprintf(
			"%s's %s is not signed, and the worker's dre.yaml requires signed decisions (decisions.allow_unsigned is off); sign it: %s --as <your person ID> --sign <your key> (a key listed under people.<your ID>.keys)",
			c.by, c.action, c.cli))
	case p.Signature == "":
		return decider{name: c.by, person: g.personOf(c.by), evidence: Unverified}, nil
	}
	v, err := g.verify(ctx, c, "")
	if err != nil {
		return decider{}, err
	}
	return decider{name: c.by, person: v.Person.ID, evidence: v.Fingerprint}, nil
}

// verify checks c's signature, made for onBehalfOf, and refuses a nonce
// already used.
func (g *decisionGuard) verify(ctx workflow.Context, c claim, onBehalfOf string) (decision.Verified, error) {
	signed := decision.Decision{WorkflowID: c.workflowID, Action: c.action, Target: c.target, Decider: c.by,
		OnBehalfOf: onBehalfOf, At: c.proof.At, Nonce: c.proof.Nonce}
	// Verify is pure (no clock, I/O or randomness; see its doc), which
	// workflowcheck cannot tell from its JSON encoding and crypto.
	//workflowcheck:ignore
	v, err := decision.Verify(signed, c.proof.Signature, g.policy.People, workflow.Now(ctx), decision.DefaultMaxAge)
	if err != nil {
		return v, refuse(fmt.Sprintf("the signature on %s's %s is refused: %v", c.by, c.action, err))
	}
	if slices.Contains(g.seen, c.proof.Nonce) {
		return v, refuse(fmt.Sprintf(
			"this signed decision was already used on %s (nonce %s): a signature counts once; sign a new decision", c.workflowID, c.proof.Nonce))
	}
	return v, nil
}

// remember keeps a signed decision's nonce, so it cannot be sent again.
func (g *decisionGuard) remember(p Proof) {
	if p.Signature != "" {
		g.seen = append(g.seen, p.Nonce)
	}
}

// proveSlack establishes the Slack user behind a decision made in Slack.
// Any Temporal client can claim a Slack user, so the claim counts only
// when signed by the relay key (decisions.slack_relay), which only the
// gateway holds and uses after verifying Slack's request signature; an
// unsigned claim counts only under decisions.allow_unsigned.
func (g *decisionGuard) proveSlack(ctx workflow.Context, c claim) (decider, error) {
	p := c.proof
	if p.SlackUser == "" {
		return decider{}, fmt.Errorf("a decision via Slack names its Slack user; this one names none")
	}
	if ws := g.policy.SlackWorkspaces; len(ws) > 0 && !slices.Contains(ws, p.SlackTeam) {
		return decider{}, fmt.Errorf("the Slack workspace %q is not one of dre's (slack.workspaces %v): its users cannot decide here", p.SlackTeam, ws)
	}
	person, err := g.slackPerson(p)
	if err != nil {
		return decider{}, err
	}
	if p.Signature == "" {
		if !g.policy.AllowUnsigned {
			return decider{}, refuse(fmt.Sprintf(
				"%s's %s from Slack is not signed by the gateway, and the worker's dre.yaml requires signed decisions; give the gateway a key (gateway.signing_key, listed under the people: entry decisions.slack_relay names), or decide with %s --sign",
				p.SlackUser, c.action, c.cli))
		}
		return decider{name: p.SlackUser, person: person, evidence: Unverified, slackGroups: p.SlackGroups}, nil
	}
	if g.policy.SlackRelay == "" || c.by != g.policy.SlackRelay {
		return decider{}, refuse(fmt.Sprintf(
			"only the gateway's relay (decisions.slack_relay: %q) may pass on a Slack user's decision; this one is signed as %s", g.policy.SlackRelay, c.by))
	}
	onBehalfOf := SlackOnBehalfOfIn(p.SlackTeam, p.SlackUser, p.SlackGroups)
	v, err := g.verify(ctx, c, onBehalfOf)
	if err != nil {
		return decider{}, err
	}
	return decider{name: p.SlackUser, person: person, slack: true, slackGroups: p.SlackGroups,
		evidence: v.Fingerprint + " (relay " + c.by + " for Slack " + onBehalfOf + ")"}, nil
}

// provePagerDuty establishes the PagerDuty user behind an ack or resolve
// made in PagerDuty: like a Slack decision, it counts when the gateway's
// relay key signed it, or unsigned under decisions.allow_unsigned.
func (g *decisionGuard) provePagerDuty(ctx workflow.Context, c claim) (decider, error) {
	p := c.proof
	if p.PagerDutyAgent == "" {
		return decider{}, errors.New("a decision via PagerDuty names its PagerDuty user; this one names none")
	}
	name := PagerDutyOnBehalfOf(p.PagerDutyAgent)
	if p.Signature == "" {
		if !g.policy.AllowUnsigned {
			return decider{}, refuse(fmt.Sprintf(
				"%s's %s from PagerDuty is not signed by the gateway, and the worker's dre.yaml requires signed decisions; give the gateway a key (gateway.signing_key, listed under the people: entry decisions.slack_relay names)",
				name, c.action))
		}
		return decider{name: name, evidence: Unverified, pagerDuty: true}, nil
	}
	if g.policy.SlackRelay == "" || c.by != g.policy.SlackRelay {
		return decider{}, refuse(fmt.Sprintf(
			"only the gateway's relay (decisions.slack_relay: %q) may pass on a PagerDuty user's decision; this one is signed as %s", g.policy.SlackRelay, c.by))
	}
	v, err := g.verify(ctx, c, name)
	if err != nil {
		return decider{}, err
	}
	return decider{name: name, pagerDuty: true, evidence: v.Fingerprint + " (relay " + c.by + " for " + name + ")"}, nil
}

// slackPerson is the person with p's Slack user ID, "" if nobody; a person
// pinned to another workspace (slack_team) is refused.
func (g *decisionGuard) slackPerson(p Proof) (string, error) {
	person, err := g.policy.People.BySlackUser(p.SlackUser)
	if err != nil {
		return "", nil // known by the Slack ID alone, which approvers may list
	}
	if person.SlackTeam != "" && person.SlackTeam != p.SlackTeam {
		return "", fmt.Errorf("the Slack user %s is people.%s of workspace %s, but this decision comes from workspace %q", p.SlackUser, person.ID, person.SlackTeam, p.SlackTeam)
	}
	return person.ID, nil
}

// personOf maps how someone is named (a person ID, cli:<id>, a Slack user
// ID) to their person ID in the policy's directory, or "" if unknown.
func (g *decisionGuard) personOf(name string) string {
	dir := g.policy.People
	for _, id := range []string{name, strings.TrimPrefix(name, "cli:")} {
		if p, err := dir.Person(id); err == nil {
			return p.ID
		}
	}
	if p, err := dir.BySlackUser(name); err == nil {
		return p.ID
	}
	return ""
}
