package warehouse

import (
	"errors"
	"testing"
)

func TestSingleStatement(t *testing.T) {
	tests := []struct {
		sql  string
		next string // the second statement's start; "" when the text is one statement
	}{
		{"SELECT 1", ""},
		{"SELECT 1;", ""},
		{"SELECT 1 ; ;\n -- done\n /* really */", ""},
		{"SELECT ';' AS semi, \";\" AS \"x;y\", `a;b`", ""},
		{"SELECT 'it''s; fine'", ""},
		{"SELECT 1 -- a; comment", ""},
		{"SELECT 1 /* ; */ + 2", ""},
		{"DO $$ BEGIN DELETE FROM t; END $$", ""},
		{"DO $body$ BEGIN PERFORM 1; END $body$;", ""},
		{"SELECT $1; ", ""},
		{"SELECT 1; DROP TABLE public.orders", "DROP TABLE public.orders"},
		{"SELECT * FROM t WHERE name = 'x'; DROP TABLE public.orders;--'", "DROP TABLE public.orders;--'"},
		{"SELECT 1;'x'", "'x'"},
		{"SELECT 1; $$x$$", "$$x$$"},
		// A backslash ends the string in standard SQL but escapes the
		// quote in BigQuery: either reading that finds a second
		// statement refuses.
		{`SELECT 'a\'; DROP TABLE t; --'`, "DROP TABLE t; --'"},
		// # is a comment in BigQuery but an operator in PostgreSQL.
		{"SELECT 1 # 2; DROP TABLE t", "DROP TABLE t"},
	}
	for _, tt := range tests {
		err := SingleStatement(tt.sql)
		var multi *MultipleStatementsError
		switch {
		case tt.next == "" && err != nil:
			t.Errorf("%q: %v", tt.sql, err)
		case tt.next != "" && !errors.As(err, &multi):
			t.Errorf("%q: want a MultipleStatementsError, got %v", tt.sql, err)
		case tt.next != "" && multi.Next != tt.next:
			t.Errorf("%q: second statement %q, want %q", tt.sql, multi.Next, tt.next)
		}
	}
}
