package postgres_test

import (
	"errors"
	"testing"
	"time"

	"github.com/dre-dev/dre/internal/localpg/localpgtest"
	"github.com/dre-dev/dre/internal/warehouse"
	"github.com/dre-dev/dre/internal/warehouse/postgres"
)

// openWithReplica opens a warehouse on a fresh database, with another
// fresh database of the same cluster standing in for its read replica (a
// streaming replica needs a second cluster; what Usage reads of it, the
// per-server scan counters, is the same), both holding public.orders.
func openWithReplica(t *testing.T) (*postgres.Warehouse, string) {
	t.Helper()
	primaryDSN, replicaDSN := localpgtest.NewDatabase(t, cluster), localpgtest.NewDatabase(t, cluster)
	for _, dsn := range []string{primaryDSN, replicaDSN} {
		localpgtest.Exec(t, dsn, "CREATE TABLE public.orders (id int PRIMARY KEY)")
	}
	w, err := postgres.Open(t.Context(), primaryDSN)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Close)
	if err := w.SetReplicas([]string{replicaDSN}); err != nil {
		t.Fatal(err)
	}
	return w, replicaDSN
}

// A report that reads the table only on a replica leaves the primary's
// counters at zero: Usage must count the replica's scans too.
func TestUsageCountsReadsOnAReplica(t *testing.T) {
	w, replicaDSN := openWithReplica(t)
	ref := warehouse.TableRef{Schema: "public", Table: "orders"}
	if _, err := w.Usage(t.Context(), ref, time.Now()); err != nil { // the baseline observation
		t.Fatalf("Usage: %v", err)
	}
	since := time.Now()
	if u, err := w.Usage(t.Context(), ref, since); err != nil || u.Reads != 0 {
		t.Fatalf("Usage before any read: %+v, %v; want 0 reads", u, err)
	}
	replica := connect(t, replicaDSN)
	const reads = 3
	for range reads {
		exec(t, replica, "SELECT count(*) FROM public.orders")
	}
	var u warehouse.Usage
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		var err error
		if u, err = w.Usage(t.Context(), ref, since); err != nil {
			t.Fatalf("Usage: %v", err)
		}
		if u.Reads >= reads {
			break
		}
	}
	if u.Reads < reads {
		t.Errorf("Usage after %d reads on the replica: %+v; want them counted", reads, u)
	}
}

// A replica that cannot be reached is not a replica nobody reads: Usage
// says which one it could not read.
func TestUsageOfAnUnreachableReplicaIsUnreadable(t *testing.T) {
	w, _ := openWithReplica(t)
	if err := w.SetReplicas([]string{"postgres://dre@127.0.0.1:1/warehouse?connect_timeout=2"}); err != nil {
		t.Fatal(err)
	}
	_, err := w.Usage(t.Context(), warehouse.TableRef{Schema: "public", Table: "orders"}, time.Now().Add(-time.Hour))
	var unreadable *warehouse.UsageUnreadableError
	if !errors.As(err, &unreadable) || unreadable.Source != "replica 1 (127.0.0.1:1)" {
		t.Errorf("Usage with an unreachable replica: %v; want a UsageUnreadableError naming replica 1 (127.0.0.1:1)", err)
	}
	if err := w.SetReplicas([]string{"not a dsn ::"}); err == nil {
		t.Error("SetReplicas took a DSN that does not parse")
	}
}
