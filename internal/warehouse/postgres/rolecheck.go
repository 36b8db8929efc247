package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/dre-dev/dre/internal/warehouse"
)

// readEverything are the predefined roles whose members read (or run)
// beyond any grant; a select role in one of them is not limited.
var readEverything = []string{"pg_read_all_data", "pg_write_all_data", "pg_read_server_files", "pg_execute_server_program"}

// undeclaredShown bounds the undeclared readable tables a check lists.
const undeclaredShown = 10

// CheckSelectRole checks that role is fit to run a backfill SELECT that
// reads sources: it exists, is limited (no superuser, no BYPASSRLS, in no
// read-everything role), dre's user may take it, and it may read each
// source. It also lists a few tables the role reads that PUBLIC does not
// and that are not sources.
func (w *Warehouse) CheckSelectRole(ctx context.Context, role string, sources []warehouse.TableRef) (warehouse.RoleCheck, error) {
	var out warehouse.RoleCheck
	err := w.readTx(ctx, warehouse.DefaultTimeout, func(tx pgx.Tx) error {
		problems, err := roleProblems(ctx, tx, role)
		if err != nil || len(problems) > 0 {
			out.Problems = problems
			return err
		}
		if out.Problems, err = unreadableSources(ctx, tx, role, sources); err != nil {
			return err
		}
		out.Undeclared, err = undeclaredReads(ctx, tx, role, sources)
		return err
	})
	return out, failure("checking the select role", warehouse.TableRef{}, "to read pg_roles", err)
}

// roleProblems says what makes role unfit as a limited reader.
func roleProblems(ctx context.Context, tx pgx.Tx, role string) ([]string, error) {
	var exists, super, bypass, takeable, temp bool
	var broad []string
	err := tx.QueryRow(ctx, `SELECT true, r.rolsuper, r.rolbypassrls,
		pg_has_role(current_user, r.oid, 'MEMBER') OR (SELECT rolsuper FROM pg_roles WHERE rolname = current_user),
		has_database_privilege(r.oid, current_database(), 'TEMPORARY'),
		ARRAY(SELECT b FROM unnest($2::text[]) AS b WHERE NOT r.rolsuper AND to_regrole(b) IS NOT NULL AND pg_has_role(r.oid, to_regrole(b), 'USAGE'))
		FROM pg_roles r WHERE r.rolname = $1`, role, readEverything).Scan(&exists, &super, &bypass, &takeable, &temp, &broad)
	if err == pgx.ErrNoRows {
		return []string{fmt.Sprintf("role %s does not exist; CREATE ROLE %s and GRANT it SELECT on the upstream tables", role, role)}, nil
	}
	if err != nil {
		return nil, err
	}
	var out []string
	if super {
		out = append(out, fmt.Sprintf("role %s is a superuser, which reads everything; use a role without SUPERUSER", role))
	}
	if bypass {
		out = append(out, fmt.Sprintf("role %s bypasses row-level security; ALTER ROLE %s NOBYPASSRLS", role, role))
	}
	for _, b := range broad {
		out = append(out, fmt.Sprintf("role %s has the privileges of %s, which reads beyond any grant; REVOKE %s FROM %s", role, b, b, role))
	}
	if !takeable {
		out = append(out, fmt.Sprintf("dre's warehouse user cannot act as role %s; GRANT %s TO the user in dre's DSN", role, role))
	}
	if !temp {
		out = append(out, fmt.Sprintf("role %s may not use temporary tables, where dre stages its rows; GRANT TEMPORARY ON DATABASE to %s", role, role))
	}
	return out, nil
}

// unreadableSources lists the sources role may not read, with the grant
// that fixes each.
func unreadableSources(ctx context.Context, tx pgx.Tx, role string, sources []warehouse.TableRef) ([]string, error) {
	var out []string
	for _, s := range sources {
		var found, usage, sel bool
		err := tx.QueryRow(ctx, `SELECT to_regclass($2) IS NOT NULL,
			COALESCE(has_schema_privilege($1, (SELECT oid FROM pg_namespace WHERE nspname = $3), 'USAGE'), false),
			to_regclass($2) IS NOT NULL AND has_any_column_privilege($1, to_regclass($2), 'SELECT')`,
			role, ident(s), s.Schema).Scan(&found, &usage, &sel)
		switch {
		case err != nil:
			return nil, err
		case !found:
			out = append(out, fmt.Sprintf("declared source %s does not exist; correct upstream: in dre.yaml", s))
		case !usage:
			out = append(out, fmt.Sprintf("role %s may not use schema %s; GRANT USAGE ON SCHEMA %s TO %s", role, s.Schema, s.Schema, role))
		case !sel:
			out = append(out, fmt.Sprintf("role %s may not read declared source %s; GRANT SELECT ON %s TO %s", role, s, s, role))
		}
	}
	return out, nil
}

// undeclaredReads lists a few tables and views role may read that PUBLIC
// may not and that are not among sources.
func undeclaredReads(ctx context.Context, tx pgx.Tx, role string, sources []warehouse.TableRef) ([]string, error) {
	declared := make([]string, len(sources))
	for i, s := range sources {
		declared[i] = s.String()
	}
	rows, err := tx.Query(ctx, `SELECT n.nspname || '.' || c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f') AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'
			AND n.nspname NOT LIKE 'pg_temp%' AND has_schema_privilege($1, n.oid, 'USAGE') AND has_any_column_privilege($1, c.oid, 'SELECT')
			AND NOT has_any_column_privilege('public', c.oid, 'SELECT') AND NOT (n.nspname || '.' || c.relname = ANY($2))
		ORDER BY 1 LIMIT $3`, role, declared, undeclaredShown)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[string])
}
