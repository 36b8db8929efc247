package workflows

import (
	"errors"
	"fmt"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/dre-dev/dre/activities"
	"github.com/dre-dev/dre/internal/authz"
)

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

// load fetches the worker's policy for dataset. On a worker without one
// the run goes on, and every decision is refused (see ready).
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
	err := g.policy.Authz.Check(g.policy.People, rule, who.authzDecider(), f)
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

// ownerFacts are the authz facts of the policy's dataset: its owner team.
func (g *decisionGuard) ownerFacts() authz.Facts {
	return authz.Facts{Dataset: g.policy.Dataset.Name, OwnerTeam: g.policy.Dataset.Owner.Team}
}
