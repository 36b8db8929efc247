package bigquery_test

import (
	"errors"
	"testing"

	"cloud.google.com/go/bigquery"

	"github.com/dre-dev/dre/internal/warehouse"
)

// Retried moves, against the stand-in: a worker may die between the copy
// and the delete, or after the delete, and the next try must finish the
// move without losing rows or moving onto a table that is not the copy.

func TestMoveRetries(t *testing.T) {
	cases := []struct {
		name     string
		before   func(f *fixture, from, to warehouse.TableRef) // what an earlier try left
		wantErr  bool
		fromLeft bool // from still exists afterwards
	}{
		{"nothing done yet", func(*fixture, warehouse.TableRef, warehouse.TableRef) {}, false, false},
		{"copied, not deleted", func(f *fixture, from, to warehouse.TableRef) { f.copy(t, from, to) }, false, false},
		{"copied and deleted", func(f *fixture, from, to warehouse.TableRef) {
			f.copy(t, from, to)
			if err := f.client.Dataset(from.Schema).Table(from.Table).Delete(ctx(t)); err != nil {
				t.Fatal(err)
			}
		}, false, false},
		{"another table of the same shape in the way", func(f *fixture, from, to warehouse.TableRef) {
			f.CreateTable(t, to, orderCols, orders(500, 3, 1, 2, 3))
		}, true, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f, from := shop(t)
			to := warehouse.TableRef{Schema: f.Schema(t), Table: "orders_archived"}
			c.before(f, from, to)
			err := f.w.Move(ctx(t), from, to)
			if (err != nil) != c.wantErr {
				t.Fatalf("Move: %v, want error %t", err, c.wantErr)
			}
			_, ferr := f.w.Describe(ctx(t), from)
			var nf *warehouse.NotFoundError
			if left := !errors.As(ferr, &nf); left != c.fromLeft {
				t.Errorf("after Move, from exists: %t, want %t (%v)", left, c.fromLeft, ferr)
			}
			if st := statsOf(t, f, to); st.Rows != 9 {
				t.Errorf("to has %d rows, want 9", st.Rows)
			}
		})
	}
}

// copy copies a table with the plain client, as Move's copy job does.
func (f *fixture) copy(t *testing.T, from, to warehouse.TableRef) {
	t.Helper()
	c := f.client.Dataset(to.Schema).Table(to.Table).CopierFrom(f.client.Dataset(from.Schema).Table(from.Table))
	job, err := c.Run(ctx(t))
	if err == nil {
		var status *bigquery.JobStatus
		if status, err = job.Wait(ctx(t)); err == nil {
			err = status.Err()
		}
	}
	if err != nil {
		t.Fatalf("copying %s to %s: %v", from, to, err)
	}
}
