package telemetry

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"
)

// Server serves /metrics, /healthz and /readyz for a process that has no
// other HTTP listener (dre worker), so that Prometheus can scrape it and
// Kubernetes can probe it on one port.
type Server struct {
	http *http.Server
	addr string
	done chan error
}

// Serve binds listen (failing fast on a taken port) and serves metrics.
// ready answers /readyz: nil means ready; an error is shown to the probe.
func Serve(listen string, metrics http.Handler, ready func() error) (*Server, error) {
	l, err := net.Listen("tcp", listen)
	if err != nil {
		return nil, fmt.Errorf("metrics cannot listen on %s (choose another address with --metrics or worker.metrics_listen): %w", listen, err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", metrics)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte("ok\n"))
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, _ *http.Request) {
		if err := ready(); err != nil {
			http.Error(w, err.Error(), http.StatusServiceUnavailable)
			return
		}
		_, _ = w.Write([]byte("ready\n"))
	})
	s := &Server{
		http: &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second},
		addr: l.Addr().String(),
		done: make(chan error, 1),
	}
	go func() { s.done <- s.http.Serve(l) }()
	return s, nil
}

// Addr is the bound host:port.
func (s *Server) Addr() string { return s.addr }

// Shutdown stops serving and waits for in-flight scrapes.
func (s *Server) Shutdown(ctx context.Context) error {
	err := s.http.Shutdown(ctx)
	if serveErr := <-s.done; !errors.Is(serveErr, http.ErrServerClosed) {
		return serveErr
	}
	return err
}
