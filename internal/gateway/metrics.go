package gateway

import (
	"net/http"
	"strconv"
	"time"

	"go.temporal.io/sdk/client"
)

// Names of the gateway's metrics (Prometheus adds _seconds and _total).
const (
	MetricRequestLatency = "dre_gateway_request_latency"
	MetricRejects        = "dre_gateway_rejects"
	// MetricRefusals counts verified Slack commands and clicks refused by
	// dre's policy, by reason (RefusedWorkspace, RefusedNotAllowed).
	MetricRefusals = "dre_gateway_refusals"
)

// Reasons of MetricRefusals.
const (
	RefusedWorkspace  = "workspace"
	RefusedNotAllowed = "not_allowed"
)

// refused counts a refusal of a command or a click and returns its error.
func (c *Commands) refused(reason string, err error) error {
	if c.Recorder != nil {
		c.Recorder.WithTags(map[string]string{"reason": reason}).Counter(MetricRefusals).Inc(1)
	}
	return err
}

// rejectReasons names why a request was turned away, by status: the
// routes answer these codes only for those reasons.
var rejectReasons = map[int]string{
	http.StatusBadRequest:            "malformed",
	http.StatusUnauthorized:          "bad_signature",
	http.StatusNotFound:              "no_route",
	http.StatusMethodNotAllowed:      "no_route",
	http.StatusRequestEntityTooLarge: "too_large",
	http.StatusServiceUnavailable:    "unavailable",
}

// instrument records every request's latency by route and status, and
// counts rejects by route and reason. Routes are the mux's patterns, never
// raw paths, so a scan of random URLs cannot grow the series without bound.
func instrument(next http.Handler, m client.MetricsHandler) http.Handler {
	if m == nil {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		started := time.Now()
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(rec, r)
		route := r.Pattern // set by the mux on this request once it matched
		if route == "" {
			route = "unmatched"
		}
		tagged := m.WithTags(map[string]string{"route": route})
		tagged.WithTags(map[string]string{"status": strconv.Itoa(rec.status)}).Timer(MetricRequestLatency).Record(time.Since(started))
		if reason := rejectReason(rec.status); reason != "" {
			tagged.WithTags(map[string]string{"reason": reason}).Counter(MetricRejects).Inc(1)
		}
	})
}

// rejectReason is "" for an accepted request.
func rejectReason(status int) string {
	if status < 400 {
		return ""
	}
	if reason, ok := rejectReasons[status]; ok {
		return reason
	}
	if status >= 500 {
		return "error"
	}
	return "status_" + strconv.Itoa(status)
}

// statusRecorder remembers the status a handler wrote.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(code int) {
	s.status = code
	s.ResponseWriter.WriteHeader(code)
}

// Unwrap lets http.ResponseController reach the real writer.
func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }
