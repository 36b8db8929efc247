package gateway

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/slack-go/slack"
)

// maxSlackBody bounds what is read before the signature is checked: Slack's
// commands and interactions are a few kilobytes, so anything near this is
// not from Slack.
const maxSlackBody = 256 << 10

// replayWindow is Slack's own timestamp tolerance (slack-go enforces ±5
// minutes); a signature is remembered a little longer than that, so a
// captured request cannot be sent again while its timestamp still passes.
const replayWindow = 6 * time.Minute

// errReplayed is a valid signature seen before.
var errReplayed = errors.New("request replayed: this signature was already accepted")

// verifySlack reads the body and checks it came from Slack: the HMAC of
// "v0:timestamp:body" under the signing secret (compared in constant time
// by slack-go), a timestamp within five minutes, and a signature not seen
// before. Only a verified body is returned; nothing is parsed before.
func verifySlack(r *http.Request, secret string, seen *replayGuard) ([]byte, error) {
	body, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, maxSlackBody))
	if err != nil {
		return nil, fmt.Errorf("reading body: %w", err)
	}
	sv, err := slack.NewSecretsVerifier(r.Header, secret)
	if err != nil {
		return nil, err
	}
	if _, err := sv.Write(body); err != nil {
		return nil, err
	}
	if err := sv.Ensure(); err != nil {
		return nil, err
	}
	if !seen.firstUse(r.Header.Get("X-Slack-Signature")) {
		return nil, errReplayed
	}
	return body, nil
}

// replayGuard remembers accepted keys (signatures, event IDs) for a window.
type replayGuard struct {
	window    time.Duration
	mu        sync.Mutex
	seen      map[string]time.Time
	lastSweep time.Time
	now       func() time.Time
}

func newReplayGuard(window time.Duration) *replayGuard {
	return &replayGuard{window: window, seen: map[string]time.Time{}, now: time.Now}
}

// firstUse records sig and reports whether it was new. Expired entries are
// swept every half minute, not per request, so the map holds about one
// window of requests without a full scan on the hot path.
func (g *replayGuard) firstUse(sig string) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	now := g.now()
	if now.Sub(g.lastSweep) > 30*time.Second {
		for s, at := range g.seen {
			if now.Sub(at) > g.window {
				delete(g.seen, s)
			}
		}
		g.lastSweep = now
	}
	if _, dup := g.seen[sig]; dup {
		return false
	}
	g.seen[sig] = now
	return true
}

// forget drops key, so that a retry of a request that failed is let in.
func (g *replayGuard) forget(key string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	delete(g.seen, key)
}
