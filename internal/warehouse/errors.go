package warehouse

import (
	"fmt"
	"regexp"
	"strings"
)

// NotFoundError says a table (or column, or principal) does not exist.
// Activities turn it into a non-retryable failure: waiting will not create it.
type NotFoundError struct {
	// Kind is "table", "column", "principal" or "snapshot".
	Kind string
	Name string
}

func (e *NotFoundError) Error() string {
	return fmt.Sprintf("%s %s does not exist", e.Kind, e.Name)
}

// PermissionError says the warehouse refused an operation for lack of a
// privilege, and names it so the message says what to grant.
type PermissionError struct {
	// Privilege is what is missing, e.g. "SELECT on public.orders" or
	// "bigquery.tables.update".
	Privilege string
	Err       error
}

func (e *PermissionError) Error() string {
	return fmt.Sprintf("permission denied: dre's warehouse user needs %s", e.Privilege)
}

func (e *PermissionError) Unwrap() error { return e.Err }

// InvalidIdentifierError rejects a name before any SQL is sent.
type InvalidIdentifierError struct {
	Name string
}

func (e *InvalidIdentifierError) Error() string {
	return fmt.Sprintf("invalid identifier %q: use ASCII letters, digits and underscores, starting with a letter or underscore, at most 63 characters", e.Name)
}

// identifierPattern is deliberately ASCII-only: look-alike Unicode letters
// (a Cyrillic "о" in "оrders") would name a different table than the one the
// reader sees.
var identifierPattern = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]{0,62}$`)

// ValidIdentifier checks a schema, table, column or role name.
func ValidIdentifier(name string) error {
	if !identifierPattern.MatchString(name) {
		return &InvalidIdentifierError{Name: name}
	}
	return nil
}

// Validate checks both parts of a table reference.
func (r TableRef) Validate() error {
	if err := ValidIdentifier(r.Schema); err != nil {
		return err
	}
	return ValidIdentifier(r.Table)
}

// GrantorError says a revocation left the privilege in place because
// another role granted it, and only that role (or one acting as it) can
// revoke it. Retrying changes nothing, so activities report it at once.
type GrantorError struct {
	Principal, Privilege string
	Table                TableRef
	// Grantors are the roles that granted it and that dre's user may not
	// act as, when the warehouse says (PostgreSQL).
	Grantors []string
}

func (e *GrantorError) Error() string {
	if len(e.Grantors) == 0 {
		return fmt.Sprintf("%s still holds %s on %s: another role granted it; revoke it as that role", e.Principal, e.Privilege, e.Table)
	}
	who := strings.Join(e.Grantors, ", ")
	return fmt.Sprintf("%s still holds %s on %s: another role granted it (%s), and dre's user is not a member of it; revoke it as %s, or grant %s to dre's user so dre can",
		e.Principal, e.Privilege, e.Table, who, who, who)
}

// RefusedGrantError says the warehouse refused a grant or a revocation
// as invalid: an IAM member that does not exist, a role that does not
// apply to the resource, a column BigQuery cannot grant on its own.
// Retrying changes nothing.
type RefusedGrantError struct {
	Grant  Grant
	Reason string
	Err    error
}

func (e *RefusedGrantError) Error() string {
	return fmt.Sprintf("%s for %s on %s refused: %s", e.Grant.Privilege, e.Grant.Principal, e.Grant.Table, e.Reason)
}

func (e *RefusedGrantError) Unwrap() error { return e.Err }

// UsageUnreadableError says one source of a table's reads (a job history,
// a replica, a statement log) could not be read, so the reads counted are
// a lower bound. The deprecation usage gate holds on it rather than take
// the missing part for zero.
type UsageUnreadableError struct {
	// Source names what could not be read, e.g.
	// "`p`.`region-eu`.INFORMATION_SCHEMA.JOBS" or "replica 2".
	Source string
	Err    error
}

func (e *UsageUnreadableError) Error() string {
	return fmt.Sprintf("the reads in %s could not be read: %v", e.Source, e.Err)
}

func (e *UsageUnreadableError) Unwrap() error { return e.Err }

// RoleDeniedError says a backfill SELECT read something its select role
// may not read (catalog backfill.select_role): the limit doing its job.
type RoleDeniedError struct {
	Role string
	Err  error
}

func (e *RoleDeniedError) Error() string {
	return fmt.Sprintf("the backfill SELECT runs as role %s, which may not read what it asks for (%v); "+
		"read only the dataset's upstream tables, or declare the table under upstream: in dre.yaml and GRANT SELECT on it TO %s", e.Role, e.Err, e.Role)
}

func (e *RoleDeniedError) Unwrap() error { return e.Err }
