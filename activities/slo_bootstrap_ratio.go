package activities

import (
	"context"
	"fmt"
	"time"

	"github.com/dre-dev/dre/internal/catalog"
	"github.com/dre-dev/dre/internal/slo"
)

// maxRatioSlots bounds the past intervals a ratio SLO's bootstrap reads:
// its SQL is the team's own, so each interval costs its good and its
// total query. 2,016 is two weeks of 10-minute intervals (or 28 days of
// 20-minute ones); older intervals of a longer window stay unread.
const maxRatioSlots = 2016

// ratioHistory runs a ratio SLO's good and total SELECTs once per past
// interval, bound to that interval as a live evaluation binds them, and
// keeps the intervals where something happened: a total of 0 is no
// reading, live or reconstructed.
func (s *SLOs) ratioHistory(ctx context.Context, ds catalog.Dataset, o catalog.SLO, slots []time.Time) ([]slo.Observation, []string, int, error) {
	t, err := (&Diagnosis{Warehouses: s.Warehouses}).open(ctx, DiagnoseInput{Warehouse: ds.Warehouse, Table: ds.Table})
	if err != nil {
		return nil, nil, 0, err
	}
	slots = slots[max(0, len(slots)-maxRatioSlots):]
	var obs []slo.Observation
	var whys []string
	queries := 0
	for _, at := range slots {
		m, err := measureRatio(ctx, t, o, at)
		queries += 2
		if err != nil {
			return nil, nil, queries, err
		}
		if m.Total == 0 {
			continue
		}
		obs = append(obs, slo.Observation{At: at, Good: m.Good, Total: m.Total, Value: m.Value})
		whys = append(whys, fmt.Sprintf("reconstructed: %s", m.Detail))
	}
	return obs, whys, queries, nil
}
