package postgres

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/dre-dev/dre/internal/warehouse"
)

// Restore recreates dst from a snapshot and puts meta back on it: comment,
// labels, PII tags and grants. A zero meta means the metadata Snapshot
// recorded; for a table Snapshot did not take, a plain copy. Everything
// happens in one transaction that ends by reading the metadata back and
// comparing, so a restore either completes as asked or leaves nothing
// behind.
func (w *Warehouse) Restore(ctx context.Context, snapshot, dst warehouse.TableRef, meta warehouse.TableMeta) error {
	if err := validateRefs(snapshot, dst); err != nil {
		return err
	}
	if err := w.ensureMeta(ctx); err != nil {
		return err
	}
	err := w.writeTx(ctx, longTimeout, func(tx pgx.Tx) error {
		return w.restoreIn(ctx, tx, snapshot, dst, meta)
	})
	return failure("restoring", dst, "CREATE on schema "+dst.Schema+" and SELECT on "+snapshot.String(), err)
}

func (w *Warehouse) restoreIn(ctx context.Context, tx pgx.Tx, snapshot, dst warehouse.TableRef, meta warehouse.TableMeta) error {
	if _, err := relation(ctx, tx, snapshot); err != nil {
		if errors.As(err, new(*warehouse.NotFoundError)) {
			return &warehouse.NotFoundError{Kind: "snapshot", Name: snapshot.String()}
		}
		return err
	}
	if isZero(meta) {
		var found bool
		var err error
		if meta, found, err = recorded(ctx, tx, snapshot); err != nil {
			return err
		}
		if !found {
			// Not a snapshot dre took: a plain copy, column comments (and
			// so PII tags) included.
			return copyTable(ctx, tx, snapshot, dst)
		}
	}
	if err := copyTable(ctx, tx, snapshot, dst); err != nil {
		return err
	}
	if err := w.applyMeta(ctx, tx, dst, meta); err != nil {
		return err
	}
	return w.verifyMeta(ctx, tx, dst, meta)
}

func isZero(m warehouse.TableMeta) bool {
	return m.Comment == "" && len(m.Labels) == 0 && len(m.PII) == 0 && len(m.Grants) == 0
}

// recorded returns the metadata Snapshot recorded for a snapshot; found
// is false for a table Snapshot did not take.
func recorded(ctx context.Context, q querier, snapshot warehouse.TableRef) (meta warehouse.TableMeta, found bool, err error) {
	err = q.QueryRow(ctx, `SELECT meta FROM dre_meta.snapshots WHERE schema_name = $1 AND table_name = $2`,
		snapshot.Schema, snapshot.Table).Scan(&meta)
	if errors.Is(err, pgx.ErrNoRows) {
		return warehouse.TableMeta{}, false, nil
	}
	return meta, err == nil, err
}

// applyMeta sets dst's comment, labels, PII tags and grants to meta's.
// Grants recorded on the original table are given on dst.
func (w *Warehouse) applyMeta(ctx context.Context, tx pgx.Tx, dst warehouse.TableRef, meta warehouse.TableMeta) error {
	if err := validateLabels(meta.Labels); err != nil {
		return err
	}
	oid, err := relation(ctx, tx, dst)
	if err != nil {
		return err
	}
	if err := setComment(ctx, tx, dst, meta.Comment); err != nil {
		return err
	}
	// Labels left behind by a table of the same name dropped outside dre
	// must not survive into the restored one.
	if _, err := tx.Exec(ctx, `DELETE FROM dre_meta.table_labels WHERE schema_name = $1 AND table_name = $2`, dst.Schema, dst.Table); err != nil {
		return err
	}
	if err := setLabels(ctx, tx, dst, meta.Labels); err != nil {
		return err
	}
	if err := w.retag(ctx, tx, dst, oid, meta.PII); err != nil {
		return err
	}
	return grantAll(ctx, tx, dst, meta.Grants)
}

// grantAll gives dst the grants recorded on the table it restores.
func grantAll(ctx context.Context, tx pgx.Tx, dst warehouse.TableRef, grants []warehouse.Grant) error {
	for _, g := range grants {
		g.Table = dst
		stmt, err := grantStatement(g, true)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, stmt); err != nil {
			return err
		}
	}
	return nil
}

// retag makes dst's PII tags exactly pii: tags the snapshot's column
// comments carried but pii lacks are removed.
func (w *Warehouse) retag(ctx context.Context, tx pgx.Tx, dst warehouse.TableRef, oid uint32, pii map[string]string) error {
	cols, err := columns(ctx, tx, oid)
	if err != nil {
		return err
	}
	tags := map[string]string{}
	for _, c := range cols {
		if c.PII != "" {
			tags[c.Name] = "" // untag unless pii says otherwise
		}
	}
	maps.Copy(tags, pii)
	for _, col := range slices.Sorted(maps.Keys(tags)) {
		if err := warehouse.ValidIdentifier(col); err != nil {
			return err
		}
		if err := tagPII(ctx, tx, dst, oid, col, tags[col]); err != nil {
			return err
		}
	}
	return nil
}

// verifyMeta reads dst's metadata back: the comment, labels and PII tags
// must equal meta's and every grant in meta must be held. dst may hold
// more grants than meta, such as its new owner's.
func (w *Warehouse) verifyMeta(ctx context.Context, tx pgx.Tx, dst warehouse.TableRef, meta warehouse.TableMeta) error {
	got, err := w.metadata(ctx, tx, dst)
	if err != nil {
		return err
	}
	if got.Comment != meta.Comment || !maps.Equal(got.Labels, meta.Labels) || !maps.Equal(got.PII, meta.PII) {
		return fmt.Errorf("restored metadata differs: comment %q, labels %v, PII %v; want %q, %v, %v",
			got.Comment, got.Labels, got.PII, meta.Comment, meta.Labels, meta.PII)
	}
	for _, g := range meta.Grants {
		g.Table, g.Principal, g.Privilege = dst, principalName(g.Principal), strings.ToUpper(g.Privilege)
		if !slices.Contains(got.Grants, g) {
			return fmt.Errorf("restored grants lack %s %s", g.Principal, g.Privilege)
		}
	}
	return nil
}
