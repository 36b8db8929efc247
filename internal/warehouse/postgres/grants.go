package postgres

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/dre-dev/dre/internal/warehouse"
)

// grantsSQL lists every privilege on a table and its columns from the
// access control lists themselves. information_schema's views would show
// only the grants of roles the connecting user belongs to; the ACLs show
// all. A table whose ACL was never changed has a NULL one, meaning the
// owner's defaults, which acldefault spells out. Grantee 0 is PUBLIC.
const grantsSQL = `
SELECT CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE pg_get_userbyid(a.grantee)::text END, a.privilege_type, ''
FROM pg_class c, aclexplode(coalesce(c.relacl, acldefault('r', c.relowner))) AS a
WHERE c.oid = $1
UNION
SELECT CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE pg_get_userbyid(a.grantee)::text END, a.privilege_type, att.attname::text
FROM pg_attribute att, aclexplode(att.attacl) AS a
WHERE att.attrelid = $1 AND att.attnum > 0 AND NOT att.attisdropped
ORDER BY 3, 1, 2`

// Privileges PostgreSQL grants on tables, and the subset it grants on
// columns. MAINTAIN exists from PostgreSQL 17, whose owners hold it: a
// table's metadata read there lists it, and Restore grants it back.
var (
	tablePrivileges  = []string{"SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE", "REFERENCES", "TRIGGER", "MAINTAIN"}
	columnPrivileges = []string{"SELECT", "INSERT", "UPDATE", "REFERENCES"}
)

// Grants lists every table- and column-level privilege on a table, for
// every role, the owner's included.
func (w *Warehouse) Grants(ctx context.Context, ref warehouse.TableRef) ([]warehouse.Grant, error) {
	if err := ref.Validate(); err != nil {
		return nil, err
	}
	var out []warehouse.Grant
	err := w.readTx(ctx, warehouse.DefaultTimeout, func(tx pgx.Tx) error {
		oid, err := relation(ctx, tx, ref)
		if err != nil {
			return err
		}
		out, err = grants(ctx, tx, ref, oid)
		return err
	})
	return out, failure("listing the grants on", ref, "", err)
}

func grants(ctx context.Context, q querier, ref warehouse.TableRef, oid uint32) ([]warehouse.Grant, error) {
	rows, err := q.Query(ctx, grantsSQL, oid)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (warehouse.Grant, error) {
		g := warehouse.Grant{Table: ref}
		return g, row.Scan(&g.Principal, &g.Privilege, &g.Column)
	})
}

// Grant gives a privilege, then checks the ACL holds it. Granting what is
// held already is a no-op in PostgreSQL.
func (w *Warehouse) Grant(ctx context.Context, g warehouse.Grant) error {
	return w.changeGrant(ctx, g, true)
}

// Revoke takes a privilege away, then checks the ACL no longer holds it.
// PostgreSQL revokes only what the current user granted: a privilege
// another role granted is revoked as that role where dre's user is a
// member of it, and reported (*warehouse.GrantorError) where it is not.
func (w *Warehouse) Revoke(ctx context.Context, g warehouse.Grant) error {
	return w.changeGrant(ctx, g, false)
}

func (w *Warehouse) changeGrant(ctx context.Context, g warehouse.Grant, give bool) error {
	stmt, err := grantStatement(g, give)
	if err != nil {
		return err
	}
	err = w.writeTx(ctx, warehouse.DefaultTimeout, func(tx pgx.Tx) error {
		oid, err := relation(ctx, tx, g.Table)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, stmt); err != nil {
			return err
		}
		err = checkGrant(ctx, tx, g, oid, give)
		if give || !errors.As(err, new(*warehouse.GrantorError)) {
			return err
		}
		return revokeAsGrantors(ctx, tx, g, oid, stmt)
	})
	return failure("changing a grant on", g.Table, "ownership of "+g.Table.String()+" or the privilege WITH GRANT OPTION", err)
}

// checkGrant verifies, inside the transaction, that the ACL now matches.
func checkGrant(ctx context.Context, q querier, g warehouse.Grant, oid uint32, give bool) error {
	held, err := grants(ctx, q, g.Table, oid)
	if err != nil {
		return err
	}
	want := warehouse.Grant{Table: g.Table, Principal: principalName(g.Principal), Privilege: strings.ToUpper(g.Privilege), Column: g.Column}
	switch has := slices.Contains(held, want); {
	case give && !has:
		return fmt.Errorf("GRANT ran but %s does not hold %s", want.Principal, want.Privilege)
	case !give && has:
		return &warehouse.GrantorError{Principal: want.Principal, Privilege: want.Privilege, Table: want.Table}
	}
	return nil
}

// grantStatement validates a grant and builds its GRANT or REVOKE.
func grantStatement(g warehouse.Grant, give bool) (string, error) {
	if err := g.Table.Validate(); err != nil {
		return "", err
	}
	if err := warehouse.ValidIdentifier(g.Principal); err != nil {
		return "", err
	}
	priv, allowed := strings.ToUpper(g.Privilege), tablePrivileges
	target := priv
	if g.Column != "" {
		if err := warehouse.ValidIdentifier(g.Column); err != nil {
			return "", err
		}
		allowed, target = columnPrivileges, fmt.Sprintf("%s (%s)", priv, quote(g.Column))
	}
	if !slices.Contains(allowed, priv) {
		return "", fmt.Errorf("privilege %q: want one of %s", g.Privilege, strings.Join(allowed, ", "))
	}
	grantee := quote(g.Principal)
	if principalName(g.Principal) == "PUBLIC" {
		grantee = "PUBLIC"
	}
	if give {
		return fmt.Sprintf("GRANT %s ON TABLE %s TO %s", target, ident(g.Table), grantee), nil
	}
	return fmt.Sprintf("REVOKE %s ON TABLE %s FROM %s", target, ident(g.Table), grantee), nil
}

// principalName is how Grants names a principal: PUBLIC, the pseudo-role
// of every role, in upper case as PostgreSQL writes it; roles as they are.
func principalName(p string) string {
	if strings.EqualFold(p, "public") {
		return "PUBLIC"
	}
	return p
}
