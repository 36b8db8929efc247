package workflows

import (
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/dre-dev/dre/activities"
)

// SLORoundChangeID is the workflow.GetVersion change ID that guards the
// round of one activity: evaluators started before it ran an incident
// check, then a measure and a record activity per SLO, and upserted their
// search attributes every round; their histories must replay. A worker
// can still start evaluators of that design by preferring
// workflow.DefaultVersion for this ID (tests/bench compares the two).
const SLORoundChangeID = "slo-one-activity-round"

// oneActivityRounds tells whether this evaluator runs each round as one
// activity. The answer is kept in the state carried across
// continue-as-new, so that later runs record no version marker.
func (e *sloEval) oneActivityRounds(ctx workflow.Context) bool {
	if !e.status.OneActivityRounds {
		e.status.OneActivityRounds = workflow.GetVersion(ctx, SLORoundChangeID, workflow.DefaultVersion, 1) == 1
	}
	return e.status.OneActivityRounds
}

// roundInOneActivity evaluates the due SLOs (indexes into the status) in
// one activity, which checks the incident, measures, records and
// evaluates each one, then adopts each reading and acts on it. The
// activity retries transient failures itself; what still fails is shown
// on the SLO, and the next round tries again.
func (e *sloEval) roundInOneActivity(ctx workflow.Context, due []int, now time.Time) {
	in := e.roundInput(due, now)
	var a *activities.SLOs
	var res activities.SLORoundResult
	err := workflow.ExecuteActivity(sloRoundOptions(ctx, len(due)), a.EvaluateSLORound, in).Get(ctx, &res)
	e.adoptRound(ctx, due, in, res, err)
}

// roundInput is the round of the due SLOs, each for the slot holding
// now; each SLO is next due at the end of that slot.
func (e *sloEval) roundInput(due []int, now time.Time) activities.SLORoundInput {
	in := activities.SLORoundInput{Dataset: e.in.Dataset}
	for _, i := range due {
		s := &e.status.SLOs[i]
		at := sloSlot(now, s.Objective.Interval)
		s.NextAt = at.Add(s.Objective.Interval)
		in.SLOs = append(in.SLOs, activities.SLORoundSLO{Name: s.Name, Objective: s.Objective, Rules: e.rules(s.Objective.Interval), At: at})
	}
	return in
}

// adoptRound takes a round's readings (or its failure, err) onto the due
// SLOs and acts on each.
func (e *sloEval) adoptRound(ctx workflow.Context, due []int, in activities.SLORoundInput, res activities.SLORoundResult, err error) {
	for k, i := range due {
		switch {
		case err != nil:
			e.status.SLOs[i].Error = "evaluating: " + err.Error()
		case k >= len(res.Readings) || res.Readings[k].SLO != in.SLOs[k].Name:
			e.status.SLOs[i].Error = "evaluating: the round returned no reading for this SLO"
		case res.Readings[k].Error != "":
			e.status.SLOs[i].Error = res.Readings[k].Error
		default:
			r := res.Readings[k]
			e.observe(ctx, i, in.SLOs[k].At, r.Measurement, r.Evaluation, in.SLOs[k].Rules)
		}
	}
}

// sloRoundOptions gives a round as long as its SLOs had one by one (two
// minutes to measure and one to record each).
func sloRoundOptions(ctx workflow.Context, slos int) workflow.Context {
	return workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: time.Duration(slos) * 3 * time.Minute,
		RetryPolicy:         &temporal.RetryPolicy{InitialInterval: time.Second, MaximumAttempts: activities.SLORoundAttempts},
		Summary:             "measure, record and evaluate the due SLOs",
	})
}

// publishStatus derives the dataset's status and upserts the search
// attributes only when they differ from the run's: an upsert is a billed
// Temporal action, and the level changes rarely. The run's attributes are
// those it was started with (StartSLOEval sets all three), carried over
// by continue-as-new, or its latest upsert.
func (e *sloEval) publishStatus(ctx workflow.Context) error {
	e.deriveStatus()
	sa := workflow.GetTypedSearchAttributes(ctx)
	kind, _ := sa.GetKeyword(KindKey)
	dataset, _ := sa.GetKeyword(DatasetKey)
	status, _ := sa.GetKeyword(StatusKey)
	if kind == KindSLOEval && dataset == e.in.Dataset.Name && status == e.status.Status {
		return nil
	}
	return workflow.UpsertTypedSearchAttributes(ctx,
		KindKey.ValueSet(KindSLOEval), DatasetKey.ValueSet(e.in.Dataset.Name), StatusKey.ValueSet(e.status.Status))
}
