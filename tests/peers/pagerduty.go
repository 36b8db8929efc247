package peers

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/PagerDuty/go-pagerduty"
)

// PagerDuty is an httptest server speaking the Events API v2 enqueue
// endpoint: 202 with the dedup key, and 400 for the routing key "bad".
type PagerDuty struct {
	mu     sync.Mutex
	events []pagerduty.V2Event
	srv    *httptest.Server
}

// StartPagerDuty starts the peer until the test ends.
func StartPagerDuty(t testing.TB) *PagerDuty {
	t.Helper()
	p := &PagerDuty{}
	p.srv = httptest.NewServer(http.HandlerFunc(p.enqueue))
	t.Cleanup(p.srv.Close)
	return p
}

// URL is the Events API base URL for WithV2EventsAPIEndpoint or
// PAGERDUTY_EVENTS_URL.
func (p *PagerDuty) URL() string { return p.srv.URL }

// Client is a real go-pagerduty client pointed at the peer.
func (p *PagerDuty) Client() *pagerduty.Client {
	return pagerduty.NewClient("", pagerduty.WithV2EventsAPIEndpoint(p.URL()))
}

// Events returns the events received so far.
func (p *PagerDuty) Events() []pagerduty.V2Event {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]pagerduty.V2Event(nil), p.events...)
}

// Count counts the received events with the given action.
func (p *PagerDuty) Count(action string) int {
	n := 0
	for _, e := range p.Events() {
		if e.Action == action {
			n++
		}
	}
	return n
}

func (p *PagerDuty) enqueue(w http.ResponseWriter, r *http.Request) {
	var ev pagerduty.V2Event
	if r.URL.Path != "/v2/enqueue" || json.NewDecoder(r.Body).Decode(&ev) != nil {
		http.Error(w, "not found", http.StatusNotFound)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	if ev.RoutingKey == "bad" {
		w.WriteHeader(http.StatusBadRequest)
		_, _ = io.WriteString(w, `{"status":"invalid event","message":"Event object is invalid","errors":["Invalid routing key"]}`)
		return
	}
	p.mu.Lock()
	p.events = append(p.events, ev)
	p.mu.Unlock()
	key := ev.DedupKey
	if key == "" {
		key = "generated"
	}
	w.WriteHeader(http.StatusAccepted)
	_ = json.NewEncoder(w).Encode(map[string]string{"status": "success", "message": "Event processed", "dedup_key": key})
}
