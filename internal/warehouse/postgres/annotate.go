package postgres

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/dre-dev/dre/internal/warehouse"
)

// Label keys and values follow BigQuery's rules (lowercase letters,
// digits, _ and -; keys start with a letter; 63 characters at most), so a
// label set on one warehouse can be set on the other.
var (
	labelKeyPattern   = regexp.MustCompile(`^[a-z][a-z0-9_-]{0,62}$`)
	labelValuePattern = regexp.MustCompile(`^[a-z0-9_-]{0,63}$`)
	piiKindPattern    = regexp.MustCompile(`^[a-z][a-z0-9_]{0,31}$`)
)

// piiPrefix starts the first line of a tagged column's comment; the
// demo data and hand-written DDL use the same form.
const piiPrefix = "pii:"

// splitColumnComment splits a column comment into its PII tag and the
// human comment: "pii:email" is a tag alone, "pii:email\nWork address"
// a tag and a comment, anything else a comment alone.
func splitColumnComment(comment string) (kind, human string) {
	first, rest, _ := strings.Cut(comment, "\n")
	if k, ok := strings.CutPrefix(first, piiPrefix); ok && piiKindPattern.MatchString(k) {
		return k, rest
	}
	return "", comment
}

// joinColumnComment is the inverse of splitColumnComment.
func joinColumnComment(kind, human string) string {
	switch {
	case kind == "":
		return human
	case human == "":
		return piiPrefix + kind
	}
	return piiPrefix + kind + "\n" + human
}

// literal quotes s as a standard SQL string: COMMENT takes no parameters.
// Doubling quotes is enough only with standard_conforming_strings on,
// which Open sets and this checks, and only without NUL bytes.
func literal(tx pgx.Tx, s string) (string, error) {
	if s == "" {
		return "NULL", nil
	}
	if strings.ContainsRune(s, 0) {
		return "", errors.New("a comment cannot contain NUL bytes")
	}
	if tx.Conn().PgConn().ParameterStatus("standard_conforming_strings") != "on" {
		return "", errors.New("standard_conforming_strings is off on this connection: refusing to quote a literal")
	}
	return "'" + strings.ReplaceAll(s, "'", "''") + "'", nil
}

// SetComment sets a table's comment ("" removes it).
func (w *Warehouse) SetComment(ctx context.Context, ref warehouse.TableRef, comment string) error {
	if err := ref.Validate(); err != nil {
		return err
	}
	err := w.writeTx(ctx, warehouse.DefaultTimeout, func(tx pgx.Tx) error {
		if _, err := relation(ctx, tx, ref); err != nil {
			return err
		}
		return setComment(ctx, tx, ref, comment)
	})
	return failure("commenting on", ref, "ownership of "+ref.String(), err)
}

func setComment(ctx context.Context, tx pgx.Tx, ref warehouse.TableRef, comment string) error {
	lit, err := literal(tx, comment)
	if err != nil {
		return err
	}
	_, err = tx.Exec(ctx, fmt.Sprintf("COMMENT ON TABLE %s IS %s", ident(ref), lit))
	return err
}

// SetLabels sets labels in dre_meta.table_labels; a key mapped to ""
// is removed.
func (w *Warehouse) SetLabels(ctx context.Context, ref warehouse.TableRef, labels map[string]string) error {
	if err := ref.Validate(); err != nil {
		return err
	}
	if err := validateLabels(labels); err != nil {
		return err
	}
	if err := w.ensureMeta(ctx); err != nil {
		return err
	}
	err := w.writeTx(ctx, warehouse.DefaultTimeout, func(tx pgx.Tx) error {
		if _, err := relation(ctx, tx, ref); err != nil {
			return err
		}
		return setLabels(ctx, tx, ref, labels)
	})
	return failure("labelling", ref, "", err)
}

func validateLabels(labels map[string]string) error {
	for k, v := range labels {
		if !labelKeyPattern.MatchString(k) || !labelValuePattern.MatchString(v) {
			return fmt.Errorf("label %q=%q: keys and values use lowercase letters, digits, _ and -, keys start with a letter, 63 characters at most", k, v)
		}
	}
	return nil
}

func setLabels(ctx context.Context, q querier, ref warehouse.TableRef, labels map[string]string) error {
	for _, k := range slices.Sorted(maps.Keys(labels)) {
		var err error
		if v := labels[k]; v == "" {
			_, err = q.Exec(ctx, `DELETE FROM dre_meta.table_labels WHERE schema_name = $1 AND table_name = $2 AND key = $3`, ref.Schema, ref.Table, k)
		} else {
			_, err = q.Exec(ctx, `INSERT INTO dre_meta.table_labels (schema_name, table_name, key, value) VALUES ($1, $2, $3, $4)
				ON CONFLICT (schema_name, table_name, key) DO UPDATE SET value = excluded.value`, ref.Schema, ref.Table, k, v)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// TagPII writes a column's PII tag into the first line of its comment,
// keeping the human part; "" removes the tag.
func (w *Warehouse) TagPII(ctx context.Context, ref warehouse.TableRef, column, kind string) error {
	if err := ref.Validate(); err != nil {
		return err
	}
	if err := warehouse.ValidIdentifier(column); err != nil {
		return err
	}
	if kind != "" && !piiKindPattern.MatchString(kind) {
		return fmt.Errorf("PII kind %q: use a catalog PII kind such as email or phone", kind)
	}
	err := w.writeTx(ctx, warehouse.DefaultTimeout, func(tx pgx.Tx) error {
		oid, err := relation(ctx, tx, ref)
		if err != nil {
			return err
		}
		return tagPII(ctx, tx, ref, oid, column, kind)
	})
	return failure("tagging a column of", ref, "ownership of "+ref.String(), err)
}

func tagPII(ctx context.Context, tx pgx.Tx, ref warehouse.TableRef, oid uint32, column, kind string) error {
	var comment string
	err := tx.QueryRow(ctx, `SELECT coalesce(col_description(attrelid, attnum), '') FROM pg_attribute
		WHERE attrelid = $1 AND attname = $2 AND attnum > 0 AND NOT attisdropped`, oid, column).Scan(&comment)
	if errors.Is(err, pgx.ErrNoRows) {
		return &warehouse.NotFoundError{Kind: "column", Name: ref.String() + "." + column}
	}
	if err != nil {
		return err
	}
	_, human := splitColumnComment(comment)
	lit, err := literal(tx, joinColumnComment(kind, human))
	if err != nil {
		return err
	}
	_, err = tx.Exec(ctx, fmt.Sprintf("COMMENT ON COLUMN %s.%s IS %s", ident(ref), quote(column), lit))
	return err
}
