package workflows

import (
	"fmt"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/dre-dev/dre/activities"
	"github.com/dre-dev/dre/internal/catalog"
	"github.com/dre-dev/dre/internal/slo"
)

// sloActivity sets the options of one SLO activity. Failures after the
// retries are recorded on the SLO and the round moves on: a warehouse
// outage must not stop the evaluation of the dataset's other SLOs.
func sloActivity(ctx workflow.Context, timeout time.Duration, summary string) workflow.Context {
	return workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: timeout,
		RetryPolicy:         &temporal.RetryPolicy{InitialInterval: time.Second, MaximumAttempts: 3},
		Summary:             summary,
	})
}

// round evaluates every SLO that is due and publishes the new status.
func (e *sloEval) round(ctx workflow.Context) error {
	e.bootstrap(ctx)
	now := workflow.Now(ctx)
	due := e.due(now)
	if len(due) == 0 {
		return nil
	}
	if e.oneActivityRounds(ctx) {
		e.roundInOneActivity(ctx, due, now)
		e.status.Rounds++
		return e.publishStatus(ctx)
	}
	var a *activities.SLOs
	incident := false
	if err := workflow.ExecuteActivity(sloActivity(ctx, 30*time.Second, "is a triage open?"), a.SLOIncidentOpen, e.in.Dataset.Name).Get(ctx, &incident); err != nil {
		workflow.GetLogger(ctx).Warn("SLO: cannot tell whether a triage is open; observations are not marked", "error", err)
	}
	for _, i := range due {
		e.evaluate(ctx, i, now, incident)
	}
	e.status.Rounds++
	return e.upsertStatus(ctx)
}

// due lists the SLOs (indexes into the status) whose time has come.
func (e *sloEval) due(now time.Time) []int {
	var due []int
	for i, s := range e.status.SLOs {
		if !s.NextAt.After(now) {
			due = append(due, i)
		}
	}
	return due
}

// evaluate measures one SLO, stores the observation, evaluates the series
// and acts on the result.
func (e *sloEval) evaluate(ctx workflow.Context, i int, now time.Time, incident bool) {
	def, s := e.in.Dataset.SLOs[i], &e.status.SLOs[i]
	at := sloSlot(now, s.Objective.Interval)
	s.NextAt = at.Add(s.Objective.Interval)
	var a *activities.SLOs
	var m activities.Measurement
	in := activities.MeasureSLIInput{Dataset: e.in.Dataset, SLO: def, At: at}
	if err := workflow.ExecuteActivity(sloActivity(ctx, 2*time.Minute, "measure "+def.Name), a.MeasureSLI, in).Get(ctx, &m); err != nil {
		s.Error = "measuring: " + err.Error()
		return
	}
	rec := activities.RecordSLOInput{
		Dataset: e.in.Dataset.Name, SLO: def.Name, Objective: s.Objective, Rules: e.rules(s.Objective.Interval), Detail: m.Detail,
		Obs: slo.Observation{At: at, Good: m.Good, Total: m.Total, Value: m.Value, Incident: incident},
	}
	var ev slo.Evaluation
	if err := workflow.ExecuteActivity(sloActivity(ctx, time.Minute, "record "+def.Name), a.RecordSLO, rec).Get(ctx, &ev); err != nil {
		s.Error = "recording: " + err.Error()
		return
	}
	e.observe(ctx, i, at, m, ev, rec.Rules)
}

// observe adopts an SLO's new reading and evaluation, extends its chart
// history and acts on the result.
func (e *sloEval) observe(ctx workflow.Context, i int, at time.Time, m activities.Measurement, ev slo.Evaluation, rules []slo.Rule) {
	s := &e.status.SLOs[i]
	s.Last, s.Detail, s.Error = ev, m.Detail, ""
	s.History = append(s.History, slo.Point{At: at, BudgetLeft: ev.BudgetLeft, Burn: ev.BurnOver(rules[0].Long), Good: m.Good == m.Total})
	if n := len(s.History); n > sloHistoryPoints {
		s.History = s.History[n-sloHistoryPoints:]
	}
	e.act(ctx, e.in.Dataset.SLOs[i], s)
}

// rules are the alert rules scaled to an SLO's interval.
func (e *sloEval) rules(interval time.Duration) []slo.Rule {
	rules := e.in.Rules
	if len(rules) == 0 {
		rules = slo.WorkbookRules
	}
	return slo.ScaleRules(rules, interval)
}

// act alerts when an SLO's level rises: a page opens or joins the triage,
// a ticket posts to the owner channel. A level that holds or falls sends
// nothing, so recovery ends the alerts. A failed report leaves the level
// where it was, so the next round tries again.
func (e *sloEval) act(ctx workflow.Context, def catalog.SLO, s *SLOState) {
	level, evidence := s.Last.Level, slo.Evidence(s.Name, s.Kind, s.Objective, s.Last, s.Detail)
	switch {
	case level == slo.Page && s.Level != slo.Page:
		var a *activities.SLOs
		b := activities.SLOBreach{Dataset: e.in.Dataset, SLO: def.Name, Severity: 2, Description: evidence, At: s.Last.At}
		if err := workflow.ExecuteActivity(notifyOptions(ctx, "open or join triage/"+e.in.Dataset.Name), a.ReportSLOBreach, b).Get(ctx, nil); err != nil {
			s.Error = "reporting to triage: " + err.Error()
			return
		}
		e.status.Pages++
	case level == slo.Ticket && s.Level == slo.None:
		e.ticket(ctx, evidence)
	}
	s.Level = level
}

// ticket posts a ticket-level burn to the dataset owner's channel.
func (e *sloEval) ticket(ctx workflow.Context, evidence string) {
	e.status.Tickets++
	channel := e.in.Dataset.Owner.SlackChannel
	if channel == "" {
		workflow.GetLogger(ctx).Warn("SLO: ticket-level burn but no owner.slack_channel", "dataset", e.in.Dataset.Name)
		return
	}
	msg := activities.SlackMessage{Channel: channel, Text: fmt.Sprintf(":warning: %s: %s", e.in.Dataset.Name, evidence)}
	if _, err := sendSlack(ctx, "post the SLO ticket to "+channel, msg); err != nil {
		workflow.GetLogger(ctx).Warn("SLO: ticket not posted", "channel", channel, "error", err)
	}
}
