package activities

import (
	"context"
	"fmt"
	"sync"
	"time"

	"go.temporal.io/sdk/temporal"

	"github.com/dre-dev/dre/internal/catalog"
	"github.com/dre-dev/dre/internal/lineage"
	"github.com/dre-dev/dre/internal/slo"
)

// sloStore keeps observations; internal/slo/slostore implements it over
// the state database.
type sloStore interface {
	Record(ctx context.Context, dataset, name string, o slo.Observation, detail string) error
	Since(ctx context.Context, dataset, name string, from time.Time) ([]slo.Observation, error)
	Recent(ctx context.Context, dataset, name string, n int) ([]slo.Observation, error)
	RecordReconstructed(ctx context.Context, dataset, name string, obs []slo.Observation, details []string) (int64, error)
}

// SLOTriage opens or joins a dataset's triage. It is declared here because
// this package cannot import workflows (which imports it); internal/worker
// adapts Temporal's signal-with-start to it.
type SLOTriage interface {
	// IncidentOpen reports whether the dataset's triage is running.
	IncidentOpen(ctx context.Context, dataset string) (bool, error)
	// ReportSLOBreach starts the dataset's triage or joins the open one.
	ReportSLOBreach(ctx context.Context, b SLOBreach) error
}

// SLOFreeze tells whether a dataset's SLO evaluator reports an exhausted
// error budget; internal/worker answers it from Temporal's visibility.
type SLOFreeze interface {
	Frozen(ctx context.Context, dataset string) (bool, error)
}

// SLOs measures SLIs in the warehouses, keeps the observations in the
// state database and reports breaches to triage.
type SLOs struct {
	Warehouses diagnosisSource
	Store      sloStore
	Triage     SLOTriage
	// Freeze answers FreezeReason; nil reports no freeze (a worker without
	// a Temporal client, as in some tests).
	Freeze SLOFreeze
	// Catalog is the worker's dre.yaml catalog, whose declared lineage
	// explains a freshness breach by a late upstream; nil explains none.
	Catalog *catalog.Catalog

	graphOnce sync.Once
	graph     *lineage.Graph
}

// FreezeReason says why writes to a dataset must be approved first: its
// SLO error budget is exhausted. "" means no freeze. The backfill
// workflow asks this itself, so the hold applies whichever client started
// it (CLI, runbook step, triage button, Temporal UI, another SDK).
func (s *SLOs) FreezeReason(ctx context.Context, dataset string) (string, error) {
	if s.Freeze == nil {
		return "", nil
	}
	frozen, err := s.Freeze.Frozen(ctx, dataset)
	if err != nil || !frozen {
		return "", err
	}
	return fmt.Sprintf("the SLO error budget of %s is exhausted", dataset), nil
}

// errSLOSetup marks a worker set up without what SLOs need; no retry can
// fix that, only the worker's configuration.
const errSLOSetup = "SLOSetup"

func (s *SLOs) store() (sloStore, error) {
	if s.Store == nil {
		return nil, temporal.NewNonRetryableApplicationError("this worker has no state database for SLO observations: set state.dsn in dre.yaml", errSLOSetup, nil)
	}
	return s.Store, nil
}

// RecordSLOInput is one observation of one SLO and what to evaluate it against.
type RecordSLOInput struct {
	Dataset   string          `json:"dataset"`
	SLO       string          `json:"slo"`
	Objective slo.Objective   `json:"objective"`
	Rules     []slo.Rule      `json:"rules"`
	Obs       slo.Observation `json:"obs"`
	Detail    string          `json:"detail,omitempty"`
}

// RecordSLO stores the observation, then evaluates the SLO over the stored
// series at the observation's time: the budget left and the burn rates,
// which it also publishes as gauges on the worker's /metrics.
func (s *SLOs) RecordSLO(ctx context.Context, in RecordSLOInput) (slo.Evaluation, error) {
	st, err := s.store()
	if err != nil {
		return slo.Evaluation{}, err
	}
	if err := st.Record(ctx, in.Dataset, in.SLO, in.Obs, in.Detail); err != nil {
		return slo.Evaluation{}, err
	}
	span := in.Objective.Window
	for _, r := range in.Rules {
		span = max(span, r.Long)
	}
	obs, err := st.Since(ctx, in.Dataset, in.SLO, in.Obs.At.Add(-span))
	if err != nil {
		return slo.Evaluation{}, err
	}
	e := slo.Evaluate(obs, in.Objective, in.Rules, in.Obs.At)
	meterSLO(ctx, in.Dataset, in.SLO, in.Objective, e)
	return e, nil
}

// SLOIncidentOpen reports whether the dataset's triage is open, so that
// the observations taken meanwhile are marked and kept out of baselines.
func (s *SLOs) SLOIncidentOpen(ctx context.Context, dataset string) (bool, error) {
	if s.Triage == nil {
		return false, nil
	}
	return s.Triage.IncidentOpen(ctx, dataset)
}

// SLOBreach is a page-level burn of one SLO, reported to triage with its
// evidence.
type SLOBreach struct {
	Dataset     catalog.Dataset `json:"dataset"`
	SLO         string          `json:"slo"`
	Severity    int             `json:"severity,omitempty"`
	Description string          `json:"description"`
	// At is the evaluation slot; with the SLO it identifies the report, so
	// a retried activity is counted once by the triage.
	At time.Time `json:"at"`
}

// ReportSLOBreach opens the dataset's triage, or joins the open one.
func (s *SLOs) ReportSLOBreach(ctx context.Context, b SLOBreach) error {
	if s.Triage == nil {
		return temporal.NewNonRetryableApplicationError("this worker cannot start triage (no Temporal client was given to the SLO activities)", errSLOSetup, nil)
	}
	if err := s.Triage.ReportSLOBreach(ctx, b); err != nil {
		return fmt.Errorf("reporting the breach of %s/%s to triage: %w", b.Dataset.Name, b.SLO, err)
	}
	return nil
}
