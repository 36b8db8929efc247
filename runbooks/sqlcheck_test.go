package runbooks

import (
	"slices"
	"strings"
	"testing"
)

func TestDestructive(t *testing.T) {
	tests := []struct {
		sql  string
		want []string // nil: read-only
	}{
		{"SELECT count(*) FROM orders", nil},
		{"INSERT INTO audit SELECT * FROM orders", nil},
		{"CREATE TABLE t AS SELECT 1", nil},
		{"delete from orders where day < $1", []string{"DELETE"}},
		{"DROP TABLE old", []string{"DROP"}},
		{"truncate t", []string{"TRUNCATE"}},
		{"ALTER TABLE t DROP COLUMN c", []string{"ALTER"}},
		{"GRANT SELECT ON t TO r", []string{"GRANT"}},
		{"REVOKE SELECT ON {{ table .inputs.dataset }} FROM {{ ident .inputs.grantee }}", []string{"REVOKE"}},
		{"UPDATE t SET a = 1", []string{"UPDATE without WHERE"}},
		{"UPDATE t SET a = 1 WHERE id = $1", nil},
		{"UPDATE t SET a = (SELECT b FROM u WHERE u.id = t.id)", []string{"UPDATE without WHERE"}},
		{"UPDATE t SET a = 1 WHERE TRUE", []string{"UPDATE without WHERE"}},
		{"UPDATE t SET a = 1 WHERE TRUE AND id = 2", nil},
		{"MERGE INTO t USING s ON t.id = s.id WHEN MATCHED THEN DELETE", []string{"MERGE"}},
		{"CREATE OR REPLACE TABLE t AS SELECT 1", []string{"CREATE OR REPLACE"}},
		{"CALL cleanup()", []string{"CALL"}},
		{"DO $$ BEGIN DELETE FROM t; END $$", []string{"DO"}},
		{"EXECUTE IMMEDIATE 'SELECT 1'", []string{"EXECUTE"}},
		{"REASSIGN OWNED BY a TO b", []string{"REASSIGN OWNED"}},
		{"SELECT 1; DROP TABLE t; SELECT 2", []string{"DROP"}},
		{"WITH gone AS (DELETE FROM t RETURNING *) SELECT count(*) FROM gone", []string{"DELETE"}},
		{"WITH x AS (UPDATE t SET a = 1 RETURNING *) SELECT 1", []string{"UPDATE without WHERE"}},
		{"EXPLAIN DELETE FROM t", nil},
		{"EXPLAIN ANALYZE DELETE FROM t", []string{"DELETE"}},
		{"EXPLAIN (ANALYZE, FORMAT JSON) UPDATE t SET a = 1", []string{"UPDATE without WHERE"}},
		// Keywords inside comments, strings, identifiers and dollar
		// quotes are not statements.
		{"SELECT 'DROP TABLE t' AS s -- DELETE FROM t", nil},
		{`SELECT "delete" FROM t /* TRUNCATE t; */`, nil},
		{"SELECT $body$ DROP TABLE t $body$", nil},
		{"SELECT `drop` FROM ds.t", nil},
		{"SELECT ';' AS semi, 'it''s' AS q", nil},
		// A backslash closes a standard string but escapes the quote in
		// BigQuery: either reading shows the DROP.
		{`SELECT 'C:\'; DROP TABLE t; --'`, []string{"DROP"}},
		{`SELECT 'it\'s'; DELETE FROM t; SELECT '`, []string{"DELETE"}},
		{"", nil},
	}
	for _, tt := range tests {
		if got := Destructive(tt.sql); !slices.Equal(got, tt.want) {
			t.Errorf("Destructive(%q) = %q, want %q", tt.sql, got, tt.want)
		}
	}
}

func TestDestructiveSeesEveryKind(t *testing.T) {
	got := Destructive("DELETE FROM a; drop table b; UPDATE c SET x = 1; DELETE FROM d")
	if want := []string{"DELETE", "DROP", "UPDATE without WHERE"}; !slices.Equal(got, want) {
		t.Errorf("Destructive = %q, want %q (each kind once, in order)", got, want)
	}
	if got := Destructive(strings.Repeat("(", 1000) + "DROP TABLE t"); !slices.Equal(got, []string{"DROP"}) {
		t.Errorf("deeply nested DROP: got %q", got)
	}
}
