package workflows

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/dre-dev/dre/activities"
	"github.com/dre-dev/dre/internal/authz"
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

// MetricDecisionsRefused counts decisions a workflow's validator refused,
// by workflow type, action and reason (unproven, not_allowed,
// self_approval).
const MetricDecisionsRefused = "dre_decisions_refused"

// ErrNotAuthorized marks a decision the authz: policy does not allow.
const ErrNotAuthorized = "NotAuthorized"

// claim is one decision as sent: what it decides and who says they sent it.
type claim struct {
	workflowID, action, target string
	by                         string
	proof                      Proof
	// cli is the command that signs this decision, for messages.
	cli string
}

// decisionGuard proves who sends a workflow's decisions and applies the
// worker's authz: policy, in the update validators, whichever client
// sends them. A nil policy is a run recorded before the guard: it keeps
// its old checks.
type decisionGuard struct {
	policy  *activities.DecisionPolicy
	loading bool
	// unavailable says why this run has no policy although it asked for
	// one (a worker started without dre.yaml): it refuses every decision.
	unavailable string
	// seen are the nonces of the signed decisions accepted, so a
	// signature cannot be sent twice.
	seen []string
	// deciders are each dataset's pii.approvers and owner team from the
	// worker's catalog (loadDeciders); nil until loaded and in runs
	// recorded before, which take those their input gave.
	deciders map[string]activities.DatasetDeciders
}

// decisionPolicyVersion marks runs that check decisions against the
// worker's dre.yaml (people, signatures, authz); runs recorded before it
// keep the checks they started with.
const decisionPolicyVersion = "decision-policy-from-worker"

// start marks the guard loading when this run uses the worker's policy.
// Call it before the update handlers are registered, since registering
// them runs the validators of updates that arrived with the start.
func (g *decisionGuard) start(ctx workflow.Context) {
	g.loading = workflow.GetVersion(ctx, decisionPolicyVersion, workflow.DefaultVersion, 1) >= 1
}

// load fetches the worker's policy for dataset. A worker without one
// fails the run: it could not tell who decides.
func (g *decisionGuard) load(ctx workflow.Context, dataset string) error {
	if !g.loading {
		return nil
	}
	var a *activities.Policy
	var p activities.DecisionPolicy
	err := workflow.ExecuteLocalActivity(policyCtx(ctx), a.DecisionPolicy, dataset).Get(ctx, &p)
	var noPolicy *temporal.ApplicationError
	switch {
	case errors.As(err, &noPolicy) && noPolicy.Type() == activities.ErrNoPolicy:
		// The work itself needs no decision; any decision is refused.
		g.unavailable = noPolicy.Message()
		workflow.GetLogger(ctx).Warn("no decision policy: decisions will be refused", "reason", g.unavailable)
	case err != nil:
		return fmt.Errorf("loading the decision policy of %s from the worker's dre.yaml: %w", dataset, err)
	default:
		g.policy = &p
	}
	g.loading = false
	return nil
}

// policyCtx bounds the local activity that reads the worker's policy.
func policyCtx(ctx workflow.Context) workflow.Context {
	return workflow.WithLocalActivityOptions(ctx, workflow.LocalActivityOptions{
		StartToCloseTimeout: 10 * time.Second, ScheduleToCloseTimeout: time.Minute,
		RetryPolicy: &temporal.RetryPolicy{InitialInterval: time.Second, MaximumInterval: 10 * time.Second},
	})
}

// ready refuses decisions while the policy loads (sending again shortly
// succeeds), and every decision when the worker had no policy.
func (g *decisionGuard) ready() error {
	switch {
	case g.loading:
		return temporal.NewApplicationError("the workflow is still loading its decision policy from the worker; send the decision again in a moment", ErrPolicyLoading)
	case g.unavailable != "":
		return refuse(g.unavailable)
	}
	return nil
}

// check proves who sent c and applies the authz rule for action, counting
// a refusal. It is pure apart from the metric, which replays skip, so a
// handler can run it again to learn the evidence its validator accepted.
func (g *decisionGuard) check(ctx workflow.Context, c claim, rule string, f authz.Facts) (decider, error) {
	who, err := g.prove(ctx, c)
	if err != nil {
		g.countRefusal(ctx, rule, "unproven")
		return who, err
	}
	if err := g.authorize(ctx, rule, who, f); err != nil {
		return who, err
	}
	return who, nil
}

// authorize applies the authz rule to a proven decider.
func (g *decisionGuard) authorize(ctx workflow.Context, rule string, who decider, f authz.Facts) error {
	ad := authz.Decider{Person: who.person, Name: who.name, NameCounts: who.nameProven(), PagerDuty: who.pagerDuty}
	err := g.policy.Authz.Check(g.policy.People, rule, ad, f)
	var r *authz.Refusal
	if errors.As(err, &r) {
		g.countRefusal(ctx, rule, r.Reason)
		kind := ErrNotAuthorized
		if r.Reason == authz.ReasonSelfApproval {
			kind = ErrSeparationOfDuties
		}
		return temporal.NewApplicationError(err.Error(), kind)
	}
	return err
}

// countRefusal counts a refused decision. Validators do not run on
// replay for updates they rejected, and the handler skips replays.
func (g *decisionGuard) countRefusal(ctx workflow.Context, rule, reason string) {
	workflow.GetMetricsHandler(ctx).WithTags(map[string]string{
		"workflow": workflow.GetInfo(ctx).WorkflowType.Name, "action": rule, "reason": reason,
	}).Counter(MetricDecisionsRefused).Inc(1)
}

// accept re-proves a validated decision in its handler and keeps its
// nonce, returning the evidence to record.
func (g *decisionGuard) accept(ctx workflow.Context, c claim) (decider, error) {
	if g.policy == nil {
		return decider{name: c.by, evidence: ""}, nil
	}
	who, err := g.prove(ctx, c)
	if err != nil {
		return who, err
	}
	g.remember(c.proof)
	return who, nil
}

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
		return decider{name: p.SlackUser, person: person, evidence: Unverified}, nil
	}
	if g.policy.SlackRelay == "" || c.by != g.policy.SlackRelay {
		return decider{}, refuse(fmt.Sprintf(
			"only the gateway's relay (decisions.slack_relay: %q) may pass on a Slack user's decision; this one is signed as %s", g.policy.SlackRelay, c.by))
	}
	v, err := g.verify(ctx, c, SlackOnBehalfOf(p.SlackTeam, p.SlackUser))
	if err != nil {
		return decider{}, err
	}
	return decider{name: p.SlackUser, person: person, slack: true,
		evidence: v.Fingerprint + " (relay " + c.by + " for Slack " + SlackOnBehalfOf(p.SlackTeam, p.SlackUser) + ")"}, nil
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

// ownerFacts are the authz facts of the policy's dataset: its owner team.
func (g *decisionGuard) ownerFacts() authz.Facts {
	return authz.Facts{Dataset: g.policy.Dataset.Name, OwnerTeam: g.policy.Dataset.Owner.Team}
}
