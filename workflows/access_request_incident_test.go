package workflows

import (
	"errors"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/temporal"
)

// Access granted for an incident ends when the incident resolves, before
// its expiry.
func TestAccessRequestForAnIncidentEndsWhenItResolves(t *testing.T) {
	h := newAccessHarness(t)
	in := aliceRequest()
	in.Incident, in.IncidentCheckEvery = "triage/orders", 10*time.Minute
	start := h.env.Now()
	h.incidentOpen = func() bool { return h.env.Now().Sub(start) < time.Hour }
	h.update(time.Minute, AccessApproveUpdate, AccessDecision{By: "UOWNER"})
	st := h.runRequest(in)

	if st.Status != AccessRevoked || st.Ending != "revoked on resolution of triage/orders" || len(h.revoked) != 1 {
		t.Fatalf("state %+v, revoked %v; want the access revoked at the incident's resolution", st, h.revoked)
	}
	if held := st.EndedAt.Sub(start); held < time.Hour || held > time.Hour+10*time.Minute {
		t.Errorf("access ended %s after the start; want within one check (10m) of the resolution at 1h", held)
	}
}

// Access for an incident that is not open is refused before any approver
// is asked; a malformed incident is refused by Validate.
func TestAccessRequestForAClosedIncidentIsRefused(t *testing.T) {
	h := newAccessHarness(t)
	h.incidentOpen = func() bool { return false }
	in := aliceRequest()
	in.Incident = "triage/orders"
	h.env.ExecuteWorkflow(AccessRequest, in)
	var app *temporal.ApplicationError
	if err := h.env.GetWorkflowError(); !errors.As(err, &app) || app.Type() != ErrIncidentClosed {
		t.Fatalf("workflow error = %v; want %s", err, ErrIncidentClosed)
	}
	if len(h.granted) != 0 || len(h.posts) != 0 {
		t.Errorf("granted %v, posted %d; want nothing granted and no approver asked", h.granted, len(h.posts))
	}
	in.Incident = "orders"
	if err := in.Validate(); err == nil || !strings.Contains(err.Error(), "triage/<dataset>") {
		t.Errorf("Validate(incident orders) = %v; want the form triage/<dataset> named", err)
	}
}

// Access for an incident that stays open still expires.
func TestAccessRequestForAnOpenIncidentExpires(t *testing.T) {
	h := newAccessHarness(t)
	in := aliceRequest()
	in.Incident = "triage/orders"
	h.update(time.Minute, AccessApproveUpdate, AccessDecision{By: "UOWNER"})
	st := h.runRequest(in)
	if st.Status != AccessExpired || st.Ending != "revoked on expiry" || st.EndedAt.Sub(st.GrantedAt) != in.Duration {
		t.Fatalf("state %+v; want the access expired after exactly %s", st, in.Duration)
	}
}
