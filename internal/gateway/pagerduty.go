package gateway

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/PagerDuty/go-pagerduty/webhookv3"
	"go.temporal.io/sdk/client"

	"github.com/dre-dev/dre/internal/catalog"
	"github.com/dre-dev/dre/workflows"
)

// eventMemory is the least time webhook event IDs are remembered:
// PagerDuty retries a failed delivery for a while, and each retry carries
// the same ID. Events older than the maximum age are ignored anyway, so an
// ID is kept that long too, plus a margin for clock skew.
const eventMemory = 2 * time.Hour

// clockSkew is the margin between PagerDuty's clock and this gateway's.
const clockSkew = 10 * time.Minute

// IncidentControl moves an open triage on when PagerDuty says so; agent
// is the PagerDuty user who acted.
type IncidentControl interface {
	Acknowledge(ctx context.Context, workflowID, agent string) error
	Resolve(ctx context.Context, workflowID, agent string) error
}

// PagerDutyOptions turns on POST /pagerduty/webhook (webhooks v3).
type PagerDutyOptions struct {
	// Secrets verify X-PagerDuty-Signature; more than one while a secret
	// is being rotated. None: the route answers 503.
	Secrets []string
	// Catalog maps PagerDuty services to datasets (owner.pagerduty_service);
	// events of any other service are acknowledged and change nothing.
	Catalog  *catalog.Catalog
	Triage   TriageStarter
	Incident IncidentControl
	Logger   *slog.Logger
	// MaxEventAge ignores events that occurred longer ago (a late retry, or
	// a replayed delivery); zero means DefaultPagerDutyMaxEventAge.
	MaxEventAge time.Duration
}

type pagerDutyRoute struct {
	opts     PagerDutyOptions
	seen     SeenSet
	recorder client.MetricsHandler
}

func (p *pagerDutyRoute) register(mux *http.ServeMux) {
	mux.HandleFunc("POST /pagerduty/webhook", p.webhook)
}

// webhookEvent is the part of a v3 webhook dre reads; go-pagerduty has
// no types for v3 payloads.
type webhookEvent struct {
	Event struct {
		ID        string `json:"id"`
		EventType string `json:"event_type"`
		// OccurredAt is zero when the event has none (PagerDuty always
		// sends it); such an event is not judged by its age.
		OccurredAt time.Time `json:"occurred_at"`
		Agent      struct {
			Summary string `json:"summary"`
		} `json:"agent"`
		Data struct {
			ID          string `json:"id"`
			Title       string `json:"title"`
			Urgency     string `json:"urgency"`
			IncidentKey string `json:"incident_key"`
			Service     struct {
				ID string `json:"id"`
			} `json:"service"`
		} `json:"data"`
	} `json:"event"`
}

