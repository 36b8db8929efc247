package config

import "fmt"

// SLO configures how the datasets' SLOs are evaluated (the SLOs
// themselves are under each dataset's slos:).
type SLO struct {
	Batch SLOBatch `yaml:"batch"`
}

// SLOBatch turns on batched evaluation for large catalogs: dre slo
// schedule sync then starts one evaluator workflow per Size datasets with
// the same interval, whose every round is one activity for the whole
// batch, instead of one workflow per dataset. Size 0 (the default) keeps
// one evaluator per dataset.
type SLOBatch struct {
	// Size is how many datasets one evaluator holds.
	Size int `yaml:"size"`
	// Parallelism is how many datasets a batch round measures at once;
	// 0 means DefaultSLOBatchParallelism.
	Parallelism int `yaml:"parallelism"`
}

// Bounds of slo.batch. MaxSLOBatchSize keeps a batch's state, carried
// across continue-as-new and returned by its status query, well inside
// Temporal's 2 MB payload limit.
const (
	MaxSLOBatchSize            = 500
	DefaultSLOBatchParallelism = 8
	MaxSLOBatchParallelism     = 64
)

// checkSLO refuses batch sizes and parallelism out of bounds.
func (d *decoder) checkSLO(cfg *Config) {
	b := cfg.SLO.Batch
	if b.Size < 0 || b.Size == 1 || b.Size > MaxSLOBatchSize {
		d.addPath("slo.batch.size", fmt.Sprintf("want 2 to %d datasets per evaluator, like 50; unset (or 0) keeps one evaluator per dataset", MaxSLOBatchSize))
	}
	if b.Parallelism < 0 || b.Parallelism > MaxSLOBatchParallelism {
		d.addPath("slo.batch.parallelism", fmt.Sprintf("want 1 to %d datasets measured at once; unset means %d", MaxSLOBatchParallelism, DefaultSLOBatchParallelism))
	}
	if b.Parallelism > 0 && b.Size == 0 {
		d.addPath("slo.batch.parallelism", "set slo.batch.size too (like 50): parallelism applies only to batched evaluation")
	}
}

// ParallelismOrDefault is the parallelism a batch round runs with.
func (b SLOBatch) ParallelismOrDefault() int {
	if b.Parallelism == 0 {
		return DefaultSLOBatchParallelism
	}
	return b.Parallelism
}
