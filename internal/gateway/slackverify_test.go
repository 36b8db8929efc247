package gateway

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestRecasedSlackSignatureIsAReplay(t *testing.T) {
	starter := &fakeStarter{}
	base, stop := startSlackGateway(t, testSecret, starter)
	first := signedCommand(t, base, testSecret, "triage orders", time.Now())
	sig := first.Header.Get("X-Slack-Signature")
	// slack-go decodes the hex whatever its case, so the upper-cased
	// signature is valid on its own: accepted once, then never again.
	first.Header.Set("X-Slack-Signature", "v0="+strings.ToUpper(strings.TrimPrefix(sig, "v0=")))
	if status, _ := send(t, first); status != http.StatusOK {
		t.Fatalf("upper-cased signature, first use: %d, want 200", status)
	}
	for _, spelling := range []string{sig, " " + sig + " "} {
		again := first.Clone(context.Background())
		again.Body, _ = first.GetBody()
		again.Header.Set("X-Slack-Signature", spelling)
		if status, _ := send(t, again); status != http.StatusUnauthorized {
			t.Fatalf("replay spelled %q: %d, want 401", spelling, status)
		}
	}
	stop()
	if n := starter.count(); n != 1 {
		t.Fatalf("%d starts, want 1", n)
	}
}

func TestNormalSlackSignature(t *testing.T) {
	for _, in := range []string{"v0=ABCdef01", "  v0=abcdef01 ", "V0=abcDEF01"} {
		if got := normalSlackSignature(in); got != "abcdef01" {
			t.Errorf("normalSlackSignature(%q) = %q, want abcdef01", in, got)
		}
	}
}
