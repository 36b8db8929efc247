package postgres

import (
	"context"
	"fmt"
	"math/big"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/dre-dev/dre/internal/warehouse"
)

// checksumOf is the aggregate both PartitionStats and RewritePartition
// compute over a relation alias: the row count, and the sum of a 64-bit
// hash of each row's text form. A sum does not depend on row order, and
// unlike XOR it does not cancel out a row that appears twice. The text
// form depends on session settings, which Open pins (sessionSettings).
func checksumOf(alias string) string {
	return fmt.Sprintf("count(*), coalesce(sum(hashtextextended(%s::text, 0)::numeric), 0)::text", alias)
}

// formatChecksum reduces the exact sum modulo 2^64 and prints it as 16
// hex digits.
func formatChecksum(sum string) (string, error) {
	n, ok := new(big.Int).SetString(sum, 10)
	if !ok {
		return "", fmt.Errorf("checksum %q is not an integer", sum)
	}
	n.Mod(n, new(big.Int).Lsh(big.NewInt(1), 64))
	return fmt.Sprintf("%016x", n), nil
}

// scanStats reads a row produced by checksumOf.
func scanStats(row pgx.Row) (warehouse.PartitionStats, error) {
	var st warehouse.PartitionStats
	var sum string
	if err := row.Scan(&st.Rows, &sum); err != nil {
		return st, err
	}
	var err error
	st.Checksum, err = formatChecksum(sum)
	return st, err
}

// partitionWhere is the condition selecting [$1, $2) of a column.
func partitionWhere(column string) string { return partitionWhereFrom(column, 1) }

// partitionWhereFrom is partitionWhere with the bounds as parameters
// $first and $first+1, for statements with other parameters before them.
func partitionWhereFrom(column string, first int) string {
	return fmt.Sprintf("%s >= $%d AND %s < $%d", quote(column), first, quote(column), first+1)
}

// two64 is 2^64 as a SQL numeric literal.
const two64 = "18446744073709551616"

// checksumHex computes in SQL what formatChecksum does in Go: checksumOf's
// sum, reduced modulo 2^64 (made non-negative, as big.Int.Mod does) and
// printed as 16 hex digits, in two 32-bit halves because to_hex takes a
// bigint. A rewrite records its checksum in the statement that writes.
func checksumHex(alias string) string {
	sum := fmt.Sprintf("coalesce(sum(hashtextextended(%s::text, 0)::numeric), 0)", alias)
	m := fmt.Sprintf("((%s %% %s + %s) %% %s)", sum, two64, two64, two64)
	return fmt.Sprintf("lpad(to_hex(trunc(%s / 4294967296)::bigint), 8, '0') || lpad(to_hex((%s %% 4294967296)::bigint), 8, '0')", m, m)
}

// PartitionStats counts the rows of [p.Start, p.End) and checksums them.
func (w *Warehouse) PartitionStats(ctx context.Context, ref warehouse.TableRef, p warehouse.Partition) (warehouse.PartitionStats, error) {
	if err := validatePartition(ref, p); err != nil {
		return warehouse.PartitionStats{}, err
	}
	sql := partitionStatsSQL(ref, p)
	var st warehouse.PartitionStats
	err := w.readTx(ctx, longTimeout, func(tx pgx.Tx) error {
		if _, err := relation(ctx, tx, ref); err != nil {
			return err
		}
		var err error
		st, err = scanStats(tx.QueryRow(ctx, sql, p.Start, p.End))
		return err
	})
	return st, failure("partition statistics of", ref, "SELECT on "+ref.String(), err)
}

// partitionStatsSQL counts and checksums the rows of [$1, $2) of ref.
func partitionStatsSQL(ref warehouse.TableRef, p warehouse.Partition) string {
	return fmt.Sprintf("SELECT %s FROM (SELECT * FROM %s WHERE %s) AS p", checksumOf("p"), ident(ref), partitionWhere(p.Column))
}

// validatePartition checks a table and a partition before any SQL.
func validatePartition(ref warehouse.TableRef, p warehouse.Partition) error {
	if err := ref.Validate(); err != nil {
		return err
	}
	if err := warehouse.ValidIdentifier(p.Column); err != nil {
		return err
	}
	if !p.Start.Before(p.End) {
		return fmt.Errorf("partition of %s: start %s is not before end %s", ref, p.Start.Format(time.RFC3339), p.End.Format(time.RFC3339))
	}
	return nil
}
