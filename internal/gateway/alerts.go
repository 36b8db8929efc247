package gateway

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/dre-dev/dre/internal/alerts"
	"github.com/dre-dev/dre/workflows"
)

// maxAlertBody bounds a posted body. Alertmanager sends a whole group in
// one delivery; a megabyte holds about a thousand alerts.
const maxAlertBody = 1 << 20

// DefaultAlertDedupWindow is how long an identical alert sent again is
// dropped at the gateway: Alertmanager's default repeat_interval.
const DefaultAlertDedupWindow = 4 * time.Hour

// DefaultAlertGroupWindow is how recently an upstream's incident must have
// opened for a downstream alert to join it.
const DefaultAlertGroupWindow = 2 * time.Hour

// MetricAlerts counts the alerts the gateway read, by source and outcome.
const MetricAlerts = "dre_gateway_alerts"

// RefusedAlertToken is the MetricRefusals reason of a wrong bearer token
// (and no signature); RefusedAlertSignature of a wrong signature.
const (
	RefusedAlertToken     = "alert_token"
	RefusedAlertSignature = "alert_signature"
)

// seenAlert prefixes the dedup keys of alerts.
const seenAlert = "alert:"

// AlertTriage opens or joins incidents for alerts: a firing alert
// reports (signal-with-start); a resolve only reaches an open incident.
type AlertTriage interface {
	ReportTriage(ctx context.Context, in workflows.TriageInput) error
	SignalOpenTriage(ctx context.Context, dataset string, r workflows.TriageReport) (bool, error)
	// SignalRecentTriage is SignalOpenTriage for an incident opened at or
	// after since only.
	SignalRecentTriage(ctx context.Context, dataset string, since time.Time, r workflows.TriageReport) (bool, error)
}

// AlertSourceOptions is one tool allowed to post.
type AlertSourceOptions struct {
	// Token is the bearer token the tool must send; empty refuses all
	// but signed deliveries.
	Token string
	// SigningSecret, montecarlo only, accepts a delivery whose
	// SignatureHeader (default x-mcd-signature) holds Monte Carlo's
	// signature with it, instead of the bearer token.
	SigningSecret   string
	SignatureHeader string
	// Adapter tunes the parsing (Alertmanager's table label).
	Adapter alerts.Options
}

// AlertOptions turns on POST /alerts/{source}.
type AlertOptions struct {
	// Sources are the tools allowed to post, by source name; a known
	// source not listed is answered 503, an unknown one 404.
	Sources map[string]AlertSourceOptions
	Mapper  *alerts.Mapper
	Triage  AlertTriage
	// DedupWindow: zero means DefaultAlertDedupWindow.
	DedupWindow time.Duration
	// GroupByUpstream joins a firing alert to the open incident of one of
	// its dataset's catalog upstream datasets instead of opening its own.
	GroupByUpstream bool
	// GroupWindow: zero means DefaultAlertGroupWindow.
	GroupWindow time.Duration
	Logger      *slog.Logger
}

type alertRoute struct {
	opts     AlertOptions
	seen     SeenSet
	recorder client.MetricsHandler
	batcher  *alertBatcher
}

func (a *alertRoute) register(mux *http.ServeMux) {
	a.batcher = newAlertBatcher(a.deliver)
	mux.HandleFunc("POST /alerts/{source}", a.post)
}

// alertOutcome is one alert's line in the answer.
type alertOutcome struct {
	Fingerprint string `json:"fingerprint"`
	Dataset     string `json:"dataset,omitempty"`
	Outcome     string `json:"outcome"`
	// Incident is the workflow ID of the incident the alert reached: its
	// dataset's, or an upstream's it joined.
	Incident string `json:"incident,omitempty"`
}

// post authenticates, parses the whole body (so a malformed one changes
// nothing), then acts on its alerts together. A failure to act answers
// 500, so the tool delivers again; alerts already acted on are then
// dropped as duplicates.
func (a *alertRoute) post(w http.ResponseWriter, r *http.Request) {
	source, src, ok := a.configured(w, r)
	if !ok {
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxAlertBody))
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		http.Error(w, fmt.Sprintf("alert body over %d bytes; send fewer alerts per delivery (Alertmanager: max_alerts)", maxAlertBody), http.StatusRequestEntityTooLarge)
		return
	}
	if !a.authenticated(w, r, source, src, body) {
		return
	}
	parsed, err := alerts.Parse(source, body, src.Adapter)
	if err != nil {
		http.Error(w, "malformed alert body, nothing was done: "+err.Error(), http.StatusBadRequest)
		return
	}
	outcomes, errs := a.actOnAll(r.Context(), parsed)
	failed := false
	for i, out := range outcomes {
		a.count(source, out.Outcome)
		if errs[i] != nil {
			failed = true
			a.logger().Error("alert could not reach its incident; the source will deliver again", "source", source, "fingerprint", out.Fingerprint, "error", errs[i])
		}
	}
	if failed {
		http.Error(w, "could not act on every alert; deliver again (those acted on will be dropped as duplicates)", http.StatusInternalServerError)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"alerts": outcomes})
}

