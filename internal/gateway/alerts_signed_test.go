package gateway

import (
	"crypto/hmac"
	"crypto/sha512"
	"encoding/hex"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/dre-dev/dre/internal/alerts"
	"github.com/dre-dev/dre/internal/telemetry"
)

const mcSecret = "mc-shared-secret"

// mcIncident is a Monte Carlo incident on sales.orders.
const mcIncident = `{"type": "open_freshness_anomaly_incident", "action": "incident", "version": "v0.1", "account": {"id": "acc-1"},
  "payload": {"incident_id": "inc-7", "url": "https://getmontecarlo.com/incidents/inc-7",
    "event_list": [{"table_name": "sales.orders", "rule": {"uuid": "r1", "rule_type": "freshness", "description": "orders late"}}]}}`

// mcSign is Monte Carlo's signature of body: its reference verifier's
// HMAC-SHA512 of the Python urlencoded form.
func mcSign(t *testing.T, secret, body string) string {
	t.Helper()
	form, err := alerts.PythonURLEncoded([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	mac := hmac.New(sha512.New, []byte(secret))
	mac.Write(form)
	return hex.EncodeToString(mac.Sum(nil))
}

func postMonteCarlo(t *testing.T, url, header, sig, token, body string) int {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if sig != "" {
		req.Header.Set(header, sig)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

func TestMonteCarloSignatureOrTokenOpensTheIncident(t *testing.T) {
	m, err := telemetry.NewMetrics()
	if err != nil {
		t.Fatal(err)
	}
	base, triage := startAlertGateway(t, func(o *Options) {
		o.Metrics, o.Recorder = m.HTTPHandler(), m.Handler()
		o.Alerts.Sources[alerts.SourceMonteCarlo] = AlertSourceOptions{Token: "mc-token", SigningSecret: mcSecret}
	})
	url := base + "/alerts/montecarlo"
	good := mcSign(t, mcSecret, mcIncident)
	for _, tc := range []struct {
		name, header, sig, token string
		want                     int
	}{
		{"wrong signature", alerts.MonteCarloSignatureHeader, mcSign(t, "not-the-secret", mcIncident), "", http.StatusUnauthorized},
		{"signature of another body", alerts.MonteCarloSignatureHeader, mcSign(t, mcSecret, strings.Replace(mcIncident, "inc-7", "inc-8", 1)), "", http.StatusUnauthorized},
		{"signature in another header", "X-Signature", good, "", http.StatusUnauthorized},
		{"neither signature nor token", "", "", "", http.StatusUnauthorized},
		{"wrong signature, right token", alerts.MonteCarloSignatureHeader, "00", "mc-token", http.StatusOK},
		{"good signature", alerts.MonteCarloSignatureHeader, good, "", http.StatusOK},
	} {
		if code := postMonteCarlo(t, url, tc.header, tc.sig, tc.token, mcIncident); code != tc.want {
			t.Errorf("%s: %d, want %d", tc.name, code, tc.want)
		}
	}
	if opened, reports, _ := triage.counts(); opened != 1 || reports != 1 {
		t.Errorf("%d incidents with %d alerts; want the signed one opened once (the second delivery a duplicate)", opened, reports)
	}
	scrape := getBody(t, base+"/metrics")
	for _, want := range []string{`dre_gateway_refusals_total{reason="alert_signature"} 2`, `dre_gateway_refusals_total{reason="alert_token"} 2`} {
		if !strings.Contains(scrape, want) {
			t.Errorf("/metrics lacks %q:\n%s", want, grepLines(scrape, "refusals"))
		}
	}
}

func TestMonteCarloSignatureHeaderIsConfigurableAndOthersDoNotSign(t *testing.T) {
	base, triage := startAlertGateway(t, func(o *Options) {
		o.Alerts.Sources[alerts.SourceMonteCarlo] = AlertSourceOptions{SigningSecret: mcSecret, SignatureHeader: "X-MC-Sig"}
		o.Alerts.Sources[alerts.SourceSoda] = AlertSourceOptions{Token: "soda-token", SigningSecret: mcSecret}
	})
	if code := postMonteCarlo(t, base+"/alerts/montecarlo", "X-MC-Sig", mcSign(t, mcSecret, mcIncident), "", mcIncident); code != http.StatusOK {
		t.Errorf("signature in the configured header: %d, want 200", code)
	}
	if code := postMonteCarlo(t, base+"/alerts/soda", alerts.MonteCarloSignatureHeader, mcSign(t, mcSecret, `{}`), "", `{}`); code != http.StatusUnauthorized {
		t.Errorf("a signed Soda delivery: %d, want 401: only Monte Carlo signs", code)
	}
	if opened, _, _ := triage.counts(); opened != 1 {
		t.Errorf("%d incidents, want 1", opened)
	}
}
