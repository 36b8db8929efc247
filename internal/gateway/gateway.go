// Package gateway is dre's HTTP front door. It runs inside `dre dev` and
// as `dre gateway`, and owns no workflow: it verifies a request, turns it
// into a workflow start or update, and answers at once.
//
// A request's path through the package:
//
//   - gateway.go: the server, health endpoints, body limits; timeouts.go
//     bounds slow clients; slackverify.go checks Slack's signature and
//     timestamp before anything is parsed, and that the signature is new:
//     seen.go remembers accepted requests in memory, or seenstore.go in
//     the state database, shared by all gateways and kept across restarts.
//   - slackcommands.go parses `/dre ...`, authorize.go applies slack.allow,
//     and commands.go runs it: `/dre triage` calls
//     TemporalTriage.ReportTriage (temporal.go) before answering, which
//     prepares the report and starts or joins the incident through
//     workflows.ReportTriage (workflows/triage_start.go); slower work is
//     queued so Slack gets its answer in time.
//   - slackinteractions.go routes button clicks to workflow updates, with
//     the clicker as the decider; accesscommand.go and access.go do
//     `/dre access` through workflows.StartAccessRequest.
//   - pagerduty.go verifies PagerDuty webhooks and turns them into triage
//     reports and updates; pagerduty_screen.go ignores events of services
//     no dataset names and events older than the maximum age.
//     socketmode.go serves the same handlers over Slack's Socket Mode.
//   - alerts.go takes monitoring tools' alerts (package alerts parses and
//     maps them); alerts_act.go drops repeats and opens or joins the
//     dataset's incident through TemporalTriage, and alerts_batch.go
//     sends the alerts of one dataset that arrive together as one signal.
//
// Where each workflow runs and what it calls: see package workflows.
package gateway

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"go.temporal.io/sdk/client"
)

// Check reports whether one dependency is usable.
type Check func(ctx context.Context) error

// Options configures a Server.
type Options struct {
	// Listen is host:port; port 0 picks a free port.
	Listen string
	// Ready are the dependencies /readyz checks, by name.
	Ready map[string]Check
	// Slack serves /slack/commands; without a signing secret it answers 503.
	Slack SlackOptions
	// PagerDuty serves /pagerduty/webhook; without a secret it answers 503.
	PagerDuty PagerDutyOptions
	// Alerts serves /alerts/{source}; a source without a token answers 503.
	Alerts AlertOptions
	// Metrics, when set, is served on GET /metrics (Prometheus text).
	Metrics http.Handler
	// Recorder, when set, records request latency and rejects.
	Recorder client.MetricsHandler
	// Seen remembers the Slack signatures and PagerDuty event IDs already
	// accepted. Nil keeps them in this process's memory only; a SeenStore
	// keeps them across restarts and shares them between gateways.
	Seen SeenSet
	// Timeouts bound how long a client may take; zero fields get defaults.
	Timeouts Timeouts
}

// Server is a running gateway.
type Server struct {
	http *http.Server
	addr string
	done chan error
}

// Start binds the listener (failing fast on a taken port) and serves.
func Start(opts Options) (*Server, error) {
	l, err := net.Listen("tcp", opts.Listen)
	if err != nil {
		return nil, fmt.Errorf("gateway cannot listen on %s (choose another address with --http or gateway.listen): %w", opts.Listen, err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	mux.HandleFunc("GET /readyz", readyHandler(opts.Ready))
	seen := opts.Seen
	if seen == nil {
		seen = newMemorySeen()
	}
	(&slackRoutes{opts: opts.Slack, seen: seen}).register(mux)
	(&pagerDutyRoute{opts: opts.PagerDuty, seen: seen, recorder: opts.Recorder}).register(mux)
	(&alertRoute{opts: opts.Alerts, seen: seen, recorder: opts.Recorder}).register(mux)
	if opts.Metrics != nil {
		mux.Handle("GET /metrics", opts.Metrics)
	}
	s := &Server{
		http: opts.Timeouts.server(instrument(mux, opts.Recorder)),
		addr: l.Addr().String(),
		done: make(chan error, 1),
	}
	go func() { s.done <- s.http.Serve(l) }()
	return s, nil
}

// Addr is the bound host:port.
func (s *Server) Addr() string { return s.addr }

// Shutdown stops accepting requests and waits for in-flight ones.
func (s *Server) Shutdown(ctx context.Context) error {
	err := s.http.Shutdown(ctx)
	if serveErr := <-s.done; !errors.Is(serveErr, http.ErrServerClosed) {
		return serveErr
	}
	return err
}

// readyHandler answers 200 when every dependency answers, else 503 with the
// failing ones named, so a probe's log says what is down.
func readyHandler(checks map[string]Check) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
		defer cancel()
		failures := map[string]string{}
		for name, check := range checks {
			if err := check(ctx); err != nil {
				failures[name] = err.Error()
			}
		}
		if len(failures) > 0 {
			writeJSON(w, http.StatusServiceUnavailable, map[string]any{"status": "unavailable", "failures": failures})
			return
		}
		writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
