package activities

import (
	"fmt"
	"math"
	"time"
)

// seasonalWeeks is how many same-weekday partitions a weekly pattern must
// show, and a seasonal baseline holds, for each judged partition.
const seasonalWeeks = 4

// seasonalRatio: the history is weekly seasonal when partitions a week
// apart differ, on average, by less than this share of what consecutive
// partitions differ by.
const seasonalRatio = 0.5

// volumeBaseline is the set of partition counts a recent partition is
// compared with, and how the finding names it.
type volumeBaseline struct {
	name string
	of   func(p time.Time) []float64
}

// plainBaseline is every history partition since from.
func plainBaseline(history []time.Time, counts map[time.Time]int64, from time.Time) volumeBaseline {
	var xs []float64
	for _, p := range history {
		if !p.Before(from) {
			xs = append(xs, float64(counts[p]))
		}
	}
	name := fmt.Sprintf("all %d partitions since %s", len(xs), from.Format(time.DateOnly))
	return volumeBaseline{name: name, of: func(time.Time) []float64 { return xs }}
}

// sameWeekdayBaseline is, for each partition, the same weekday in each of
// the seasonalWeeks weeks before it.
func sameWeekdayBaseline(counts map[time.Time]int64) volumeBaseline {
	name := fmt.Sprintf("the same weekday over the %d weeks before (the history is weekly seasonal)", seasonalWeeks)
	return volumeBaseline{name: name, of: func(p time.Time) []float64 {
		xs := make([]float64, seasonalWeeks)
		for w := range seasonalWeeks {
			xs[w] = float64(counts[p.AddDate(0, 0, -7*(w+1))])
		}
		return xs
	}}
}

// weeklySeasonal tells whether daily history repeats week over week:
// partitions seven days apart are more alike than consecutive ones. The
// means (not medians) of the absolute differences are compared because a
// weekend pattern changes only two of every seven consecutive steps. The
// history must hold seasonalWeeks full weeks since its first non-empty
// partition, so that a young table's empty past is no pattern.
func weeklySeasonal(history []time.Time, counts map[time.Time]int64) bool {
	first := 0
	for first < len(history) && counts[history[first]] == 0 {
		first++
	}
	xs := make([]float64, 0, len(history)-first)
	for _, p := range history[first:] {
		xs = append(xs, float64(counts[p]))
	}
	if len(xs) < 7*seasonalWeeks {
		return false
	}
	daily, weekly := meanAbsLagDiff(xs, 1), meanAbsLagDiff(xs, 7)
	return daily > 0 && weekly < seasonalRatio*daily
}

// meanAbsLagDiff is the mean of |x[i] - x[i-lag]|.
func meanAbsLagDiff(xs []float64, lag int) float64 {
	var sum float64
	for i := lag; i < len(xs); i++ {
		sum += math.Abs(xs[i] - xs[i-lag])
	}
	return sum / float64(len(xs)-lag)
}
