package slo

import (
	"encoding/xml"
	"strings"
	"testing"
	"time"
)

func TestChartSVGIsWellFormedAndPlotsEveryPoint(t *testing.T) {
	pts := []Point{
		{At: end, BudgetLeft: 1, Burn: 0},
		{At: end.Add(time.Hour), BudgetLeft: 0.5, Burn: 20},
		{At: end.Add(2 * time.Hour), BudgetLeft: -0.5, Burn: 2},
	}
	var b strings.Builder
	if err := ChartSVG(&b, "orders <budget>", []Series{{Name: "fresh", Points: pts}, {Name: "empty"}}); err != nil {
		t.Fatal(err)
	}
	svg := b.String()
	d := xml.NewDecoder(strings.NewReader(svg))
	polylines := 0
	for {
		tok, err := d.Token()
		if err != nil {
			if err.Error() != "EOF" {
				t.Fatalf("the SVG is not well-formed XML: %v\n%s", err, svg)
			}
			break
		}
		if se, ok := tok.(xml.StartElement); ok && se.Name.Local == "polyline" {
			polylines++
			for _, a := range se.Attr {
				if a.Name.Local == "points" && len(strings.Fields(a.Value)) != len(pts) {
					t.Errorf("polyline has %d points, want %d", len(strings.Fields(a.Value)), len(pts))
				}
			}
		}
	}
	if polylines != 2 {
		t.Errorf("%d polylines, want 2 (budget and burn of the series with points)", polylines)
	}
	for _, want := range []string{"orders &lt;budget&gt;", "no evaluations yet", "-50%"} {
		if !strings.Contains(svg, want) {
			t.Errorf("SVG lacks %q", want)
		}
	}
}
