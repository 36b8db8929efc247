package catalog

import (
	"strings"

	"github.com/dre-dev/dre/internal/warehouse"
)

// checkRatio checks the good and total SELECTs of a ratio SLO: both
// present, reading the interval only as {{ .From }} and {{ .To }}, and
// each one statement, so neither can end itself and start another.
func checkRatio(ps *problems, path string, s SLO) {
	for _, q := range []struct{ key, text, counts string }{
		{"good", s.Good, "the good events"},
		{"total", s.Total, "all events"},
	} {
		at := path + "." + q.key
		if strings.TrimSpace(q.text) == "" {
			ps.addf(at, "ratio SLO needs %s: a SELECT returning one number, %s between {{ .From }} and {{ .To }}", q.key, q.counts)
			continue
		}
		if _, err := RatioQuery(q.text); err != nil {
			ps.addf(at, "%v", err)
		}
	}
}

// RatioQuery renders one SELECT of a ratio SLO for the warehouse: every
// {{ .From }} and {{ .To }} becomes the bind placeholder @from or @to,
// never a value. Text that uses other template actions, or holds more
// than one statement, is refused.
func RatioQuery(text string) (string, error) {
	if _, err := parseTemplate("ratio", text, "From", "To"); err != nil {
		return "", err
	}
	sql, err := ExpandBounds(text, "@from", "@to")
	if err != nil {
		return "", err
	}
	if err := warehouse.SingleStatement(sql); err != nil {
		return "", err
	}
	return sql, nil
}
