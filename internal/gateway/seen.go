package gateway

import (
	"context"
	"sync"
	"time"
)

// SeenSet remembers keys of requests already acted on (a Slack signature,
// a PagerDuty webhook ID) for a while, so that a request delivered twice
// is acted on once. The in-memory set serves one process; SeenStore keeps
// the set in the state database, where it survives a restart and is
// shared by every gateway using that database.
type SeenSet interface {
	// FirstUse records key until ttl has passed and reports whether it was
	// new. An error means the set could not be asked; the caller must not
	// act then, since it cannot tell a replay from a first delivery.
	FirstUse(ctx context.Context, key string, ttl time.Duration) (bool, error)
	// Forget drops key, so that a retry of a request that failed is let in.
	Forget(ctx context.Context, key string) error
}

// Prefixes of the keys each route records, so that a Slack signature and a
// PagerDuty event ID can never collide in one set.
const (
	seenSlackSignature = "slack-signature:"
	seenPagerDutyEvent = "pagerduty-webhook:"
)

// memorySeen is the per-process SeenSet used when no state database is
// configured: a restart forgets it, and each gateway has its own.
type memorySeen struct {
	mu        sync.Mutex
	expires   map[string]time.Time
	lastSweep time.Time
	now       func() time.Time
}

func newMemorySeen() *memorySeen {
	return &memorySeen{expires: map[string]time.Time{}, now: time.Now}
}

// FirstUse sweeps expired keys every half minute, not per request, so the
// map holds about one window of requests without a full scan each time.
func (m *memorySeen) FirstUse(_ context.Context, key string, ttl time.Duration) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	if now.Sub(m.lastSweep) > 30*time.Second {
		for k, until := range m.expires {
			if !now.Before(until) {
				delete(m.expires, k)
			}
		}
		m.lastSweep = now
	}
	if until, dup := m.expires[key]; dup && now.Before(until) {
		return false, nil
	}
	m.expires[key] = now.Add(ttl)
	return true, nil
}

func (m *memorySeen) Forget(_ context.Context, key string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.expires, key)
	return nil
}
