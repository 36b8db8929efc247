package people

import (
	"fmt"
	"regexp"
	"strings"
)

// postgresRole is a role name dre can use without quoting.
var postgresRole = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_$]{0,62}$`)

// bigQueryMember is an IAM member that stands for one identity or one
// managed group: user:, group: or serviceAccount: and an email.
var bigQueryMember = regexp.MustCompile(`^(user|group|serviceAccount):[^@\s]+@[^@\s]+$`)

// isEveryone reports whether principal grants to everyone, in either
// warehouse's spelling.
func isEveryone(principal string) bool {
	return strings.EqualFold(principal, "PUBLIC") || principal == "allUsers" || principal == "allAuthenticatedUsers"
}

// CheckPrincipal says what is wrong with principal as a person's
// identity on a warehouse of kind, or returns nil.
func CheckPrincipal(kind WarehouseKind, principal string) error {
	if isEveryone(principal) {
		return fmt.Errorf("%s stands for everyone, not one person; name the person's own role or member", principal)
	}
	switch kind {
	case Postgres:
		if strings.HasPrefix(strings.ToLower(principal), "pg_") {
			return fmt.Errorf("%s is one of PostgreSQL's built-in pg_ roles; name the person's own role", principal)
		}
		if !postgresRole.MatchString(principal) {
			return fmt.Errorf("want a PostgreSQL role name (letters, digits, _ and $, starting with a letter or _), got %q", principal)
		}
	case BigQuery:
		if !bigQueryMember.MatchString(principal) {
			return fmt.Errorf("want a BigQuery member like user:alice@example.com, group:team@example.com or serviceAccount:bot@project.iam.gserviceaccount.com, got %q", principal)
		}
	}
	return nil
}
