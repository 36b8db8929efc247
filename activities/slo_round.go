package activities

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.temporal.io/sdk/activity"

	"github.com/dre-dev/dre/internal/catalog"
	"github.com/dre-dev/dre/internal/slo"
)

// SLORoundAttempts is how many times the evaluator runs a round's activity
// before it takes the readings it has: the workflow sets it as the retry
// policy's MaximumAttempts, and EvaluateSLORound reads it to know when a
// transient failure should stop asking for a retry.
const SLORoundAttempts = 3

// SLORoundInput is one round of a dataset's due SLOs.
type SLORoundInput struct {
	Dataset catalog.Dataset `json:"dataset"`
	SLOs    []SLORoundSLO   `json:"slos"`
}

// SLORoundSLO is one due SLO: the slot it is measured for and what its
// series is evaluated against.
type SLORoundSLO struct {
	Name      string        `json:"name"`
	Objective slo.Objective `json:"objective"`
	Rules     []slo.Rule    `json:"rules"`
	At        time.Time     `json:"at"`
}

// SLORoundResult is what the evaluator needs to decide on alerts: whether
// the dataset's triage is open, and one reading per due SLO, in order.
type SLORoundResult struct {
	Incident bool         `json:"incident"`
	Readings []SLOReading `json:"readings"`
}

// SLOReading is the outcome of one SLO in a round: the measurement and the
// evaluation over the stored series, or why there is none.
type SLOReading struct {
	SLO         string         `json:"slo"`
	Measurement Measurement    `json:"measurement"`
	Evaluation  slo.Evaluation `json:"evaluation"`
	Error       string         `json:"error,omitempty"`
}

// EvaluateSLORound runs a whole round of a dataset's due SLOs in one
// activity, so that a round costs one Temporal action instead of two per
// SLO plus the incident check: it asks whether the triage is open, then
// measures, records and evaluates each SLO.
//
// One SLO's failure does not stop the others: it is returned as that
// reading's Error. A transient failure (a warehouse or state database
// that did not answer) fails the activity so that Temporal retries the
// round, unless this is the last attempt, when the round returns what it
// has. Recording is keyed by slot, so a retried round replaces its rows.
func (s *SLOs) EvaluateSLORound(ctx context.Context, in SLORoundInput) (SLORoundResult, error) {
	res, transient := s.sloRound(ctx, in)
	if transient != nil && retryAttemptsLeft(ctx) {
		return SLORoundResult{}, transient
	}
	return res, nil
}

// sloRound runs one dataset's round, returning the readings and, joined,
// the failures that a retry might cure (nil when there is none).
func (s *SLOs) sloRound(ctx context.Context, in SLORoundInput) (SLORoundResult, error) {
	var res SLORoundResult
	var transient []error
	incident, err := s.SLOIncidentOpen(ctx, in.Dataset.Name)
	if err != nil {
		transient = append(transient, fmt.Errorf("asking whether triage/%s is open: %w", in.Dataset.Name, err))
	}
	res.Incident = incident
	for _, due := range in.SLOs {
		r, err := s.roundReading(ctx, in.Dataset, due, incident)
		if err != nil && retryable(err) {
			transient = append(transient, err)
		}
		res.Readings = append(res.Readings, r)
	}
	if len(transient) > 0 {
		return res, fmt.Errorf("SLO round of %s: %w", in.Dataset.Name, errors.Join(transient...))
	}
	return res, nil
}

// retryAttemptsLeft tells whether a failed round should ask Temporal for
// another attempt: yes below SLORoundAttempts, never outside an activity.
func retryAttemptsLeft(ctx context.Context) bool {
	return activity.IsActivity(ctx) && activity.GetInfo(ctx).Attempt < SLORoundAttempts
}

// roundReading measures, records and evaluates one due SLO. The error is
// also in the reading, as the evaluator shows it.
func (s *SLOs) roundReading(ctx context.Context, ds catalog.Dataset, due SLORoundSLO, incident bool) (SLOReading, error) {
	r := SLOReading{SLO: due.Name}
	def, ok := sloByName(ds, due.Name)
	if !ok {
		r.Error = fmt.Sprintf("SLO %s is not in the catalog entry of %s; run dre slo schedule sync", due.Name, ds.Name)
		return r, nil
	}
	m, err := s.MeasureSLI(ctx, MeasureSLIInput{Dataset: ds, SLO: def, At: due.At})
	if err != nil {
		r.Error = "measuring: " + err.Error()
		return r, err
	}
	rec := RecordSLOInput{
		Dataset: ds.Name, SLO: def.Name, Objective: due.Objective, Rules: due.Rules, Detail: m.Detail,
		Obs: slo.Observation{At: due.At, Good: m.Good, Total: m.Total, Value: m.Value, Incident: incident},
	}
	ev, err := s.RecordSLO(ctx, rec)
	if err != nil {
		r.Error = "recording: " + err.Error()
		return r, err
	}
	r.Measurement, r.Evaluation = m, ev
	return r, nil
}

// sloByName finds an SLO of the dataset's catalog entry.
func sloByName(ds catalog.Dataset, name string) (catalog.SLO, bool) {
	for _, o := range ds.SLOs {
		if o.Name == name {
			return o, true
		}
	}
	return catalog.SLO{}, false
}
