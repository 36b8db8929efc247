package gateway

import (
	"net/http"
	"time"
)

// Timeouts bound each phase of a connection, so that a client sending its
// headers or body slowly (slow loris) cannot hold a connection, and with
// it a handler, for long. Slack wants an answer within 3 s and PagerDuty
// within 5 s, and their requests are at most a few hundred kilobytes, so
// the defaults leave room for a slow network and nothing more.
type Timeouts struct {
	// ReadHeader is the time to read a request's headers (default 5s).
	ReadHeader time.Duration
	// Read is the time to read a whole request, body included (default 10s).
	Read time.Duration
	// Write runs from the end of the headers to the end of the answer, so
	// it covers reading the body and the handler (default 20s).
	Write time.Duration
	// Idle is how long a kept-alive connection waits for its next request
	// (default 60s).
	Idle time.Duration
}

// Default timeouts of the gateway's server.
const (
	defaultReadHeaderTimeout = 5 * time.Second
	defaultReadTimeout       = 10 * time.Second
	defaultWriteTimeout      = 20 * time.Second
	defaultIdleTimeout       = 60 * time.Second
)

// server is an http.Server for handler with these timeouts.
func (t Timeouts) server(handler http.Handler) *http.Server {
	or := func(d, def time.Duration) time.Duration {
		if d > 0 {
			return d
		}
		return def
	}
	return &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: or(t.ReadHeader, defaultReadHeaderTimeout),
		ReadTimeout:       or(t.Read, defaultReadTimeout),
		WriteTimeout:      or(t.Write, defaultWriteTimeout),
		IdleTimeout:       or(t.Idle, defaultIdleTimeout),
	}
}
