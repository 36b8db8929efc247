package gateway

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dre-dev/dre/internal/localpg"
	"github.com/dre-dev/dre/internal/localpg/localpgtest"
)

var cluster *localpg.Cluster

func TestMain(m *testing.M) { localpgtest.Main(m, &cluster) }

// openSeenStore opens a store on dsn, closed when the test ends.
func openSeenStore(t *testing.T, dsn string) *SeenStore {
	t.Helper()
	s, err := OpenSeenStore(t.Context(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

func TestPagerDutyReplayAfterRestartChangesNothing(t *testing.T) {
	dsn := localpgtest.NewDatabase(t, cluster)
	event := func(url string) *http.Request {
		return pdEvent(t, url, "s", "R1", "incident.resolved", "triage/orders")
	}

	first := openSeenStore(t, dsn)
	url, _, incidents := startPagerDutyGateway(t, []string{"s"}, func(o *Options) { o.Seen = first })
	if status, text := sendPD(t, event(url)); status != http.StatusOK || text != "resolved" {
		t.Fatalf("first delivery: %d %q", status, text)
	}
	first.Close() // the gateway restarts: a new process, a new connection

	second := openSeenStore(t, dsn)
	url, _, again := startPagerDutyGateway(t, []string{"s"}, func(o *Options) { o.Seen = second })
	if status, text := sendPD(t, event(url)); status != http.StatusOK || text != "duplicate" {
		t.Fatalf("replay after the restart: %d %q, want 200 duplicate", status, text)
	}
	if len(incidents.calls) != 1 || len(again.calls) != 0 {
		t.Fatalf("calls before %v, after the restart %v: want one resolve in all", incidents.calls, again.calls)
	}
}

func TestTwoGatewaysAcceptASlackRequestOnce(t *testing.T) {
	dsn := localpgtest.NewDatabase(t, cluster)
	starters := []*fakeStarter{{}, {}}
	var bases []string
	var stops []func()
	for _, starter := range starters {
		seen := openSeenStore(t, dsn) // each gateway its own pool, as two processes
		base, stop := startSlackGatewayWith(t, testSecret, starter, func(o *Options) { o.Seen = seen })
		bases, stops = append(bases, base), append(stops, stop)
	}
	req := signedCommand(t, bases[0], testSecret, "triage orders", time.Now())
	statuses := []int{}
	for _, base := range bases {
		again := req.Clone(context.Background())
		again.Body, _ = req.GetBody()
		again.URL.Host = strings.TrimPrefix(base, "http://")
		status, _ := send(t, again)
		statuses = append(statuses, status)
	}
	if statuses[0] != http.StatusOK || statuses[1] != http.StatusUnauthorized {
		t.Fatalf("statuses %v, want [200 401]: the second gateway must see the first one's signature", statuses)
	}
	for _, stop := range stops {
		stop() // the queued starts are done
	}
	if n := starters[0].count() + starters[1].count(); n != 1 {
		t.Fatalf("%d starts across both gateways, want 1", n)
	}
}

func TestSeenStoreForgetsAndExpires(t *testing.T) {
	s := openSeenStore(t, localpgtest.NewDatabase(t, cluster))
	ctx := t.Context()
	check := func(key string, ttl time.Duration, want bool) {
		t.Helper()
		got, err := s.FirstUse(ctx, key, ttl)
		if err != nil || got != want {
			t.Fatalf("FirstUse(%q) = %v, %v; want %v", key, got, err, want)
		}
	}
	check("a", time.Hour, true)
	check("a", time.Hour, false)
	if err := s.Forget(ctx, "a"); err != nil {
		t.Fatal(err)
	}
	check("a", time.Hour, true)
	// A key whose expiry has passed (stored already expired, so no wait is
	// needed) counts as new, though not pruned yet.
	check("short", -time.Second, true)
	check("short", time.Hour, true)
	check("short", time.Hour, false)
}

func TestSeenStoreUnreachableStopsTheRequest(t *testing.T) {
	s := openSeenStore(t, localpgtest.NewDatabase(t, cluster))
	s.Close()
	url, _, incidents := startPagerDutyGateway(t, []string{"s"}, func(o *Options) { o.Seen = s })
	if status, _ := sendPD(t, pdEvent(t, url, "s", "X1", "incident.resolved", "triage/orders")); status != http.StatusInternalServerError {
		t.Fatalf("status %d, want 500 so that PagerDuty retries", status)
	}
	if len(incidents.calls) != 0 {
		t.Fatalf("acted without a dedup check: %v", incidents.calls)
	}
}

// BenchmarkSeenStoreFirstUse is the cost the state database adds to each
// verified Slack request and PagerDuty event: one INSERT ... ON CONFLICT.
func BenchmarkSeenStoreFirstUse(b *testing.B) {
	s, err := OpenSeenStore(b.Context(), localpgtest.NewDatabase(b, cluster))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	i := 0
	for b.Loop() {
		i++
		if first, err := s.FirstUse(b.Context(), seenSlackSignature+strconv.Itoa(i), replayWindow); err != nil || !first {
			b.Fatalf("FirstUse: %v %v", first, err)
		}
	}
}
