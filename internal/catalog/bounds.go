package catalog

import (
	"fmt"
	"regexp"
	"strings"
	"text/template/parse"
)

// legacyBound matches @from and @to written in the SQL itself, the
// spelling --select used before it took {{ .From }} and {{ .To }} like
// dre.yaml sources.
var legacyBound = regexp.MustCompile(`@(from|to)\b`)

// ExpandBounds renders a SELECT that reads a partition's bounds: every
// {{ .From }} and {{ .To }} becomes from and to, which are bind
// placeholders ($1 and $2, or @from and @to), never values, so a bound is
// never spliced into SQL as text. The deprecated spelling, @from and @to
// written in the SQL, still works and becomes from and to as well;
// BoundsWarning tells its users what to write instead.
func ExpandBounds(text, from, to string) (string, error) {
	tmpl, err := parseSelect(text)
	if err != nil {
		return "", err
	}
	for _, node := range tmpl.Tree.Root.Nodes {
		if t, ok := node.(*parse.TextNode); ok {
			t.Text = legacyBound.ReplaceAllFunc(t.Text, func(m []byte) []byte {
				if string(m) == "@from" {
					return []byte(from)
				}
				return []byte(to)
			})
		}
	}
	var out strings.Builder
	if err := tmpl.Execute(&out, struct{ From, To string }{from, to}); err != nil {
		return "", fmt.Errorf("render the SELECT: %v", err)
	}
	return out.String(), nil
}

// BoundsWarning says what to write instead when text reads the bounds the
// deprecated way, as @from or @to; it is "" for text that does not.
func BoundsWarning(text string) string {
	tmpl, err := parseSelect(text)
	if err != nil {
		return ""
	}
	for _, node := range tmpl.Tree.Root.Nodes {
		if t, ok := node.(*parse.TextNode); ok && legacyBound.Match(t.Text) {
			return "@from and @to in the SQL are deprecated: write {{ .From }} and {{ .To }} instead, as dre.yaml sources do"
		}
	}
	return ""
}
