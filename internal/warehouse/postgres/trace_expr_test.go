package postgres

import (
	"fmt"
	"testing"
	"time"
)

// columnRefs finds alias.column in what EXPLAIN VERBOSE prints, and
// nothing in literals, casts, function names or bare words.
func TestColumnRefs(t *testing.T) {
	cases := []struct {
		expr   string
		want   string
		hidden bool
	}{
		{"s.id", "[{s id}]", false},
		{`lower((c.email)::text)`, "[{c email}]", false},
		{`CASE WHEN (o.x IS NULL) THEN 'a.b'::text ELSE o.y END`, "[{o x} {o y}]", false},
		{`pg_catalog.lower("Weird Alias"."E""mail")`, `[{Weird Alias E"mail}]`, false},
		{`(o.amount)::public.money_type`, "[{o amount}]", false},
		{`s.*`, "[{s *}]", false},
		{`count(*)`, "[]", false},
		{`'2026-01-01'::date`, "[]", false},
		{`(SubPlan 1)`, "[]", true},
		{`$0`, "[]", true},
	}
	for _, c := range cases {
		refs, hidden := columnRefs(c.expr)
		if got := fmt.Sprint(refs); got != c.want || hidden != c.hidden {
			t.Errorf("columnRefs(%q) = %s, hidden %t; want %s, %t", c.expr, got, hidden, c.want, c.hidden)
		}
	}
}

// inlineTimes writes bounds as literals, leaving look-alikes in strings,
// identifiers and comments alone.
func TestInlineTimes(t *testing.T) {
	from := time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC)
	got, err := inlineTimes(`SELECT '@from', "@to" FROM t WHERE d >= @from AND d < @to -- @to`, map[string]time.Time{"from": from, "to": from.AddDate(0, 0, 1)})
	want := `SELECT '@from', "@to" FROM t WHERE d >= '2026-01-02 00:00:00Z' AND d < '2026-01-03 00:00:00Z' -- @to`
	if err != nil || got != want {
		t.Errorf("inlineTimes = %q, %v; want %q", got, err, want)
	}
	if _, err := inlineTimes("SELECT @other", nil); err == nil {
		t.Error("a parameter without a value was inlined; want an error")
	}
}
