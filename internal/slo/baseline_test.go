package slo

import "testing"

func TestBaselineSkipsIncidents(t *testing.T) {
	var obs []Observation
	for _, v := range []float64{100, 110, 90, 105, 95, 100, 102} {
		obs = append(obs, Observation{Value: v})
	}
	obs = append(obs, Observation{Value: 3, Incident: true}, Observation{Value: 2, Incident: true})
	if m, ok := Baseline(obs); !ok || m != 100 {
		t.Errorf("Baseline = %v, %v; want 100, true (incident values skipped)", m, ok)
	}
	obs[0].Incident = true
	if _, ok := Baseline(obs); ok {
		t.Error("Baseline of 6 healthy values is ok; want no baseline below 7")
	}
}

func TestVolumeBoundsJudge(t *testing.T) {
	tests := []struct {
		b    VolumeBounds
		rows int64
		want bool
	}{
		{VolumeBounds{MinRows: 50}, 49, false},
		{VolumeBounds{MinRows: 50}, 50, true},
		{VolumeBounds{MaxRows: 10}, 11, false},
		{VolumeBounds{MinRows: 1, Baseline: 100, HasBaseline: true}, 49, false},
		{VolumeBounds{MinRows: 1, Baseline: 100, HasBaseline: true}, 50, true},
		{VolumeBounds{MinRows: 1, Baseline: 100, HasBaseline: true}, 201, false},
		{VolumeBounds{MinRows: 1, Baseline: 100}, 5000, true},
	}
	for _, tt := range tests {
		if got, why := tt.b.Judge(tt.rows); got != tt.want {
			t.Errorf("%+v.Judge(%d) = %v (%s), want %v", tt.b, tt.rows, got, why, tt.want)
		}
	}
}
