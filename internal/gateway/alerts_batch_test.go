package gateway

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/dre-dev/dre/internal/alerts"
	"github.com/dre-dev/dre/internal/catalog"
)

func TestAlertsArrivingDuringADeliveryShareTheNext(t *testing.T) {
	release := make(chan struct{})
	var mu sync.Mutex
	var sizes []int
	b := newAlertBatcher(func(_ context.Context, _ catalog.Dataset, batch []alerts.Alert) (string, error) {
		mu.Lock()
		sizes = append(sizes, len(batch))
		first := len(sizes) == 1
		mu.Unlock()
		if first {
			<-release // hold the first delivery while the others queue
		}
		return alertReported, nil
	})
	ds := catalog.Dataset{Name: "orders"}
	var wg sync.WaitGroup
	submit := func(i int) {
		defer wg.Done()
		if out, err := b.submit(context.Background(), ds, alerts.Alert{Fingerprint: fmt.Sprint(i), Status: alerts.Firing}); err != nil || out != alertReported {
			t.Errorf("alert %d: %q, %v", i, out, err)
		}
	}
	wg.Add(1)
	go submit(0)
	waitFor(t, func() bool { mu.Lock(); defer mu.Unlock(); return len(sizes) == 1 })
	for i := 1; i <= 10; i++ {
		wg.Add(1)
		go submit(i)
	}
	waitFor(t, func() bool { b.mu.Lock(); defer b.mu.Unlock(); return len(b.queues["orders"].waiting) == 10 })
	close(release)
	wg.Wait()
	mu.Lock()
	defer mu.Unlock()
	if len(sizes) != 2 || sizes[0] != 1 || sizes[1] != 10 {
		t.Errorf("deliveries of %v alerts, want [1 10]", sizes)
	}
	// The dataset's queue goes once drained, so the next alert starts a delivery.
	waitFor(t, func() bool { b.mu.Lock(); defer b.mu.Unlock(); return len(b.queues) == 0 })
}

func TestAlertBatchKeepsStatusesInOrder(t *testing.T) {
	var got []string
	b := newAlertBatcher(func(_ context.Context, _ catalog.Dataset, batch []alerts.Alert) (string, error) {
		got = append(got, fmt.Sprintf("%s×%d", batch[0].Status, len(batch)))
		return "ok", nil
	})
	mk := func(status string) alertWaiter {
		return alertWaiter{alert: alerts.Alert{Status: status}, done: make(chan alertResult, 1)}
	}
	b.deliverBatch(catalog.Dataset{Name: "orders"}, []alertWaiter{mk(alerts.Firing), mk(alerts.Firing), mk(alerts.Resolved), mk(alerts.Firing)})
	if fmt.Sprint(got) != "[firing×2 resolved×1 firing×1]" {
		t.Errorf("deliveries %v", got)
	}
}

// waitFor polls cond until it holds, for up to 10 s (a hang guard, not a
// speed target).
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 10 s")
		}
		runtime.Gosched()
		time.Sleep(time.Millisecond)
	}
}
