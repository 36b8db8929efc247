package schedules

import (
	"testing"

	"github.com/dre-dev/dre/workflows"
)

func TestAccessReviewIsQuarterlyAndReviewsTheQuarterItRunsIn(t *testing.T) {
	s := AccessReview(workflows.AccessReviewInput{Period: "2026Q1", Ignore: []string{"postgres"}}, "dre")
	if s.Args[0].(workflows.AccessReviewInput).Period != "" {
		t.Error("the schedule pins a period; each run must review its own quarter")
	}
	if spec := s.spec(); len(spec.CronExpressions) != 1 || spec.CronExpressions[0] != "0 9 1 1,4,7,10 *" || len(spec.Intervals) != 0 {
		t.Errorf("spec %+v; want the quarterly cron only", spec)
	}
	if again := AccessReview(workflows.AccessReviewInput{Ignore: []string{"postgres"}}, "dre"); again.hash() != s.hash() {
		t.Error("the same flags hashed differently: every run would update the schedule")
	}
}
