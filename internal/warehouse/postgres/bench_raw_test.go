package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/dre-dev/dre/internal/warehouse"
)

// rawRewrite is the statements of a checksummed RewritePartition written
// out by hand on a single pgx connection, one round trip each where the
// adapter pipelines them: the baseline the benchmark compares with.
func rawRewrite(ctx context.Context, conn *pgx.Conn, run, table string, p warehouse.Partition) (warehouse.RewriteResult, error) {
	tx, err := conn.BeginTx(ctx, pgx.TxOptions{BeginQuery: "BEGIN ISOLATION LEVEL READ COMMITTED READ WRITE; SET LOCAL statement_timeout = 600000"})
	if err != nil {
		return warehouse.RewriteResult{}, err
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	name, quoted := "bench."+table, pgx.Identifier{table}.Sanitize()
	key := name + "/" + p.Start.UTC().Format(time.RFC3339Nano)
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, key); err != nil {
		return warehouse.RewriteResult{}, err
	}
	var rows int64
	var sum string
	err = tx.QueryRow(ctx, `SELECT rows, checksum FROM dre_meta.backfill_ledger WHERE run_id = $1 AND table_name = $2 AND partition_start = $3`,
		run, name, p.Start).Scan(&rows, &sum)
	if !errors.Is(err, pgx.ErrNoRows) {
		return warehouse.RewriteResult{}, fmt.Errorf("ledger: %v", err)
	}
	if _, err := tx.Exec(ctx, `DELETE FROM "bench".`+quoted+` WHERE "day" >= $1 AND "day" < $2`, p.Start, p.End); err != nil {
		return warehouse.RewriteResult{}, err
	}
	err = tx.QueryRow(ctx, `WITH written AS (INSERT INTO "bench".`+quoted+` SELECT day, id, customer, amount FROM bench.source WHERE day >= $1 AND day < $2 RETURNING *)
		SELECT count(*), coalesce(sum(hashtextextended(written::text, 0)::numeric), 0)::text FROM written`, p.Start, p.End).Scan(&rows, &sum)
	if err != nil {
		return warehouse.RewriteResult{}, err
	}
	n, _ := new(big.Int).SetString(sum, 10)
	checksum := fmt.Sprintf("%016x", n.Mod(n, new(big.Int).Lsh(big.NewInt(1), 64)))
	_, err = tx.Exec(ctx, `INSERT INTO dre_meta.backfill_ledger (run_id, table_name, partition_start, partition_end, rows, checksum)
		VALUES ($1, $2, $3, $4, $5, $6)`, run, name, p.Start, p.End, rows, checksum)
	if err != nil {
		return warehouse.RewriteResult{}, err
	}
	return warehouse.RewriteResult{Rows: rows, Checksum: checksum}, tx.Commit(ctx)
}
