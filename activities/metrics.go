package activities

import (
	"context"

	"go.temporal.io/sdk/activity"

	"github.com/dre-dev/dre/internal/warehouse"
)

// Names of the metrics dre's activities record. Prometheus shows them with
// a _total suffix.
const (
	MetricBackfillPartitions = "dre_backfill_partitions" // by dataset and outcome (done, failed)
	MetricBackfillRows       = "dre_backfill_rows"       // rows written, by dataset
)

// meterRewrite counts a partition this worker committed, and its rows.
//
// Counting here rather than in the workflow keeps the count exact across
// crashes: the ledger lets each partition commit once, and a retry that
// finds it committed (AlreadyApplied) counts nothing. Workflow code may
// handle the same events outside replay more than once (a retried workflow
// task, or a query answered from full history by a worker without the
// workflow cached), and it counted 66 of 64 partitions after a kill -9.
func meterRewrite(ctx context.Context, dataset string, res warehouse.RewriteResult) {
	if res.AlreadyApplied {
		return
	}
	m := activity.GetMetricsHandler(ctx).WithTags(map[string]string{"dataset": dataset})
	m.WithTags(map[string]string{"outcome": "done"}).Counter(MetricBackfillPartitions).Inc(1)
	if res.Rows > 0 {
		m.Counter(MetricBackfillRows).Inc(res.Rows)
	}
}
