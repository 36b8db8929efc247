package activities

import (
	"context"
	"fmt"

	"github.com/PagerDuty/go-pagerduty"
	"go.temporal.io/sdk/temporal"
)

// EscalateRequest moves the open PagerDuty incident of a dedup key to an
// escalation level, so that the responders of that level are notified. A
// second trigger with the same key would not do it: PagerDuty adds it to
// the open incident's alert log and notifies nobody new.
type EscalateRequest struct {
	DedupKey string `json:"dedupKey"`
	// Level is the escalation level to move to, from 2 (the level after
	// the one paged first).
	Level int `json:"level"`
}

// EscalateResult says which incident moved, or why none did.
type EscalateResult struct {
	Sent       bool   `json:"sent"`
	IncidentID string `json:"incidentId,omitempty"`
	Level      int    `json:"level,omitempty"`
	Reason     string `json:"reason,omitempty"`
}

// EscalatePagerDuty finds the open incident of the dedup key through the
// REST API and sets its escalation level (PUT /incidents, which needs a
// From header naming a PagerDuty user). An incident already resolved, or
// a level its escalation policy does not have, is reported, not retried.
func (n *Notify) EscalatePagerDuty(ctx context.Context, req EscalateRequest) (EscalateResult, error) {
	if n.PagerDuty == nil || n.PagerDutyFrom == "" {
		return EscalateResult{Reason: "PagerDuty escalation is not configured (pagerduty.api_token and pagerduty.from in dre.yaml)"}, nil
	}
	if req.DedupKey == "" || req.Level < 1 {
		return EscalateResult{}, temporal.NewNonRetryableApplicationError("an escalation needs a dedup key and a level from 1", errInvalidInput, nil)
	}
	inc, err := n.openIncident(ctx, req.DedupKey)
	if err != nil || inc == nil {
		return EscalateResult{Reason: fmt.Sprintf("no open PagerDuty incident has key %s", req.DedupKey)}, err
	}
	policy, err := n.PagerDuty.GetEscalationPolicyWithContext(ctx, inc.EscalationPolicy.ID, nil)
	if err != nil {
		return EscalateResult{}, pagerDutyFailure(err)
	}
	if levels := len(policy.EscalationRules); req.Level > levels {
		return EscalateResult{IncidentID: inc.ID, Reason: fmt.Sprintf("escalation policy %s has %d levels; incident %s stays where it is", policy.Name, levels, inc.ID)}, nil
	}
	opts := []pagerduty.ManageIncidentsOptions{{ID: inc.ID, EscalationLevel: uint(req.Level)}}
	if _, err := n.PagerDuty.ManageIncidentsWithContext(ctx, n.PagerDutyFrom, opts); err != nil {
		return EscalateResult{}, pagerDutyFailure(err)
	}
	return EscalateResult{Sent: true, IncidentID: inc.ID, Level: req.Level}, nil
}

// openIncident finds the triggered or acknowledged incident whose
// incident_key is the dedup key, over all time (PagerDuty searches one
// month back by default).
func (n *Notify) openIncident(ctx context.Context, key string) (*pagerduty.Incident, error) {
	resp, err := n.PagerDuty.ListIncidentsWithContext(ctx, pagerduty.ListIncidentsOptions{
		IncidentKey: key, Statuses: []string{"triggered", "acknowledged"}, DateRange: "all",
	})
	if err != nil {
		return nil, pagerDutyFailure(err)
	}
	if len(resp.Incidents) == 0 {
		return nil, nil
	}
	return &resp.Incidents[0], nil
}
