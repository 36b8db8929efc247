package peers

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/PagerDuty/go-pagerduty"
)

// Credentials the PagerDuty stand-in accepts on its REST API.
const (
	// PagerDutyAPIToken is the only REST API token it accepts.
	PagerDutyAPIToken = "pd-e2e-rest-token"
	// PagerDutyFrom is the only user email it accepts in the From header.
	PagerDutyFrom = "oncall@example.com"
)

// PagerDutyLevels are the responders of every service's escalation
// policy, by level: level 1 is paged when an incident opens, later levels
// only when the incident is escalated to them.
var PagerDutyLevels = [][]string{{"PU-PRIMARY"}, {"PU-SECONDARY"}, {"PU-MANAGER"}}

// PagerDuty is an httptest server standing in for PagerDuty: the Events
// API v2 (/v2/enqueue) with PagerDuty's deduplication, and the REST calls
// dre makes (incidents by key, PUT /incidents, escalation policies). It
// records every event, and who was notified: a trigger on an open dedup
// key joins the open incident and notifies nobody, as PagerDuty does.
// Incidents only escalate through the REST API here; PagerDuty's own
// escalation timeouts are not modelled.
type PagerDuty struct {
	mu            sync.Mutex
	events        []pagerduty.V2Event
	incidents     []*pdIncident
	notifications []PagerDutyNotification
	services      map[string]string // routing key -> service ID
	srv           *httptest.Server
}

// PagerDutyNotification is one responder notified of one incident.
type PagerDutyNotification struct {
	IncidentID string
	User       string
	Level      int    // the escalation level that notified them
	Why        string // "triggered" or "escalated"
}

// StartPagerDuty starts the peer until the test ends.
func StartPagerDuty(t testing.TB) *PagerDuty {
	t.Helper()
	p := &PagerDuty{services: map[string]string{}}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v2/enqueue", p.enqueue)
	mux.HandleFunc("GET /incidents", p.authorized(p.listIncidents))
	mux.HandleFunc("PUT /incidents", p.authorized(p.manageIncidents))
	mux.HandleFunc("GET /incidents/{id}", p.authorized(p.getIncident))
	mux.HandleFunc("GET /escalation_policies/{id}", p.authorized(p.getPolicy))
	p.srv = httptest.NewServer(mux)
	t.Cleanup(p.srv.Close)
	return p
}

// URL is the base URL of both APIs: for WithV2EventsAPIEndpoint and
// WithAPIEndpoint, or PAGERDUTY_EVENTS_URL and PAGERDUTY_API_URL.
func (p *PagerDuty) URL() string { return p.srv.URL }

// Client is a real go-pagerduty client pointed at the peer, with the
// REST API token it accepts.
func (p *PagerDuty) Client() *pagerduty.Client {
	return pagerduty.NewClient(PagerDutyAPIToken, pagerduty.WithV2EventsAPIEndpoint(p.URL()), pagerduty.WithAPIEndpoint(p.URL()))
}

// Events returns the events received so far, deduplicated or not.
func (p *PagerDuty) Events() []pagerduty.V2Event {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]pagerduty.V2Event(nil), p.events...)
}

// Count counts the received events with the given action.
func (p *PagerDuty) Count(action string) int {
	n := 0
	for _, e := range p.Events() {
		if e.Action == action {
			n++
		}
	}
	return n
}

// Notifications returns who was notified so far, in order.
func (p *PagerDuty) Notifications() []PagerDutyNotification {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]PagerDutyNotification(nil), p.notifications...)
}

// NotifiedAtLevel counts the notifications sent by escalation level level.
func (p *PagerDuty) NotifiedAtLevel(level int) int {
	n := 0
	for _, x := range p.Notifications() {
		if x.Level == level {
			n++
		}
	}
	return n
}

// Incidents returns a copy of every incident, open or resolved.
func (p *PagerDuty) Incidents() []PagerDutyIncident {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([]PagerDutyIncident, 0, len(p.incidents))
	for _, inc := range p.incidents {
		out = append(out, inc.PagerDutyIncident)
	}
	return out
}

// pdError answers the way PagerDuty's REST API does: {"error":{...}}.
func pdError(w http.ResponseWriter, status int, message string, errs ...string) {
	writeJSON(w, status, map[string]any{"error": map[string]any{"message": message, "errors": errs}})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
