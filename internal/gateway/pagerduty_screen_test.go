package gateway

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/dre-dev/dre/internal/telemetry"
)

// withMetrics serves /metrics beside the webhook; scrape reads it.
func withMetrics(t *testing.T) (func(*Options), func(url string) string) {
	t.Helper()
	m, err := telemetry.NewMetrics()
	if err != nil {
		t.Fatal(err)
	}
	configure := func(o *Options) { o.Metrics, o.Recorder = m.HTTPHandler(), m.Handler() }
	scrape := func(webhookURL string) string {
		return getBody(t, strings.TrimSuffix(webhookURL, "/pagerduty/webhook")+"/metrics")
	}
	return configure, scrape
}

func TestPagerDutyResolveOfUnmappedServiceChangesNothing(t *testing.T) {
	metrics, scrape := withMetrics(t)
	url, starter, incidents := startPagerDutyGateway(t, []string{"s"}, metrics)
	for i, typ := range []string{"incident.resolved", "incident.acknowledged", "incident.triggered"} {
		// Even an incident keyed like dre's own triage: the service decides.
		body := pdBody("U"+string(rune('1'+i)), typ, "triage/orders", "POTHER", time.Now())
		status, text := sendPD(t, signedPD(t, url, "s", body))
		if status != http.StatusOK || !strings.Contains(text, "unmapped_service") {
			t.Fatalf("%s of an unmapped service: %d %q, want 200 ignored (else PagerDuty retries and disables the subscription)", typ, status, text)
		}
	}
	if starter.count() != 0 || len(incidents.calls) != 0 {
		t.Fatalf("unmapped service acted: %d starts, calls %v", starter.count(), incidents.calls)
	}
	if want := `dre_gateway_pagerduty_ignored_total{reason="unmapped_service"} 3`; !strings.Contains(scrape(url), want) {
		t.Fatalf("/metrics lacks %q:\n%s", want, grepLines(scrape(url), "pagerduty_ignored"))
	}
}

func TestPagerDutyOldEventChangesNothing(t *testing.T) {
	metrics, scrape := withMetrics(t)
	maxAge := func(o *Options) { o.PagerDuty.MaxEventAge = 30 * time.Minute }
	url, _, incidents := startPagerDutyGateway(t, []string{"s"}, metrics, maxAge)
	old := pdBody("OLD1", "incident.resolved", "triage/orders", "PCOMMERCE", time.Now().Add(-31*time.Minute))
	status, text := sendPD(t, signedPD(t, url, "s", old))
	if status != http.StatusOK || !strings.Contains(text, "stale") {
		t.Fatalf("old event: %d %q, want 200 ignored as stale", status, text)
	}
	if len(incidents.calls) != 0 {
		t.Fatalf("an old event acted: %v", incidents.calls)
	}
	recent := pdBody("NEW1", "incident.resolved", "triage/orders", "PCOMMERCE", time.Now().Add(-29*time.Minute))
	if status, text := sendPD(t, signedPD(t, url, "s", recent)); status != http.StatusOK || text != "resolved" {
		t.Fatalf("event within the age: %d %q, want it acted on", status, text)
	}
	if len(incidents.calls) != 1 {
		t.Fatalf("calls %v, want the recent resolve only", incidents.calls)
	}
	if want := `dre_gateway_pagerduty_ignored_total{reason="stale"} 1`; !strings.Contains(scrape(url), want) {
		t.Fatalf("/metrics lacks %q:\n%s", want, grepLines(scrape(url), "pagerduty_ignored"))
	}
}

// sendPD does a webhook request and returns the status and the answer's
// "status" field (what the gateway did with the event).
func sendPD(t *testing.T, req *http.Request) (int, string) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var answer struct {
		Status string `json:"status"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&answer) // errors are plain text
	return resp.StatusCode, answer.Status
}
