package postgres_test

import (
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/dre-dev/dre/internal/warehouse"
)

// A SELECT another role granted is revoked as that role when dre's user
// is a member of it, and left and reported, naming the grantor, when not.
func TestRevokeAsAnotherGrantor(t *testing.T) {
	f := newFixture(t)
	ref := f.ordersTable(t)
	for _, member := range []bool{true, false} {
		t.Run(fmt.Sprintf("member=%v", member), func(t *testing.T) {
			n := roleSeq.Add(1)
			granter := fmt.Sprintf("granter_%d", n)
			exec(t, f.admin, fmt.Sprintf("CREATE ROLE %s; GRANT USAGE ON SCHEMA %s TO %s; GRANT SELECT ON %s.%s TO %s WITH GRANT OPTION",
				granter, ref.Schema, granter, ref.Schema, ref.Table, granter))
			exec(t, f.admin, fmt.Sprintf("SET ROLE %s; GRANT SELECT ON %s.%s TO %s; RESET ROLE", granter, ref.Schema, ref.Table, f.a))
			if member {
				exec(t, f.admin, fmt.Sprintf("GRANT %s TO %s", granter, f.user))
			}
			g := warehouse.Grant{Table: ref, Principal: f.a, Privilege: "SELECT"}
			err := f.w.Revoke(t.Context(), g)
			held, lerr := f.w.Grants(t.Context(), ref)
			if lerr != nil {
				t.Fatal(lerr)
			}
			still := slices.Contains(held, g)
			other, isGrantor := errors.AsType[*warehouse.GrantorError](err)
			switch {
			case member && (err != nil || still):
				t.Fatalf("dre is a member of %s: Revoke = %v, still held %v; want revoked", granter, err, still)
			case !member && (!isGrantor || !still || !slices.Equal(other.Grantors, []string{granter})):
				t.Fatalf("dre is no member of %s: Revoke = %v, still held %v; want a GrantorError naming it and the grant left", granter, err, still)
			}
			if !member {
				exec(t, f.admin, fmt.Sprintf("REVOKE SELECT ON %s.%s FROM %s CASCADE", ref.Schema, ref.Table, granter))
			}
		})
	}
}

// A column privilege another role granted is revoked as that role too.
func TestRevokeColumnAsAnotherGrantor(t *testing.T) {
	f := newFixture(t)
	ref := f.ordersTable(t)
	granter := fmt.Sprintf("granter_%d", roleSeq.Add(1))
	exec(t, f.admin, fmt.Sprintf("CREATE ROLE %s; GRANT USAGE ON SCHEMA %s TO %s; GRANT SELECT (email) ON %s.%s TO %s WITH GRANT OPTION; GRANT %s TO %s",
		granter, ref.Schema, granter, ref.Schema, ref.Table, granter, granter, f.user))
	exec(t, f.admin, fmt.Sprintf("SET ROLE %s; GRANT SELECT (email) ON %s.%s TO %s; RESET ROLE", granter, ref.Schema, ref.Table, f.b))
	g := warehouse.Grant{Table: ref, Principal: f.b, Privilege: "SELECT", Column: "email"}
	if err := f.w.Revoke(t.Context(), g); err != nil {
		t.Fatalf("Revoke of %s's column grant by %s = %v; want it revoked as %s", f.b, granter, err, granter)
	}
	held, err := f.w.Grants(t.Context(), ref)
	if err != nil || slices.Contains(held, g) {
		t.Fatalf("after the revocation: grants %+v (%v); want %s's SELECT (email) gone", held, err, f.b)
	}
}
