package postgres

import (
	"reflect"
	"strings"
	"testing"
)

func TestBindParams(t *testing.T) {
	params := map[string]any{"a": 1, "b": "two", "from": 3, "to": 4}
	cases := []struct {
		name string
		sql  string
		want string
		args []any
	}{
		{"plain", "SELECT * FROM t WHERE x = @a AND y = @b", "SELECT * FROM t WHERE x = $1 AND y = $2", []any{1, "two"}},
		{"reused name binds once", "SELECT @a, @b, @a", "SELECT $1, $2, $1", []any{1, "two"}},
		{"order of first use", "SELECT @b, @a", "SELECT $1, $2", []any{"two", 1}},
		{"unused params ignored", "SELECT 1", "SELECT 1", nil},
		{"string literal", "SELECT '@a', @b", "SELECT '@a', $1", []any{"two"}},
		{"doubled quote in literal", "SELECT 'it''s @a', @b", "SELECT 'it''s @a', $1", []any{"two"}},
		{"escape string", `SELECT E'\'@a', @b`, `SELECT E'\'@a', $1`, []any{"two"}},
		{"backslash in standard string", `SELECT 'C:\', @b`, `SELECT 'C:\', $1`, []any{"two"}},
		{"quoted identifier", `SELECT "@a" FROM t WHERE x = @b`, `SELECT "@a" FROM t WHERE x = $1`, []any{"two"}},
		{"doubled quote in identifier", `SELECT "a""@a" , @b`, `SELECT "a""@a" , $1`, []any{"two"}},
		{"line comment", "SELECT @a -- not @b\n, @b", "SELECT $1 -- not @b\n, $2", []any{1, "two"}},
		{"nested block comment", "SELECT /* @a /* @a */ @a */ @b", "SELECT /* @a /* @a */ @a */ $1", []any{"two"}},
		{"dollar quote", "SELECT $$@a$$, $x$ '@a' $x$, @b", "SELECT $$@a$$, $x$ '@a' $x$, $1", []any{"two"}},
		{"cast after parameter", "SELECT @a::int, x::text", "SELECT $1::int, x::text", []any{1}},
		{"operators", "SELECT @-5, x @> y, @a", "SELECT @-5, x @> y, $1", []any{1}},
		{"dollar in identifier", "SELECT a$1 FROM t WHERE x = @a", "SELECT a$1 FROM t WHERE x = $1", []any{1}},
		{"unicode around", "SELECT 'é@a', @b AS ünï", "SELECT 'é@a', $1 AS ünï", []any{"two"}},
		{"partition bounds", "SELECT * FROM s WHERE d >= @from AND d < @to", "SELECT * FROM s WHERE d >= $1 AND d < $2", []any{3, 4}},
		{"unterminated literal", "SELECT '@a", "SELECT '@a", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, args, err := bindParams(c.sql, params)
			if err != nil {
				t.Fatalf("bindParams(%q): %v", c.sql, err)
			}
			if got != c.want || !reflect.DeepEqual(args, c.args) {
				t.Errorf("bindParams(%q) = %q, %v; want %q, %v", c.sql, got, args, c.want, c.args)
			}
		})
	}
}

func TestBindParamsErrors(t *testing.T) {
	for _, c := range []struct{ sql, want string }{
		{"SELECT @missing", "@missing"},
		{"SELECT $1", "positional"},
		{"SELECT x FROM t WHERE y = $2 AND z = @a", "positional"},
	} {
		_, _, err := bindParams(c.sql, map[string]any{"a": 1})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("bindParams(%q): error %v, want one mentioning %q", c.sql, err, c.want)
		}
	}
}

func TestFirstKeyword(t *testing.T) {
	for sql, want := range map[string]string{
		"select 1":                        "SELECT",
		"  \n-- hi\n/* a /* b */ */ WITH": "WITH",
		"((SELECT 1))":                    "SELECT",
		"DELETE FROM t":                   "DELETE",
		"":                                "",
		"-- only a comment":               "",
	} {
		if got := firstKeyword(sql); got != want {
			t.Errorf("firstKeyword(%q) = %q, want %q", sql, got, want)
		}
	}
}

func TestColumnComment(t *testing.T) {
	for _, c := range []struct{ comment, kind, human string }{
		{"pii:email", "email", ""},
		{"pii:email\nWork address", "email", "Work address"},
		{"Work address", "", "Work address"},
		{"pii:not a kind", "", "pii:not a kind"},
		{"", "", ""},
	} {
		kind, human := splitColumnComment(c.comment)
		if kind != c.kind || human != c.human {
			t.Errorf("splitColumnComment(%q) = %q, %q; want %q, %q", c.comment, kind, human, c.kind, c.human)
		}
		if c.kind != "" || c.comment == "" {
			if back := joinColumnComment(kind, human); back != c.comment {
				t.Errorf("joinColumnComment(%q, %q) = %q, want %q", kind, human, back, c.comment)
			}
		}
	}
}

func TestFormatChecksum(t *testing.T) {
	for sum, want := range map[string]string{
		"0":                     "0000000000000000",
		"255":                   "00000000000000ff",
		"-1":                    "ffffffffffffffff",
		"18446744073709551617":  "0000000000000001", // 2^64 + 1
		"-18446744073709551616": "0000000000000000",
	} {
		got, err := formatChecksum(sum)
		if err != nil || got != want {
			t.Errorf("formatChecksum(%s) = %q, %v; want %q", sum, got, err, want)
		}
	}
	if _, err := formatChecksum("1.5"); err == nil {
		t.Error("formatChecksum(1.5): no error")
	}
}
