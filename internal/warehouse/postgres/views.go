package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/dre-dev/dre/internal/warehouse"
)

// viewDependencies lists what each view and materialized view reads. A
// view's query is stored as a rewrite rule (pg_rewrite), and pg_depend
// records one row per column of each relation the rule uses, hence the
// DISTINCT. System schemas and a view's dependency on itself are left out.
const viewDependencies = `
SELECT DISTINCT vn.nspname, v.relname, tn.nspname, t.relname
FROM pg_depend d
JOIN pg_rewrite r ON r.oid = d.objid
JOIN pg_class v ON v.oid = r.ev_class
JOIN pg_namespace vn ON vn.oid = v.relnamespace
JOIN pg_class t ON t.oid = d.refobjid
JOIN pg_namespace tn ON tn.oid = t.relnamespace
WHERE d.classid = 'pg_rewrite'::regclass
  AND d.refclassid = 'pg_class'::regclass
  AND d.deptype = 'n'
  AND v.oid <> t.oid
  AND v.relkind IN ('v', 'm')
  AND t.relkind IN ('r', 'p', 'v', 'm', 'f')
  AND vn.nspname NOT IN ('pg_catalog', 'information_schema')
  AND vn.nspname NOT LIKE 'pg\_toast%'
ORDER BY 1, 2, 3, 4`

// ViewDependencies returns what every view and materialized view of the
// database reads, as the catalog records it: the lineage the warehouse
// knows without being told. Only views the connected user can see in
// pg_class are listed.
func (w *Warehouse) ViewDependencies(ctx context.Context) ([]warehouse.Dependency, error) {
	var deps []warehouse.Dependency
	err := w.readTx(ctx, warehouse.DefaultTimeout, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, viewDependencies)
		if err != nil {
			return err
		}
		var d warehouse.Dependency
		_, err = pgx.ForEachRow(rows, []any{&d.Reader.Schema, &d.Reader.Table, &d.Read.Schema, &d.Read.Table}, func() error {
			deps = append(deps, d)
			return nil
		})
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("reading view dependencies from pg_depend: %w", err)
	}
	return deps, nil
}
