package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/dre-dev/dre/internal/warehouse"
)

// aclsSQL reads the ACLs of many tables, their owners and the superusers
// in one statement, so that reconciling a thousand tables costs a few
// round trips rather than thousands. Like grantsSQL it reads the ACLs
// themselves (all roles, not only the caller's), spelling out a NULL ACL
// with acldefault. Rows of kind 's' are superusers; 't' table privileges;
// 'c' column privileges.
const aclsSQL = `
WITH want AS (
  SELECT s, t FROM unnest($1::text[], $2::text[]) AS w(s, t)
), rel AS (
  SELECT w.s, w.t, c.oid, c.relacl, c.relowner
  FROM want w
  JOIN pg_namespace n ON n.nspname = w.s
  JOIN pg_class c ON c.relnamespace = n.oid AND c.relname = w.t AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
)
SELECT 's', '', '', '', rolname::text, '', '' FROM pg_roles WHERE rolsuper
UNION ALL
SELECT 't', r.s, r.t, pg_get_userbyid(r.relowner)::text,
  CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE pg_get_userbyid(a.grantee)::text END, a.privilege_type, ''
FROM rel r, aclexplode(coalesce(r.relacl, acldefault('r', r.relowner))) AS a
UNION ALL
SELECT 'c', r.s, r.t, pg_get_userbyid(r.relowner)::text,
  CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE pg_get_userbyid(a.grantee)::text END, a.privilege_type, att.attname::text
FROM rel r
JOIN pg_attribute att ON att.attrelid = r.oid AND att.attnum > 0 AND NOT att.attisdropped,
  aclexplode(att.attacl) AS a`

// ACLs reads the owner and every table- and column-level privilege of
// each table, and the superusers, in one statement. A table that does not
// exist comes back Missing rather than failing the others.
func (w *Warehouse) ACLs(ctx context.Context, refs []warehouse.TableRef) (warehouse.ACLs, error) {
	schemas, tables := make([]string, len(refs)), make([]string, len(refs))
	for i, ref := range refs {
		if err := ref.Validate(); err != nil {
			return warehouse.ACLs{}, err
		}
		schemas[i], tables[i] = ref.Schema, ref.Table
	}
	var out warehouse.ACLs
	byRef := map[warehouse.TableRef]*warehouse.TableACL{}
	err := w.readTx(ctx, warehouse.DefaultTimeout, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, aclsSQL, schemas, tables)
		if err != nil {
			return err
		}
		var kind, owner string
		var g warehouse.Grant
		_, err = pgx.ForEachRow(rows, []any{&kind, &g.Table.Schema, &g.Table.Table, &owner, &g.Principal, &g.Privilege, &g.Column}, func() error {
			if kind == "s" {
				out.Superusers = append(out.Superusers, g.Principal)
				return nil
			}
			acl := byRef[g.Table]
			if acl == nil {
				acl = &warehouse.TableACL{Table: g.Table, Owner: owner}
				byRef[g.Table] = acl
			}
			acl.Grants = append(acl.Grants, g)
			return nil
		})
		return err
	})
	if err != nil {
		return warehouse.ACLs{}, failure("reading the ACLs of tables", warehouse.TableRef{}, "", err)
	}
	for _, ref := range refs {
		if acl := byRef[ref]; acl != nil {
			out.Tables = append(out.Tables, *acl)
			continue
		}
		out.Tables = append(out.Tables, warehouse.TableACL{Table: ref, Missing: true})
	}
	return out, nil
}
