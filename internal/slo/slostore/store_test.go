package slostore

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/dre-dev/dre/internal/localpg"
	"github.com/dre-dev/dre/internal/localpg/localpgtest"
	"github.com/dre-dev/dre/internal/slo"
)

var cluster *localpg.Cluster

func TestMain(m *testing.M) { localpgtest.Main(m, &cluster) }

func TestRecordReplacesTheSlotAndListsInOrder(t *testing.T) {
	ctx := context.Background()
	s := New(localpgtest.NewDatabase(t, cluster))
	t.Cleanup(s.Close)
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	// Several workers creating the table at once must not collide.
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for i := range 4 {
		wg.Go(func() {
			errs <- New(s.state.DSN).Record(ctx, "orders", "fresh", slo.Observation{At: t0.Add(time.Duration(i) * time.Minute), Good: 1, Total: 1, Value: float64(i)}, "")
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	// A retried slot replaces the row instead of adding one.
	if err := s.Record(ctx, "orders", "fresh", slo.Observation{At: t0.Add(time.Minute), Good: 0, Total: 1, Value: 9, Incident: true}, "stale"); err != nil {
		t.Fatal(err)
	}
	got, err := s.Since(ctx, "orders", "fresh", t0)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 || !got[0].At.Equal(t0.Add(time.Minute)) || got[0].Good != 0 || !got[0].Incident || !got[2].At.Equal(t0.Add(3*time.Minute)) {
		t.Fatalf("Since(t0) = %+v; want slots 1..3 in order, slot 1 replaced by the bad incident one", got)
	}
	recent, err := s.Recent(ctx, "orders", "fresh", 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(recent) != 2 || recent[0].Value != 3 || recent[1].Value != 2 {
		t.Errorf("Recent(2) = %+v; want values 3 then 2, skipping the incident slot", recent)
	}
}

func TestStoreWithoutDSNSaysWhatToSet(t *testing.T) {
	err := New("").Record(context.Background(), "orders", "fresh", slo.Observation{}, "")
	if !errors.Is(err, ErrNoDatabase) {
		t.Errorf("Record without a DSN = %v, want ErrNoDatabase", err)
	}
}
