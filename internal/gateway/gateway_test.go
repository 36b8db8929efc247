package gateway

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
)

func TestHealthAndReadiness(t *testing.T) {
	down := errors.New("connection refused")
	var warehouseErr error
	s, err := Start(Options{Listen: "127.0.0.1:0", Ready: map[string]Check{
		"temporal":  func(context.Context) error { return nil },
		"warehouse": func(context.Context) error { return warehouseErr },
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Shutdown(context.Background())

	tests := []struct {
		path       string
		failure    error
		wantStatus int
		wantBody   string
	}{
		{"/healthz", down, http.StatusOK, `"ok"`},
		{"/readyz", nil, http.StatusOK, `"ready"`},
		{"/readyz", down, http.StatusServiceUnavailable, `"warehouse":"connection refused"`},
	}
	for _, tt := range tests {
		warehouseErr = tt.failure
		resp, err := http.Get("http://" + s.Addr() + tt.path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tt.wantStatus || !strings.Contains(string(body), tt.wantBody) {
			t.Errorf("GET %s (failure %v) = %d %s, want %d containing %s", tt.path, tt.failure, resp.StatusCode, body, tt.wantStatus, tt.wantBody)
		}
	}
}

func TestStartOnTakenPortFails(t *testing.T) {
	s, err := Start(Options{Listen: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Shutdown(context.Background())
	_, err = Start(Options{Listen: s.Addr()})
	if err == nil || !strings.Contains(err.Error(), "choose another address") {
		t.Fatalf("second Start on %s: err = %v, want a clear taken-port error", s.Addr(), err)
	}
}
