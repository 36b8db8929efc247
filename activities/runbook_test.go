package activities

import "testing"

func TestNamedParamsRewritesOnlyPlaceholders(t *testing.T) {
	tests := map[string]string{
		"SELECT * FROM t WHERE a >= $1 AND a < $2":   "SELECT * FROM t WHERE a >= @p1 AND a < @p2",
		"SELECT '$1', \"c$2\", $10 -- $3\n, $4":      "SELECT '$1', \"c$2\", @p10 -- $3\n, @p4",
		"SELECT $$ $1 $$, a$1 /* $2 */ FROM t":       "SELECT $$ $1 $$, a$1 /* $2 */ FROM t",
		"SELECT 'unterminated $1":                    "SELECT 'unterminated $1",
		"SELECT count(*) AS n FROM t WHERE x = ($1)": "SELECT count(*) AS n FROM t WHERE x = (@p1)",
	}
	for in, want := range tests {
		if got := namedParams(in); got != want {
			t.Errorf("namedParams(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestIsQueryTellsReadsFromWrites(t *testing.T) {
	for sql, want := range map[string]bool{
		"SELECT 1": true, " (select 1)": true, "with x as (select 1) select * from x": true,
		"REVOKE SELECT ON t FROM r": false, "UPDATE t SET a = 1 WHERE b": false, "": false,
	} {
		if got := isQuery(sql); got != want {
			t.Errorf("isQuery(%q) = %v, want %v", sql, got, want)
		}
	}
}
