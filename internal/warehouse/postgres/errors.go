package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/dre-dev/dre/internal/warehouse"
)

// timeoutError is a statement cancelled by its statement_timeout. It is
// context.DeadlineExceeded for errors.Is, like a timeout on the client
// side, so callers handle both the same way.
type timeoutError struct {
	err error
}

func (e *timeoutError) Error() string {
	return "statement timed out: " + e.err.Error()
}

func (e *timeoutError) Unwrap() error { return e.err }

func (e *timeoutError) Is(target error) bool { return target == context.DeadlineExceeded }

// failure turns err into the contract's error types where one applies
// (*warehouse.NotFoundError, *warehouse.PermissionError, a timeout), and
// otherwise says what dre was doing. need names the privilege the
// operation requires, for a permission error. pgx's errors never carry
// the DSN's password, and nothing here adds the DSN.
func failure(op string, ref warehouse.TableRef, need string, err error) error {
	if err == nil {
		return nil
	}
	if errors.As(err, new(*warehouse.RoleDeniedError)) {
		return err // the select role's limit, not a grant dre's user lacks
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		if typed := typedError(pgErr, ref, need); typed != nil {
			return typed
		}
	}
	// Errors dre raised itself are already typed and named.
	if errors.As(err, new(*warehouse.NotFoundError)) || errors.As(err, new(*warehouse.PermissionError)) ||
		errors.As(err, new(*warehouse.InvalidIdentifierError)) || errors.As(err, new(*warehouse.GrantorError)) {
		return err
	}
	if ref == (warehouse.TableRef{}) {
		return fmt.Errorf("%s: %w", op, err)
	}
	return fmt.Errorf("%s %s: %w", op, ref, err)
}

// typedError maps PostgreSQL's SQLSTATE codes to the contract's errors,
// or returns nil.
func typedError(pgErr *pgconn.PgError, ref warehouse.TableRef, need string) error {
	switch pgErr.Code {
	case "42P01", "3F000": // undefined_table, invalid_schema_name
		// The message names what is missing, which may be a table the
		// statement reads rather than ref: a backfill's source, say.
		name := quotedName(pgErr.Message)
		if name == pgErr.Message {
			name = ref.String()
		}
		return &warehouse.NotFoundError{Kind: "table", Name: name}
	case "42703": // undefined_column
		return &warehouse.NotFoundError{Kind: "column", Name: qualify(ref, quotedName(pgErr.Message))}
	case "42704": // undefined_object: a role, in the statements dre sends
		if strings.HasPrefix(pgErr.Message, "role ") {
			return &warehouse.NotFoundError{Kind: "principal", Name: quotedName(pgErr.Message)}
		}
	case "42501": // insufficient_privilege
		return &warehouse.PermissionError{Privilege: privilege(pgErr, ref, need), Err: pgErr}
	case "57014": // query_canceled
		if strings.Contains(pgErr.Message, "statement timeout") {
			return &timeoutError{err: pgErr}
		}
	}
	return nil
}

// privilege says what to grant, in dre's words and PostgreSQL's.
func privilege(pgErr *pgconn.PgError, ref warehouse.TableRef, need string) string {
	if need == "" {
		need = "a privilege on " + refOr(ref, "the objects involved")
	}
	return fmt.Sprintf("%s (PostgreSQL: %s)", need, pgErr.Message)
}

// quotedName returns the first "quoted" name in a server message.
func quotedName(msg string) string {
	_, rest, ok := strings.Cut(msg, `"`)
	if !ok {
		return msg
	}
	name, _, _ := strings.Cut(rest, `"`)
	return name
}

func refOr(ref warehouse.TableRef, other string) string {
	if ref == (warehouse.TableRef{}) {
		return other
	}
	return ref.String()
}

func qualify(ref warehouse.TableRef, column string) string {
	if ref == (warehouse.TableRef{}) {
		return column
	}
	return ref.String() + "." + column
}