// actOnAll acts on the alerts of one body at once, so that those of one
// dataset share a delivery to its incident; the answers keep the order.
func (a *alertRoute) actOnAll(ctx context.Context, parsed []alerts.Alert) ([]alertOutcome, []error) {
	outcomes, errs := make([]alertOutcome, len(parsed)), make([]error, len(parsed))
	var wg sync.WaitGroup
	for i, al := range parsed {
		wg.Go(func() { outcomes[i], errs[i] = a.act(ctx, al) })
	}
	wg.Wait()
	return outcomes, errs
}

// configured finds the source and its credentials; otherwise it has
// answered 404 or 503.
func (a *alertRoute) configured(w http.ResponseWriter, r *http.Request) (string, AlertSourceOptions, bool) {
	source := r.PathValue("source")
	if !alerts.Known(source) {
		http.Error(w, fmt.Sprintf("unknown alert source %q; use one of %s", source, strings.Join(alerts.Sources(), ", ")), http.StatusNotFound)
		return "", AlertSourceOptions{}, false
	}
	src, ok := a.opts.Sources[source]
	if !ok || (src.Token == "" && src.signing(source) == "") || a.opts.Mapper == nil {
		http.Error(w, fmt.Sprintf("alerts from %s are not configured: set alerts.sources.%s.token in dre.yaml", source, source), http.StatusServiceUnavailable)
		return "", src, false
	}
	return source, src, true
}

// authenticated accepts the bearer token or, for Monte Carlo, its
// signature of body; otherwise it counts the refusal and answers 401.
func (a *alertRoute) authenticated(w http.ResponseWriter, r *http.Request, source string, src AlertSourceOptions, body []byte) bool {
	if src.Token != "" && bearerMatches(r, src.Token) {
		return true
	}
	secret, sig := src.signing(source), r.Header.Get(src.signatureHeader())
	if secret != "" && alerts.MonteCarloSigned(body, secret, sig) {
		return true
	}
	reason, what := RefusedAlertToken, "missing or wrong bearer token"
	if secret != "" && sig != "" {
		reason, what = RefusedAlertSignature, "wrong "+src.signatureHeader()+" signature (and no valid bearer token)"
	}
	if a.recorder != nil {
		a.recorder.WithTags(map[string]string{"reason": reason}).Counter(MetricRefusals).Inc(1)
	}
	a.logger().Warn("alert refused: "+what, "source", source, "remote", r.RemoteAddr)
	w.Header().Set("WWW-Authenticate", `Bearer realm="dre alerts"`)
	http.Error(w, what+" for alerts from "+source, http.StatusUnauthorized)
	return false
}

// signing is the secret signatures of source are checked with: only
// Monte Carlo signs.
func (s AlertSourceOptions) signing(source string) string {
	if source != alerts.SourceMonteCarlo {
		return ""
	}
	return s.SigningSecret
}

// signatureHeader is where the signature is read.
func (s AlertSourceOptions) signatureHeader() string {
	if s.SignatureHeader != "" {
		return s.SignatureHeader
	}
	return alerts.MonteCarloSignatureHeader
}

// bearerMatches compares digests in constant time, so that neither the
// token's content nor its length leaks through the answer's timing.
func bearerMatches(r *http.Request, token string) bool {
	got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	want := sha256.Sum256([]byte(token))
	sent := sha256.Sum256([]byte(got))
	return subtle.ConstantTimeCompare(want[:], sent[:]) == 1 && ok
}

func (a *alertRoute) count(source, outcome string) {
	if a.recorder == nil {
		return
	}
	kind, _, _ := strings.Cut(outcome, ":")
	a.recorder.WithTags(map[string]string{"source": source, "outcome": kind}).Counter(MetricAlerts).Inc(1)
}

func (a *alertRoute) logger() *slog.Logger {
	if a.opts.Logger != nil {
		return a.opts.Logger
	}
	return slog.Default()
}

func (a *alertRoute) window() time.Duration {
	if a.opts.DedupWindow > 0 {
		return a.opts.DedupWindow
	}
	return DefaultAlertDedupWindow
}
