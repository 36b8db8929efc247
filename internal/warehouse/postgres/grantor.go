package postgres

import (
	"context"
	"errors"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/dre-dev/dre/internal/warehouse"
)

// grantorsSQL finds the roles other than dre's user that granted a
// privilege to a grantee on a table (when $4 is empty) or on column $4, and
// whether dre's user is a member of each, and so may act as it.
const grantorsSQL = `
WITH acl AS (
  SELECT relacl AS acl FROM pg_class WHERE oid = $1 AND $4::text = ''
  UNION ALL
  SELECT attacl FROM pg_attribute WHERE attrelid = $1 AND attname::text = $4::text AND $4::text <> ''
)
SELECT DISTINCT pg_get_userbyid(a.grantor)::text, pg_has_role(current_user, a.grantor, 'MEMBER')
FROM acl, aclexplode(acl.acl) AS a
WHERE a.privilege_type = $3::text
  AND a.grantee = CASE WHEN $2::text = 'PUBLIC' THEN 0 ELSE (SELECT oid FROM pg_roles WHERE rolname::text = $2::text) END
  AND a.grantor <> (SELECT oid FROM pg_roles WHERE rolname = current_user)
ORDER BY 1`

// grantor is a role that granted a privilege dre's REVOKE left in place.
type grantor struct {
	name   string
	member bool // dre's user is a member of it
}

// revokeAsGrantors revokes, as each role that granted it, a privilege
// dre's own REVOKE left in place: PostgreSQL takes away only the grants
// the revoking role made. For each grantor dre's user is a member of it
// runs SET ROLE, the REVOKE and RESET ROLE in the caller's transaction,
// under a savepoint, so that a grantor it may not act as (a PostgreSQL 16
// membership without SET) leaves the others revoked. It then checks the
// ACL again; what is left is a *warehouse.GrantorError naming the
// grantors dre could not act as.
func revokeAsGrantors(ctx context.Context, tx pgx.Tx, g warehouse.Grant, oid uint32, stmt string) error {
	found, err := grantorsOf(ctx, tx, g, oid)
	if err != nil {
		return err
	}
	var refused []string
	for _, gr := range found {
		if !gr.member || revokeAs(ctx, tx, gr.name, stmt) != nil {
			refused = append(refused, gr.name)
		}
	}
	err = checkGrant(ctx, tx, g, oid, false)
	if left, ok := errors.AsType[*warehouse.GrantorError](err); ok {
		left.Grantors = refused
	}
	return err
}

// grantorsOf lists the other roles that granted g.
func grantorsOf(ctx context.Context, q querier, g warehouse.Grant, oid uint32) ([]grantor, error) {
	rows, err := q.Query(ctx, grantorsSQL, oid, principalName(g.Principal), strings.ToUpper(g.Privilege), g.Column)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (grantor, error) {
		var gr grantor
		return gr, row.Scan(&gr.name, &gr.member)
	})
}

// revokeAs runs stmt as role inside a savepoint, rolled back on failure.
func revokeAs(ctx context.Context, tx pgx.Tx, role, stmt string) error {
	sp, err := tx.Begin(ctx)
	if err != nil {
		return err
	}
	for _, s := range []string{"SET LOCAL ROLE " + quote(role), stmt, "RESET ROLE"} {
		if _, err = sp.Exec(ctx, s); err != nil {
			return errors.Join(err, sp.Rollback(ctx))
		}
	}
	return sp.Commit(ctx)
}
