package postgres

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"

	"github.com/jackc/pgx/v5"

	"github.com/dre-dev/dre/internal/warehouse"
)

// statementReads is what pg_stat_statements says of a table's readers.
type statementReads struct {
	calls   int64    // calls of statements that read the table, by anyone
	readers []string // the roles that ran them, dre's own user left out
}

// insufficientPrivilege is the text pg_stat_statements shows instead of
// another role's statement to a user without pg_read_all_stats.
const insufficientPrivilege = "<insufficient privilege>"

// statementsReading sums the calls of the statements in pg_stat_statements
// that read the table, when the extension is installed in this database
// (zero and no error when it is not: the scan counters still count). A
// log that is installed but cannot be read (not preloaded, or hiding other
// roles' statements from dre's user) is a UsageUnreadableError.
func statementsReading(ctx context.Context, q querier, ref warehouse.TableRef) (statementReads, error) {
	var schema string
	err := q.QueryRow(ctx, `SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
		WHERE e.extname = 'pg_stat_statements'`).Scan(&schema)
	if errors.Is(err, pgx.ErrNoRows) {
		return statementReads{}, nil
	}
	if err != nil {
		return statementReads{}, err
	}
	rows, err := q.Query(ctx, fmt.Sprintf(`SELECT coalesce(r.rolname, ''), r.rolname = current_user, coalesce(s.query, ''), s.calls
		FROM %s.pg_stat_statements AS s LEFT JOIN pg_roles AS r ON r.oid = s.userid
		WHERE s.dbid = (SELECT oid FROM pg_database WHERE datname = current_database())`, pgx.Identifier{schema}.Sanitize()))
	if err != nil {
		return statementReads{}, &warehouse.UsageUnreadableError{Source: "pg_stat_statements", Err: err}
	}
	var out statementReads
	reads := readsTable(ref)
	var role, query string
	var self bool
	var calls int64
	_, err = pgx.ForEachRow(rows, []any{&role, &self, &query, &calls}, func() error {
		if query == insufficientPrivilege {
			return errors.New("dre's user cannot see other roles' statements: grant it pg_read_all_stats")
		}
		if !reads(query) {
			return nil
		}
		out.calls += calls
		if !self && role != "" && !slices.Contains(out.readers, role) {
			out.readers = append(out.readers, role)
		}
		return nil
	})
	if err != nil {
		return statementReads{}, &warehouse.UsageUnreadableError{Source: "pg_stat_statements", Err: err}
	}
	slices.Sort(out.readers)
	return out, nil
}

// readsTable returns whether a statement's text reads the table. The rule
// errs towards counting, the safe side for a usage gate, while leaving out
// the plain false positives:
//   - the schema-qualified name counts wherever it appears, as a whole
//     name (public.orders, "public"."orders"; not public.orders_archive),
//     except as the target of a write or DDL (INSERT INTO, UPDATE,
//     DELETE FROM, MERGE INTO, TRUNCATE, COPY, ALTER/CREATE/DROP TABLE,
//     LOCK, GRANT/COMMENT ... ON), which reads nothing from it;
//   - the bare name counts only for tables in public (the default
//     search_path) and only right after FROM, JOIN, USING or a comma, so
//     a column or alias of the same name does not;
//   - string constants are no risk: pg_stat_statements has replaced them
//     with $n parameters. A comment naming the table still counts.
func readsTable(ref warehouse.TableRef) func(string) bool {
	name := `"?` + regexp.QuoteMeta(ref.Table) + `"?`
	qualified := `"?` + regexp.QuoteMeta(ref.Schema) + `"?\s*\.\s*` + name
	anyName := qualified
	if ref.Schema == "public" {
		anyName = `(?:` + qualified + `|` + name + `)`
	}
	const end = `(?:[^a-z0-9_$"]|$)`
	writes := regexp.MustCompile(`(?i)(?:^|[^a-z0-9_$])(?:insert\s+into|update|delete\s+from|merge\s+into|truncate(?:\s+table)?|copy|lock(?:\s+table)?|on|(?:alter|create|drop)\s+table(?:\s+if\s+(?:not\s+)?exists)?)\s+(?:only\s+)?` + anyName + end)
	qualifiedRef := regexp.MustCompile(`(?i)(?:^|[^a-z0-9_$."])` + qualified + end)
	bareRef := regexp.MustCompile(`(?i)(?:\bfrom|\bjoin|\busing|,)\s+(?:only\s+)?` + name + end)
	return func(query string) bool {
		rest := writes.ReplaceAllString(query, " ")
		return qualifiedRef.MatchString(rest) || (ref.Schema == "public" && bareRef.MatchString(rest))
	}
}
