package slo

import (
	"fmt"
	"html"
	"io"
	"math"
	"strings"
	"time"
)

// Point is one evaluation kept for charts.
type Point struct {
	At         time.Time `json:"at"`
	BudgetLeft float64   `json:"budgetLeft"`
	// Burn is the burn rate over the fast page rule's long window (1h).
	Burn float64 `json:"burn"`
	Good bool    `json:"good"`
}

// Series is one SLO's points, oldest first.
type Series struct {
	Name   string
	Points []Point
}

// Chart geometry: each series gets a budget panel and a burn panel.
const (
	chartWidth  = 760
	panelHeight = 140
	chartLeft   = 60
	chartRight  = 20
	panelGap    = 40
)

// ChartSVG draws the budget left and the fast burn rate of each series as
// an SVG document, with the page (14.4×) and ticket (1×) burn factors
// drawn as reference lines.
func ChartSVG(w io.Writer, title string, series []Series) error {
	height := 40 + len(series)*2*(panelHeight+panelGap)
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" font-family="sans-serif" font-size="11">`+"\n", chartWidth, height)
	fmt.Fprintf(&b, `<rect width="100%%" height="100%%" fill="white"/><text x="%d" y="22" font-size="15">%s</text>`+"\n", chartLeft, html.EscapeString(title))
	top := 40
	for _, s := range series {
		budget := panel{title: s.Name + ": error budget left", top: top, lo: math.Min(0, minOf(s.Points, func(p Point) float64 { return p.BudgetLeft })), hi: 1, unit: "%"}
		budget.draw(&b, s.Points, func(p Point) float64 { return p.BudgetLeft }, []float64{0})
		top += panelHeight + panelGap
		burn := panel{title: s.Name + ": burn rate (fast window)", top: top, lo: 0, hi: math.Max(16, maxOf(s.Points, func(p Point) float64 { return p.Burn })), unit: "×"}
		burn.draw(&b, s.Points, func(p Point) float64 { return p.Burn }, []float64{14.4, 1})
		top += panelHeight + panelGap
	}
	b.WriteString("</svg>\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// panel is one plot area with a y range.
type panel struct {
	title  string
	top    int
	lo, hi float64
	unit   string
}

func (p panel) draw(b *strings.Builder, pts []Point, y func(Point) float64, refs []float64) {
	right := chartWidth - chartRight
	fmt.Fprintf(b, `<text x="%d" y="%d">%s</text>`+"\n", chartLeft, p.top-6, html.EscapeString(p.title))
	fmt.Fprintf(b, `<rect x="%d" y="%d" width="%d" height="%d" fill="none" stroke="#999"/>`+"\n", chartLeft, p.top, right-chartLeft, panelHeight)
	fmt.Fprintf(b, `<text x="4" y="%d">%s</text><text x="4" y="%d">%s</text>`+"\n", p.top+10, p.label(p.hi), p.top+panelHeight, p.label(p.lo))
	for _, r := range refs {
		fmt.Fprintf(b, `<line x1="%d" x2="%d" y1="%.1f" y2="%.1f" stroke="#d33" stroke-dasharray="4 3"/>`+"\n", chartLeft, right, p.y(r), p.y(r))
	}
	if len(pts) == 0 {
		fmt.Fprintf(b, `<text x="%d" y="%d">no evaluations yet</text>`+"\n", chartLeft+10, p.top+panelHeight/2)
		return
	}
	first, last := pts[0].At, pts[len(pts)-1].At
	span := last.Sub(first)
	coords := make([]string, len(pts))
	for i, pt := range pts {
		x := float64(chartLeft)
		if span > 0 {
			x += float64(right-chartLeft) * float64(pt.At.Sub(first)) / float64(span)
		}
		coords[i] = fmt.Sprintf("%.1f,%.1f", x, p.y(y(pt)))
	}
	fmt.Fprintf(b, `<polyline fill="none" stroke="#2563eb" stroke-width="1.5" points="%s"/>`+"\n", strings.Join(coords, " "))
	fmt.Fprintf(b, `<text x="%d" y="%d">%s</text><text x="%d" y="%d" text-anchor="end">%s</text>`+"\n",
		chartLeft, p.top+panelHeight+14, first.UTC().Format("2006-01-02 15:04"), right, p.top+panelHeight+14, last.UTC().Format("2006-01-02 15:04 MST"))
}

// y maps a value into the panel, clamped to its range.
func (p panel) y(v float64) float64 {
	v = math.Max(p.lo, math.Min(p.hi, v))
	return float64(p.top) + float64(panelHeight)*(p.hi-v)/(p.hi-p.lo)
}

func (p panel) label(v float64) string {
	if p.unit == "%" {
		return Percent(v)
	}
	return fmt.Sprintf("%.3g%s", v, p.unit)
}

func minOf(pts []Point, f func(Point) float64) float64 {
	m := math.Inf(1)
	for _, p := range pts {
		m = math.Min(m, f(p))
	}
	return m
}

func maxOf(pts []Point, f func(Point) float64) float64 {
	m := math.Inf(-1)
	for _, p := range pts {
		m = math.Max(m, f(p))
	}
	return m
}
