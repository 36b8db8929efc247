package bqfake

import (
	"slices"
	"strings"
	"testing"

	bq "google.golang.org/api/bigquery/v2"
)

// withTableDT returns a server with table d.t (columns a, b) and no HTTP
// side, enough to translate statements.
func withTableDT(t *testing.T) *Server {
	t.Helper()
	schema := &bq.TableSchema{Fields: []*bq.TableFieldSchema{{Name: "a", Type: "INTEGER"}, {Name: "b", Type: "STRING"}}}
	return &Server{Project: "p", Location: "US", tables: map[string]*table{"d.t": {meta: &bq.Table{Schema: schema}}}}
}

// squeeze collapses runs of spaces, which translation leaves behind.
func squeeze(s string) string { return strings.Join(strings.Fields(s), " ") }

func TestTranslate(t *testing.T) {
	cases := []struct {
		name, in, want string
		kind           string
		reads          []string
	}{
		{"qualified table, alias, quoted column, parameter",
			"SELECT COUNT(*) FROM `p.d.t` AS t WHERE t.`a` >= @from",
			`SELECT COUNT(*) FROM "p.d.t" AS t WHERE "t"."a" >= @from`, "SELECT", []string{"d.t"}},
		{"a table without alias is named by its table ID",
			"select a from p.d.t where b = \"it's\" and b != 'x\\'y'",
			`select a from "p.d.t" AS "t" where b = 'it''s' and b != 'x''y'`, "SELECT", []string{"d.t"}},
		{"dataset.table after FROM, comments dropped",
			"SELECT a -- the id\nFROM d.t /* all */ JOIN `d`.`t` u ON t.a = u.a # end",
			`SELECT a FROM "p.d.t" AS "t" JOIN "p.d.t" u ON "t"."a" = "u"."a"`, "SELECT", []string{"d.t"}},
		{"TO_JSON_STRING of a row",
			"SELECT BIT_XOR(FARM_FINGERPRINT(TO_JSON_STRING(t))) FROM `p.d.t` t",
			`SELECT BIT_XOR(FARM_FINGERPRINT(json_object('a', "t"."a", 'b', "t"."b"))) FROM "p.d.t" t`, "SELECT", []string{"d.t"}},
		{"TO_JSON_STRING of a value",
			"SELECT TO_JSON_STRING(a) FROM `p.d.t`",
			`SELECT to_json_string(a) FROM "p.d.t" AS "t"`, "SELECT", []string{"d.t"}},
		{"UNNEST of INFORMATION_SCHEMA.JOBS",
			"SELECT COUNT(*) FROM `p`.`region-us`.INFORMATION_SCHEMA.JOBS AS j, UNNEST(j.referenced_tables) AS rt WHERE rt.table_id = @t",
			`SELECT COUNT(*) FROM "INFORMATION_SCHEMA.JOBS" AS j, json_each("j"."referenced_tables") AS rt WHERE json_extract("rt".value, '$.table_id') = @t`,
			"SELECT", nil},
		{"a field of JOBS' STRUCT destination_table is not a table",
			"SELECT j.destination_table.table_id FROM `p`.`region-us`.INFORMATION_SCHEMA.JOBS AS j WHERE j.destination_table.dataset_id = @d",
			`SELECT json_extract("j"."destination_table", '$.table_id') FROM "INFORMATION_SCHEMA.JOBS" AS j WHERE json_extract("j"."destination_table", '$.dataset_id') = @d`,
			"SELECT", nil},
		{"TABLESAMPLE is dropped",
			"SELECT a FROM `p.d.t` TABLESAMPLE SYSTEM (10 PERCENT) LIMIT 5",
			`SELECT a FROM "p.d.t" AS "t" LIMIT 5`, "SELECT", []string{"d.t"}},
		{"typed literals in stored form",
			"SELECT 1 WHERE TIMESTAMP '2026-01-02 03:04:05+01' > DATE \"2026-01-02\"",
			`SELECT 1 WHERE '2026-01-02T02:04:05.000000Z' > '2026-01-02'`, "SELECT", nil},
		{"CAST types, SAFE_CAST, CURRENT_TIMESTAMP()",
			"SELECT CAST(a AS STRING) AS string, SAFE_CAST(b AS INT64), CURRENT_TIMESTAMP() FROM `p.d.t`",
			`SELECT CAST(a AS TEXT) AS string, CAST(b AS INTEGER), bq_now() FROM "p.d.t" AS "t"`, "SELECT", []string{"d.t"}},
		{"INSERT with a column list writes its table",
			"INSERT INTO `p.d.t` (a, b) VALUES (@a, @b)",
			`INSERT INTO "p.d.t" (a, b) VALUES (@a, @b)`, "INSERT", nil},
		{"WITH is a SELECT", "WITH x AS (SELECT 1 AS a) SELECT a FROM x;", "WITH x AS (SELECT 1 AS a) SELECT a FROM x;", "SELECT", nil},
		{"two statements are a script", "SELECT 1; DELETE FROM `p.d.t` WHERE true", `SELECT 1; DELETE FROM "p.d.t" AS "t" WHERE true`, "SCRIPT", []string{"d.t"}},
		{"TRUNCATE", "TRUNCATE TABLE `p.d.t`", `TRUNCATE TABLE "p.d.t"`, "TRUNCATE_TABLE", nil},
		{"CREATE TABLE AS writes, reads the SELECT's table",
			"CREATE TABLE `p.d.new` AS SELECT * FROM `p.d.t`", `CREATE TABLE "p.d.new" AS SELECT * FROM "p.d.t" AS "t"`, "CREATE_TABLE", []string{"d.t"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			st, err := withTableDT(t).translate(c.in)
			if err != nil {
				t.Fatalf("translate: %v", err)
			}
			if squeeze(st.sql) != c.want || st.kind != c.kind || !slices.Equal(st.reads, c.reads) {
				t.Errorf("got %s %q reading %v\nwant %s %q reading %v", st.kind, squeeze(st.sql), st.reads, c.kind, c.want, c.reads)
			}
		})
	}
}

func TestTranslateRefuses(t *testing.T) {
	cases := []struct {
		in     string
		reason string
	}{
		{"SELECT 'unclosed", "invalidQuery"},
		{"SELECT 1 /* unclosed", "invalidQuery"},
		{"SELECT * FROM `other.d.t`", "notFound"},
		{"SELECT * FROM `region-eu`.INFORMATION_SCHEMA.JOBS", "invalidQuery"},
		{"SELECT * FROM `p.d.t` WHERE a > TIMESTAMP 'yesterday'", "invalidQuery"},
	}
	for _, c := range cases {
		_, err := withTableDT(t).translate(c.in)
		if err == nil || err.reason != c.reason {
			t.Errorf("translate(%q) = %v, want a %s error", c.in, err, c.reason)
		}
	}
}

func TestTranslateTracksTargetsAndParameters(t *testing.T) {
	st, err := withTableDT(t).translate("INSERT INTO `p.d.t` (a, b) SELECT a, b FROM `p.d.t` WHERE a > @min AND b = @name OR a < @min")
	if err != nil {
		t.Fatal(err)
	}
	if st.target != "d.t" || !slices.Equal(st.reads, []string{"d.t"}) || !slices.Equal(st.params, []string{"min", "name"}) {
		t.Errorf("target %q, reads %v, params %v; want d.t, [d.t], [min name]", st.target, st.reads, st.params)
	}
}
