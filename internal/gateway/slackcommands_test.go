package gateway

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestSignedTriageCommandStartsExactlyOnce(t *testing.T) {
	starter := &fakeStarter{}
	base, stop := startSlackGateway(t, testSecret, starter)
	status, text := send(t, signedCommand(t, base, testSecret, "triage orders sev2 no orders since 6am", time.Now()))
	if status != http.StatusOK || !strings.Contains(text, "triage%2Forders") || !strings.Contains(text, "sev2") {
		t.Fatalf("got %d %q, want 200 with a link to triage/orders", status, text)
	}
	stop()
	if starter.count() != 1 {
		t.Fatalf("%d starts, want 1", starter.count())
	}
	got := starter.starts[0]
	if got.Dataset.Name != "orders" || got.Report.Severity != 2 || got.Report.Description != "no orders since 6am" ||
		got.Report.Reporter != "U123" || got.Report.Channel != "C9" {
		t.Fatalf("started with %+v", got)
	}
}

func TestBadSignaturesAre401AndStartNothing(t *testing.T) {
	starter := &fakeStarter{}
	base, stop := startSlackGateway(t, testSecret, starter)
	forged := signedCommand(t, base, "not-the-secret", "triage orders", time.Now())
	expired := signedCommand(t, base, testSecret, "triage orders", time.Now().Add(-6*time.Minute))
	tampered := signedCommand(t, base, testSecret, "triage orders", time.Now())
	tampered.Header.Set("X-Slack-Request-Timestamp", "1")
	unsigned := signedCommand(t, base, testSecret, "triage orders", time.Now())
	unsigned.Header.Del("X-Slack-Signature")
	for name, req := range map[string]*http.Request{"forged": forged, "expired": expired, "tampered": tampered, "unsigned": unsigned} {
		if status, _ := send(t, req); status != http.StatusUnauthorized {
			t.Errorf("%s: status %d, want 401", name, status)
		}
	}
	stop()
	if n := starter.count(); n != 0 {
		t.Fatalf("%d workflows started by bad requests", n)
	}
}

func TestReplayedRequestIsRejected(t *testing.T) {
	starter := &fakeStarter{}
	base, stop := startSlackGateway(t, testSecret, starter)
	first := signedCommand(t, base, testSecret, "triage orders", time.Now())
	again := first.Clone(first.Context())
	again.Body, _ = first.GetBody()
	if status, _ := send(t, first); status != http.StatusOK {
		t.Fatalf("first: %d", status)
	}
	if status, _ := send(t, again); status != http.StatusUnauthorized {
		t.Fatalf("replay: %d, want 401", status)
	}
	stop()
	if n := starter.count(); n != 1 {
		t.Fatalf("%d starts, want 1", n)
	}
}

func TestNoSigningSecretIs503(t *testing.T) {
	starter := &fakeStarter{}
	base, stop := startSlackGateway(t, "", starter)
	status, text := send(t, signedCommand(t, base, testSecret, "triage orders", time.Now()))
	stop()
	if status != http.StatusServiceUnavailable || !strings.Contains(text, "SLACK_SIGNING_SECRET") || starter.count() != 0 {
		t.Fatalf("got %d %q, %d starts; want 503 naming SLACK_SIGNING_SECRET", status, text, starter.count())
	}
}

func TestCommandReplies(t *testing.T) {
	starter := &fakeStarter{}
	base, stop := startSlackGateway(t, testSecret, starter)
	tests := []struct{ text, want string }{
		{"", "/dre triage <dataset>"},
		{"help", "/dre status"},
		{"triage ordres", `did you mean "orders"?`},
		{"triage", "Which dataset?"},
		{"status", "triage/orders"},
		{"status orders", "triage, open"},
		{"status customers", "No open dre runs of customers"},
		{"status triage/orders", "triage of orders, open"},
		{"status backfill/orders", "backfill/orders is not running"},
		{"frobnicate", "Unknown subcommand `frobnicate`"},
	}
	for _, tt := range tests {
		status, text := send(t, signedCommand(t, base, testSecret, tt.text, time.Now()))
		if status != http.StatusOK || !strings.Contains(text, tt.want) {
			t.Errorf("/dre %s: %d %q, want it to contain %q", tt.text, status, text, tt.want)
		}
	}
	stop()
	if n := starter.count(); n != 0 {
		t.Fatalf("%d starts from commands that start nothing", n)
	}
}

func TestParseSeverity(t *testing.T) {
	tests := []struct {
		in   string
		sev  int
		rest string
	}{
		{"sev1 down", 1, "down"}, {"P2 slow", 2, "slow"}, {"sev9 x", 0, "sev9 x"}, {"people x", 0, "people x"}, {"", 0, ""},
	}
	for _, tt := range tests {
		sev, rest := parseSeverity(strings.Fields(tt.in))
		if sev != tt.sev || strings.Join(rest, " ") != tt.rest {
			t.Errorf("parseSeverity(%q) = %d %q", tt.in, sev, rest)
		}
	}
}
