package warehousetest

import (
	"slices"
	"testing"
	"time"

	"github.com/dre-dev/dre/internal/warehouse"
)

// span is the partition of the day column from January `from` up to, not
// including, January `to`.
func span(from, to int) warehouse.Partition {
	return warehouse.Partition{Column: "day", Start: day(from), End: day(to)}
}

// stats returns PartitionStats, failing t if it fails.
func (s *suite) stats(t *testing.T, ref warehouse.TableRef, p warehouse.Partition) warehouse.PartitionStats {
	t.Helper()
	st, err := s.w.PartitionStats(s.ctx(t), ref, p)
	if err != nil {
		t.Fatalf("PartitionStats(%s, %s..%s): %v", ref, p.Start.Format(time.DateOnly), p.End.Format(time.DateOnly), err)
	}
	return st
}

func (s *suite) testPartitionStats(t *testing.T) {
	rows := orderRows(1, 5, 1, 2, 3)
	schema := s.f.Schema(t)
	ordered := warehouse.TableRef{Schema: schema, Table: "ordered"}
	reversed := warehouse.TableRef{Schema: schema, Table: "reversed"}
	changed := warehouse.TableRef{Schema: schema, Table: "changed"}
	s.f.CreateTable(t, ordered, ordersColumns, rows)
	backwards := slices.Clone(rows)
	slices.Reverse(backwards)
	s.f.CreateTable(t, reversed, ordersColumns, backwards)
	edited := slices.Clone(rows)
	edited[7] = slices.Clone(rows[7]) // a day-2 row: one amount differs by a cent
	edited[7][colAmount] = rows[7][colAmount].(float64) + 0.01
	s.f.CreateTable(t, changed, ordersColumns, edited)

	base := s.stats(t, ordered, span(2, 3))
	cases := []struct {
		name     string
		got      warehouse.PartitionStats
		rows     int64
		sameSum  bool
		checksum string
	}{
		{"same rows in another order", s.stats(t, reversed, span(2, 3)), 5, true, base.Checksum},
		{"one value changed", s.stats(t, changed, span(2, 3)), 5, false, base.Checksum},
		{"another partition", s.stats(t, ordered, span(1, 2)), 5, false, base.Checksum},
		{"a partition of three days", s.stats(t, ordered, span(1, 4)), 15, true, s.stats(t, reversed, span(1, 4)).Checksum},
		{"an empty partition", s.stats(t, ordered, span(9, 10)), 0, true, s.stats(t, reversed, span(20, 21)).Checksum},
	}
	if base.Rows != 5 || base.Checksum == "" {
		t.Fatalf("PartitionStats of day 2: %+v, want 5 rows and a checksum", base)
	}
	for _, c := range cases {
		if c.got.Rows != c.rows || (c.got.Checksum == c.checksum) != c.sameSum {
			t.Errorf("%s: got %+v, want %d rows and a checksum that is %s %s",
				c.name, c.got, c.rows, map[bool]string{true: "equal to", false: "different from"}[c.sameSum], c.checksum)
		}
	}
	_, err := s.w.PartitionStats(s.ctx(t), warehouse.TableRef{Schema: schema, Table: "missing"}, span(1, 2))
	wantNotFound(t, "PartitionStats of a missing table", err)
}
