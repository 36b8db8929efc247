package activities

import (
	"context"
	"errors"

	"go.temporal.io/sdk/temporal"
)

// accessIncidents tells whether a dataset's triage incident is open; the
// worker's SLOTriage answers it from Temporal.
type accessIncidents interface {
	IncidentOpen(ctx context.Context, dataset string) (bool, error)
}

// AccessIncidentOpen reports whether the triage incident of dataset
// (triage/<dataset>) is open, for access granted for that incident. A
// worker that cannot see incidents refuses for good rather than guess.
func (a *Access) AccessIncidentOpen(ctx context.Context, dataset string) (bool, error) {
	if a.Incidents == nil {
		err := errors.New("this worker cannot see triage incidents (it has no Temporal client); run it with dre worker or dre dev")
		return false, temporal.NewNonRetryableApplicationError(err.Error(), errInvalidInput, err)
	}
	return a.Incidents.IncidentOpen(ctx, dataset)
}
