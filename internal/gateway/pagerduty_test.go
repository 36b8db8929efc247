package gateway

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dre-dev/dre/internal/catalog"
)

// fakeIncidents records acks and resolves; fail makes the next call fail.
type fakeIncidents struct {
	mu    sync.Mutex
	calls []string
	fail  error
}

func (f *fakeIncidents) record(what, id, by string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.fail; err != nil {
		f.fail = nil
		return err
	}
	f.calls = append(f.calls, what+" "+id+" "+by)
	return nil
}

func (f *fakeIncidents) Acknowledge(_ context.Context, id, by string) error {
	return f.record("ack", id, by)
}

func (f *fakeIncidents) Resolve(_ context.Context, id, by string) error {
	return f.record("resolve", id, by)
}

func startPagerDutyGateway(t *testing.T, secrets []string, configure ...func(*Options)) (string, *fakeStarter, *fakeIncidents) {
	t.Helper()
	starter, incidents := &fakeStarter{}, &fakeIncidents{}
	opts := Options{Listen: "127.0.0.1:0", PagerDuty: PagerDutyOptions{
		Secrets: secrets, Triage: starter, Incident: incidents,
		Catalog: catalog.New([]catalog.Dataset{{Name: "orders", Owner: catalog.Owner{PagerDutyService: "PCOMMERCE"}}}),
	}}
	for _, f := range configure {
		f(&opts)
	}
	s, err := Start(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Shutdown(context.Background()) })
	return "http://" + s.Addr() + "/pagerduty/webhook", starter, incidents
}

// pdEvent is a v3 webhook body of service PCOMMERCE, just occurred, signed
// as PagerDuty signs it.
func pdEvent(t *testing.T, url, secret, id, typ, incidentKey string) *http.Request {
	t.Helper()
	return signedPD(t, url, secret, pdBody(id, typ, incidentKey, "PCOMMERCE", time.Now()))
}

func pdBody(id, typ, incidentKey, service string, occurred time.Time) string {
	return fmt.Sprintf(`{"event":{"id":%q,"event_type":%q,"occurred_at":%q,"agent":{"summary":"Ana"},"data":{"id":"Q1","title":"orders late","urgency":"high","incident_key":%q,"service":{"id":%q}}}}`,
		id, typ, occurred.UTC().Format(time.RFC3339Nano), incidentKey, service)
}

// signedPD posts body to url with PagerDuty's signature under secret.
func signedPD(t *testing.T, url, secret, body string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(body))
	req.Header.Set("X-PagerDuty-Signature", "v1="+hex.EncodeToString(mac.Sum(nil)))
	req.Header.Set("Content-Type", "application/json")
	return req
}

func TestPagerDutyAckIsDeliveredOnce(t *testing.T) {
	url, _, incidents := startPagerDutyGateway(t, []string{"old", "new"})
	for range 2 { // PagerDuty redelivers with the same event ID
		if status, _ := send(t, pdEvent(t, url, "new", "E1", "incident.acknowledged", "triage/orders")); status != http.StatusOK {
			t.Fatalf("status %d", status)
		}
	}
	if got := strings.Join(incidents.calls, ";"); got != "ack triage/orders Ana" {
		t.Fatalf("calls %q, want one ack", got)
	}
}

func TestPagerDutyTriggerOnMappedServiceStartsTriage(t *testing.T) {
	url, starter, _ := startPagerDutyGateway(t, []string{"s"})
	send(t, pdEvent(t, url, "s", "E2", "incident.triggered", ""))
	// dre's own page comes back as a trigger keyed by the triage: not a new report.
	send(t, pdEvent(t, url, "s", "E3", "incident.triggered", "triage/orders"))
	if starter.count() != 1 || starter.starts[0].Dataset.Name != "orders" || starter.starts[0].Report.Severity != 2 {
		t.Fatalf("starts %+v, want one sev2 triage of orders", starter.starts)
	}
}

func TestPagerDutyForgedOrUnconfiguredStartsNothing(t *testing.T) {
	url, starter, incidents := startPagerDutyGateway(t, []string{"s"})
	if status, _ := send(t, pdEvent(t, url, "wrong", "E4", "incident.resolved", "triage/orders")); status != http.StatusUnauthorized {
		t.Fatalf("forged: status %d, want 401", status)
	}
	off, _, _ := startPagerDutyGateway(t, nil)
	if status, text := send(t, pdEvent(t, off, "s", "E5", "incident.resolved", "triage/orders")); status != http.StatusServiceUnavailable || !strings.Contains(text, "PAGERDUTY_WEBHOOK_SECRET") {
		t.Fatalf("unconfigured: %d %q", status, text)
	}
	if starter.count() != 0 || len(incidents.calls) != 0 {
		t.Fatalf("bad requests acted: %d starts, calls %v", starter.count(), incidents.calls)
	}
}

func TestPagerDutyFailureIsRetriedByPagerDuty(t *testing.T) {
	url, _, incidents := startPagerDutyGateway(t, []string{"s"})
	incidents.fail = errors.New("temporal unavailable")
	if status, _ := send(t, pdEvent(t, url, "s", "E6", "incident.resolved", "triage/orders")); status != http.StatusInternalServerError {
		t.Fatalf("first delivery: %d, want 500", status)
	}
	if status, _ := send(t, pdEvent(t, url, "s", "E6", "incident.resolved", "triage/orders")); status != http.StatusOK {
		t.Fatalf("retry: %d, want 200", status)
	}
	if len(incidents.calls) != 1 || !strings.HasPrefix(incidents.calls[0], "resolve triage/orders") {
		t.Fatalf("calls %v, want the retried resolve", incidents.calls)
	}
}
