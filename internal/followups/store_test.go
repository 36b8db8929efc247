package followups

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/dre-dev/dre/internal/localpg"
	"github.com/dre-dev/dre/internal/localpg/localpgtest"
)

var cluster *localpg.Cluster

func TestMain(m *testing.M) { localpgtest.Main(m, &cluster) }

func TestFollowupsStayOpenUntilDoneOnce(t *testing.T) {
	ctx := context.Background()
	s := New(localpgtest.NewDatabase(t, cluster))
	t.Cleanup(s.Close)
	at := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
	a, err := s.Add(ctx, Item{Dataset: "orders", Incident: "triage/orders", Text: "alert on late loads", Owner: "alice", CreatedAt: at, CreatedBy: "cli:bob"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Add(ctx, Item{Dataset: "customers", Text: "add a unique key", Owner: "U0CAROL", CreatedAt: at}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Done(ctx, a.ID, "alice", at.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Done(ctx, a.ID, "mallory", at.Add(2*time.Hour)); !errors.Is(err, ErrAlreadyDone) {
		t.Errorf("second done: %v, want ErrAlreadyDone", err)
	}
	if _, err := s.Done(ctx, 999, "alice", at); !errors.Is(err, ErrNotFound) {
		t.Errorf("done of an unknown ID: %v, want ErrNotFound", err)
	}
	open, err := s.List(ctx, "", false)
	if err != nil {
		t.Fatal(err)
	}
	if len(open) != 1 || open[0].Dataset != "customers" || !open[0].Open() {
		t.Errorf("open follow-ups %+v; want only customers'", open)
	}
	all, err := s.List(ctx, "orders", true)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 1 || all[0].DoneBy != "alice" || !all[0].DoneAt.Equal(at.Add(time.Hour)) || all[0].Incident != "triage/orders" {
		t.Errorf("orders' follow-ups %+v; want the one alice closed", all)
	}
}

func TestFollowupsRefuseIncompleteItems(t *testing.T) {
	s := New("") // never reached: the item is refused first
	for _, it := range []Item{{Text: "x", Owner: "a"}, {Dataset: "orders", Owner: "a"}, {Dataset: "orders", Text: "x"}} {
		if _, err := s.Add(context.Background(), it); err == nil || errors.Is(err, ErrNoDatabase) {
			t.Errorf("Add(%+v) = %v; want the missing field named", it, err)
		}
	}
}
