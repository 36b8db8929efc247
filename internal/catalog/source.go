package catalog

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"text/template"
	"text/template/parse"
)

// Render returns the SELECT of a select source with its bounds replaced
// by from and to, as ExpandBounds does.
func (s Source) Render(from, to string) (string, error) {
	if s.Select == "" {
		if s.Table != "" {
			return "", fmt.Errorf("source is the table %s, not a select; use Dataset.SourceQuery, which filters it by the partition column", s.Table)
		}
		return "", errors.New("source has no select; set source.select in dre.yaml")
	}
	return ExpandBounds(s.Select, from, to)
}

// SourceQuery returns the SQL producing the rows of the partition between
// the placeholders from (inclusive) and to (exclusive): the rendered select,
// or for a table source every row of that table whose partition column
// falls in the range.
func (d Dataset) SourceQuery(from, to string) (string, error) {
	switch {
	case d.Source == nil:
		return "", fmt.Errorf("dataset %q has no source; add source.select or source.table to it in dre.yaml", d.Name)
	case d.Source.Table == "":
		return d.Source.Render(from, to)
	case d.Partition == nil:
		return "", fmt.Errorf("dataset %q copies %s but has no partition to filter it by; add partition.column", d.Name, d.Source.Table)
	}
	col := d.Partition.Column
	return fmt.Sprintf("SELECT * FROM %s WHERE %s >= %s AND %s < %s", d.Source.Table, col, from, col, to), nil
}

// parseSelect parses a select template and rejects anything but plain
// {{ .From }} and {{ .To }} actions: functions, conditionals and other
// fields could only fail at backfill time, or smuggle logic into SQL.
func parseSelect(text string) (*template.Template, error) {
	return parseTemplate("source.select", text, "From", "To")
}

// parseTemplate parses SQL text whose only actions are the plain fields
// named, as {{ .Name }}.
func parseTemplate(name, text string, fields ...string) (*template.Template, error) {
	tmpl, err := template.New(name).Option("missingkey=error").Parse(text)
	if err != nil {
		return nil, fmt.Errorf("invalid template: %v", strings.TrimPrefix(err.Error(), "template: "))
	}
	if tmpl.Tree == nil || len(tmpl.Templates()) > 1 {
		return nil, fmt.Errorf("template may not define templates; use only %s", fieldList(fields))
	}
	for _, node := range tmpl.Tree.Root.Nodes {
		if !allowedNode(node, fields) {
			line := 1 + strings.Count(text[:node.Position()], "\n")
			return nil, fmt.Errorf("template may only use %s, found %s on line %d", fieldList(fields), node, line)
		}
	}
	return tmpl, nil
}

// fieldList names template fields as people write them:
// {{ .From }} and {{ .To }}.
func fieldList(fields []string) string {
	parts := make([]string, len(fields))
	for i, f := range fields {
		parts[i] = "{{ ." + f + " }}"
	}
	if len(parts) < 2 {
		return strings.Join(parts, "")
	}
	return strings.Join(parts[:len(parts)-1], ", ") + " and " + parts[len(parts)-1]
}

// allowedNode reports whether node is text, a comment, or exactly one of
// the fields, as {{ .Field }}.
func allowedNode(node parse.Node, fields []string) bool {
	switch n := node.(type) {
	case *parse.TextNode, *parse.CommentNode:
		return true
	case *parse.ActionNode:
		if len(n.Pipe.Decl) > 0 || len(n.Pipe.Cmds) != 1 || len(n.Pipe.Cmds[0].Args) != 1 {
			return false
		}
		field, ok := n.Pipe.Cmds[0].Args[0].(*parse.FieldNode)
		return ok && len(field.Ident) == 1 && slices.Contains(fields, field.Ident[0])
	}
	return false
}