// webhook verifies, screens, deduplicates and acts on one event. Answers
// are 2xx for anything verified, even events dre ignores, so PagerDuty does
// not retry them (nor disable the subscription); a failure to act, or to
// reach the dedup set, is 500, so it retries.
func (p *pagerDutyRoute) webhook(w http.ResponseWriter, r *http.Request) {
	ev, ok := p.verified(w, r)
	if !ok {
		return
	}
	ds, ignored := p.screen(ev)
	if ignored != "" {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ignored: " + ignored})
		return
	}
	key := seenPagerDutyEvent + ev.Event.ID
	if !p.firstDelivery(w, r, ev, key) {
		return
	}
	status, err := p.act(r.Context(), ev, ds)
	if err != nil {
		if err := p.seen.Forget(context.WithoutCancel(r.Context()), key); err != nil { // let PagerDuty's retry through
			p.logger().Error("pagerduty webhook: a retry of this event will be taken for a duplicate", "event", ev.Event.ID, "error", err)
		}
		p.failed(w, ev, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": status})
}

// firstDelivery records the event's ID and reports whether it is new;
// otherwise it has answered: 200 for a duplicate, 500 when the dedup set
// cannot be asked (PagerDuty retries, and nothing was done).
func (p *pagerDutyRoute) firstDelivery(w http.ResponseWriter, r *http.Request, ev webhookEvent, key string) bool {
	first, err := p.seen.FirstUse(r.Context(), key, p.eventTTL())
	if err != nil {
		p.failed(w, ev, err)
		return false
	}
	if !first {
		writeJSON(w, http.StatusOK, map[string]string{"status": "duplicate"})
	}
	return first
}

// failed answers 500, so that PagerDuty delivers the event again.
func (p *pagerDutyRoute) failed(w http.ResponseWriter, ev webhookEvent, err error) {
	p.logger().Error("pagerduty webhook failed", "event", ev.Event.ID, "type", ev.Event.EventType, "error", err)
	http.Error(w, "could not act on the event; PagerDuty will retry", http.StatusInternalServerError)
}

// verified reads the body under PagerDuty's own 2 MB limit and checks the
// signature against each configured secret before decoding anything.
func (p *pagerDutyRoute) verified(w http.ResponseWriter, r *http.Request) (webhookEvent, bool) {
	var ev webhookEvent
	if len(p.opts.Secrets) == 0 {
		http.Error(w, "PagerDuty webhooks are not configured: set PAGERDUTY_WEBHOOK_SECRET (or pagerduty.webhook_secret in dre.yaml)", http.StatusServiceUnavailable)
		return ev, false
	}
	body, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, 2<<20))
	if err != nil || !p.signedByOneOf(r, body) {
		p.logger().Warn("pagerduty webhook rejected", "remote", r.RemoteAddr)
		http.Error(w, "invalid PagerDuty signature", http.StatusUnauthorized)
		return ev, false
	}
	if err := json.Unmarshal(body, &ev); err != nil || ev.Event.ID == "" {
		http.Error(w, "malformed webhook event: want {\"event\": {\"id\", \"event_type\", \"data\"}}", http.StatusBadRequest)
		return ev, false
	}
	return ev, true
}

func (p *pagerDutyRoute) signedByOneOf(r *http.Request, body []byte) bool {
	for _, secret := range p.opts.Secrets {
		r.Body = io.NopCloser(bytes.NewReader(body))
		if webhookv3.VerifySignature(r, secret) == nil {
			return true
		}
	}
	return false
}

func (p *pagerDutyRoute) logger() *slog.Logger {
	if p.opts.Logger != nil {
		return p.opts.Logger
	}
	return slog.Default()
}

// act moves the triage of ds, or the one named by the incident key when
// dre opened the incident (the key is the triage workflow ID).
func (p *pagerDutyRoute) act(ctx context.Context, ev webhookEvent, ds catalog.Dataset) (string, error) {
	d := ev.Event.Data
	workflowID := workflows.TriageWorkflowID(ds.Name)
	ownPage := strings.HasPrefix(d.IncidentKey, "triage/")
	if ownPage {
		workflowID = d.IncidentKey
	}
	agent := ev.Event.Agent.Summary
	if agent == "" {
		agent = "PagerDuty" // an automatic resolve names no user
	}
	switch {
	case ev.Event.EventType == "incident.acknowledged":
		return "acknowledged", p.opts.Incident.Acknowledge(ctx, workflowID, agent)
	case ev.Event.EventType == "incident.resolved":
		return "resolved", p.opts.Incident.Resolve(ctx, workflowID, agent)
	case ev.Event.EventType == "incident.triggered" && !ownPage:
		return "triage started", p.opts.Triage.ReportTriage(ctx, workflows.TriageInput{Dataset: ds, Report: workflows.TriageReport{
			Reporter: "pagerduty", Severity: severityOfUrgency(d.Urgency), Description: d.Title,
			Source: "pagerduty", ReportedAt: time.Now().UTC(),
		}})
	default:
		return "ignored: " + ev.Event.EventType, nil
	}
}

// severityOfUrgency: high-urgency incidents page, so they are sev2.
func severityOfUrgency(u string) int {
	if u == "high" {
		return 2
	}
	return 3
}
