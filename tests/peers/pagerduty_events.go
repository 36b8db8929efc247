package peers

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/PagerDuty/go-pagerduty"
)

// PagerDutyIncident is an incident as the stand-in keeps it.
type PagerDutyIncident struct {
	ID, Key, ServiceID, PolicyID string
	Status                       string // triggered, acknowledged or resolved
	Level                        int    // current escalation level, from 1
	Alerts                       int    // triggers it absorbed, the first included
	CreatedAt                    time.Time
}

type pdIncident struct {
	PagerDutyIncident
	routingKey string
}

// Events API v2 limits [docs].
const (
	maxDedupKey = 255
	maxSummary  = 1024
)

var pdSeverities = []string{"critical", "error", "warning", "info"}

// enqueue takes an Events API v2 event. It answers 202 once the event is
// valid, whatever it changes, as PagerDuty does; acknowledge and resolve
// of a key with no open incident are dropped.
func (p *PagerDuty) enqueue(w http.ResponseWriter, r *http.Request) {
	var ev pagerduty.V2Event
	if err := json.NewDecoder(r.Body).Decode(&ev); err != nil {
		eventRejected(w, "Event object is invalid", "malformed JSON: "+err.Error())
		return
	}
	if msg := validEvent(ev); msg != "" {
		eventRejected(w, "Event object is invalid", msg)
		return
	}
	p.mu.Lock()
	p.events = append(p.events, ev)
	key := p.apply(ev)
	p.mu.Unlock()
	writeJSON(w, http.StatusAccepted, map[string]string{"status": "success", "message": "Event processed", "dedup_key": key})
}

func eventRejected(w http.ResponseWriter, message, why string) {
	writeJSON(w, http.StatusBadRequest, map[string]any{"status": "invalid event", "message": message, "errors": []string{why}})
}

// validEvent returns why PagerDuty would refuse ev, or "".
func validEvent(ev pagerduty.V2Event) string {
	switch {
	case ev.RoutingKey == "" || ev.RoutingKey == "bad":
		return "Invalid routing key"
	case len(ev.DedupKey) > maxDedupKey:
		return fmt.Sprintf("dedup_key is %d characters; at most %d", len(ev.DedupKey), maxDedupKey)
	case ev.Action == "acknowledge" || ev.Action == "resolve":
		if ev.DedupKey == "" {
			return "dedup_key is required for " + ev.Action
		}
		return ""
	case ev.Action != "trigger":
		return fmt.Sprintf("event_action %q is not trigger, acknowledge or resolve", ev.Action)
	case ev.Payload == nil || ev.Payload.Summary == "" || ev.Payload.Source == "":
		return "payload.summary and payload.source are required for trigger"
	case len(ev.Payload.Summary) > maxSummary:
		return fmt.Sprintf("payload.summary is %d characters; at most %d", len(ev.Payload.Summary), maxSummary)
	case !slices.Contains(pdSeverities, ev.Payload.Severity):
		return fmt.Sprintf("payload.severity %q is not one of %v", ev.Payload.Severity, pdSeverities)
	}
	return ""
}

// apply changes the incidents as PagerDuty would and returns the dedup
// key. A trigger on an open key joins its incident and notifies nobody;
// keys are scoped to the routing key's service.
func (p *PagerDuty) apply(ev pagerduty.V2Event) string {
	key := ev.DedupKey
	if key == "" {
		key = fmt.Sprintf("generated-%d", len(p.events))
	}
	open := p.openIncident(ev.RoutingKey, key)
	switch {
	case ev.Action == "trigger" && open != nil:
		open.Alerts++
	case ev.Action == "trigger":
		p.openNew(ev.RoutingKey, key)
	case open == nil: // acknowledge or resolve of nothing open: dropped
	case ev.Action == "acknowledge":
		open.Status = "acknowledged"
	case ev.Action == "resolve":
		open.Status = "resolved"
	}
	return key
}

// openIncident is the triggered or acknowledged incident of key, or nil.
func (p *PagerDuty) openIncident(routingKey, key string) *pdIncident {
	for _, inc := range p.incidents {
		if inc.routingKey == routingKey && inc.Key == key && inc.Status != "resolved" {
			return inc
		}
	}
	return nil
}

// openNew opens an incident on the routing key's service and notifies
// the first level of its escalation policy.
func (p *PagerDuty) openNew(routingKey, key string) {
	svc, ok := p.services[routingKey]
	if !ok {
		svc = fmt.Sprintf("PSVC%d", len(p.services)+1)
		p.services[routingKey] = svc
	}
	inc := &pdIncident{routingKey: routingKey, PagerDutyIncident: PagerDutyIncident{
		ID: fmt.Sprintf("PINC%d", len(p.incidents)+1), Key: key, ServiceID: svc, PolicyID: "PESC-" + svc,
		Status: "triggered", Level: 1, Alerts: 1, CreatedAt: time.Now().UTC(),
	}}
	p.incidents = append(p.incidents, inc)
	p.notify(inc, "triggered")
}

// notify records a notification of every responder at inc's level.
func (p *PagerDuty) notify(inc *pdIncident, why string) {
	for _, user := range PagerDutyLevels[inc.Level-1] {
		p.notifications = append(p.notifications, PagerDutyNotification{IncidentID: inc.ID, User: user, Level: inc.Level, Why: why})
	}
}
