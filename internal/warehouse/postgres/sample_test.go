package postgres_test

import (
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/dre-dev/dre/internal/warehouse"
)

// TestSampleIsRandomAndSaysHow: a large table is read through TABLESAMPLE
// and its sample reaches beyond the first rows on disk; a small one is
// shuffled whole; the method is in the result either way.
func TestSampleIsRandomAndSaysHow(t *testing.T) {
	f := newFixture(t)
	big := warehouse.TableRef{Schema: "public", Table: "events"}
	small := warehouse.TableRef{Schema: "public", Table: "few"}
	exec(t, f.admin, fmt.Sprintf(`CREATE TABLE public.events AS SELECT i AS id, NULL::text AS empty FROM generate_series(1, 60000) i;
		ANALYZE public.events; CREATE TABLE public.few AS SELECT i AS id FROM generate_series(1, 30) i;
		GRANT SELECT ON public.events, public.few TO %s`, f.user))
	s, err := f.w.Sample(t.Context(), big, nil, 100)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(s.Method, "TABLESAMPLE BERNOULLI") || s.TableRows != 60000 {
		t.Errorf("method %q of %d rows; want TABLESAMPLE BERNOULLI of 60000", s.Method, s.TableRows)
	}
	ids := s.Columns["id"]
	if len(ids) != 100 || len(s.Columns["empty"]) != 0 {
		t.Fatalf("%d ids and %d empty values; want 100 and none", len(ids), len(s.Columns["empty"]))
	}
	beyond := 0
	for _, v := range ids {
		if n, _ := strconv.Atoi(v); n > 1000 {
			beyond++
		}
	}
	if beyond < 50 {
		t.Errorf("only %d of 100 sampled ids come after the first 1000 rows; want a sample across the table", beyond)
	}
	s, err = f.w.Sample(t.Context(), small, nil, 100)
	if err != nil || s.Method != "all 30 rows" || len(s.Columns["id"]) != 30 {
		t.Errorf("small table: method %q, %d values, %v; want all 30 rows", s.Method, len(s.Columns["id"]), err)
	}
}
