package workflows

import (
	"fmt"
	"regexp"
	"strings"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/dre-dev/dre/activities"
)

// DefaultIncidentCheck is how often access granted for an incident asks
// whether the incident is still open.
const DefaultIncidentCheck = 5 * time.Minute

// ErrIncidentClosed is the error type of a request for an incident that
// is not open.
const ErrIncidentClosed = "IncidentClosed"

var incidentPattern = regexp.MustCompile(`^triage/[a-z][a-z0-9_]*$`)

// validIncident checks AccessRequestInput.Incident: "" or triage/<dataset>.
func validIncident(incident string) error {
	if incident == "" || incidentPattern.MatchString(incident) {
		return nil
	}
	return fmt.Errorf("--for %q: name an incident as triage/<dataset>, like triage/orders (see dre triage list)", incident)
}

// incidentDataset is the dataset of a triage/<dataset> incident.
func (r *accessRequest) incidentDataset() string {
	return strings.TrimPrefix(r.in.Incident, "triage/")
}

// incidentOpen asks whether the request's incident is still open.
func (r *accessRequest) incidentOpen(ctx workflow.Context) (bool, error) {
	var a *activities.Access
	var open bool
	err := workflow.ExecuteActivity(grantOptions(ctx, "is "+r.in.Incident+" open?"), a.AccessIncidentOpen, r.incidentDataset()).Get(ctx, &open)
	return open, err
}

// requireOpenIncident refuses access for an incident that is not open,
// before any approver is asked. Requests for no incident skip it.
func (r *accessRequest) requireOpenIncident(ctx workflow.Context) error {
	if r.in.Incident == "" {
		return nil
	}
	open, err := r.incidentOpen(ctx)
	if err != nil {
		return err
	}
	if !open {
		r.state.Status = AccessDenied
		setAccessStatus(ctx, AccessDenied, time.Time{})
		return temporal.NewNonRetryableApplicationError(fmt.Sprintf("%s is not open, so no access can be granted for it; open it with dre triage start %s, or request access without --for",
			r.in.Incident, r.incidentDataset()), ErrIncidentClosed, nil)
	}
	return nil
}

// awaitEndOrResolution is awaitEnd for access granted for an incident: it
// wakes every IncidentCheckEvery on a durable timer to ask whether the
// incident is still open, and ends the access at its resolution, at
// expiry or at an early revocation, whichever comes first. Checks missed
// while no worker ran happen as soon as one is back.
func (r *accessRequest) awaitEndOrResolution(ctx workflow.Context) error {
	every := orDuration(r.in.IncidentCheckEvery, DefaultIncidentCheck)
	for {
		left := r.state.ExpiresAt.Sub(workflow.Now(ctx))
		if left <= 0 {
			r.state.EndedBy, r.ending = "expiry", endingExpiry
			return nil
		}
		opts := workflow.AwaitOptions{Timeout: min(left, every), TimerOptions: workflow.TimerOptions{Summary: "access expiry or incident check"}}
		revoked, err := workflow.AwaitWithOptions(ctx, opts, func() bool { return r.ended })
		if err != nil {
			return err
		}
		if revoked {
			r.ending = endingRequest
			return nil
		}
		if !workflow.Now(ctx).Before(r.state.ExpiresAt) {
			continue
		}
		open, err := r.incidentOpen(ctx)
		if err != nil {
			return err
		}
		if !open {
			r.state.EndedBy, r.ending = r.in.Incident+" resolved", "resolution of "+r.in.Incident
			return nil
		}
	}
}
