package lineage

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
)

// Formats returns the output formats Render knows.
func Formats() []string { return []string{"text", "json", "dot", "mermaid"} }

// Render writes sg to w as text (a table by depth), json, dot (Graphviz)
// or mermaid (a flowchart GitHub and Slack canvases draw).
func Render(w io.Writer, sg Subgraph, format string) error {
	switch format {
	case "text":
		return renderText(w, sg)
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(sg)
	case "dot":
		_, err := io.WriteString(w, renderDOT(sg))
		return err
	case "mermaid":
		_, err := io.WriteString(w, renderMermaid(sg))
		return err
	}
	return fmt.Errorf("unknown output format %q; want one of %s", format, strings.Join(Formats(), ", "))
}

// renderText prints one row per node: its depth (negative upstream), name,
// table, owner and, when not only declared, where its edges were learnt.
func renderText(w io.Writer, sg Subgraph) error {
	learnt := edgeNotes(sg)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "DEPTH\tNAME\tTABLE\tOWNER\tLEARNT FROM")
	for _, n := range sg.Nodes {
		table := n.Table
		if n.External {
			table = "(outside the catalog)"
		}
		fmt.Fprintf(tw, "%+d\t%s\t%s\t%s\t%s\n", n.Depth, n.Name, table, dash(n.Owner), dash(learnt[n.Name]))
	}
	if len(sg.Nodes) == 1 {
		fmt.Fprintf(tw, "\n%s has no lineage in that direction; add upstream: entries in dre.yaml or import them (dre catalog import dbt)\n", sg.Root)
	}
	return tw.Flush()
}

// edgeNotes returns, for each node away from the root, the sources of the
// edges that reached it other than a plain declaration.
func edgeNotes(sg Subgraph) map[string]string {
	depth := map[string]int{}
	for _, n := range sg.Nodes {
		depth[n.Name] = n.Depth
	}
	notes := map[string][]string{}
	for _, e := range sg.Edges {
		far := e.To
		if abs(depth[e.From]) > abs(depth[e.To]) {
			far = e.From
		}
		for _, s := range e.Sources {
			if !slices.Contains(notes[far], string(s)) {
				notes[far] = append(notes[far], string(s))
			}
		}
	}
	out := map[string]string{}
	for n, srcs := range notes {
		slices.Sort(srcs)
		out[n] = strings.Join(srcs, ",")
	}
	return out
}

// abs returns |n|.
func abs(n int) int { return max(n, -n) }

// dash stands in for an empty cell.
func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// renderDOT draws sg for Graphviz: data flows left to right, the root in
// bold, external tables dashed, edges not declared in dre.yaml dashed and
// labelled with where they were learnt.
func renderDOT(sg Subgraph) string {
	var b strings.Builder
	b.WriteString("digraph lineage {\n  rankdir=LR;\n  node [shape=box];\n")
	for _, n := range sg.Nodes {
		attrs := []string{"label=" + dotQuote(nodeLabel(n, `\n`))}
		if n.Name == sg.Root {
			attrs = append(attrs, "style=bold")
		} else if n.External {
			attrs = append(attrs, "style=dashed")
		}
		fmt.Fprintf(&b, "  %s [%s];\n", dotQuote(n.Name), strings.Join(attrs, ", "))
	}
	for _, e := range sg.Edges {
		fmt.Fprintf(&b, "  %s -> %s", dotQuote(e.From), dotQuote(e.To))
		if !declaredOnly(e) {
			fmt.Fprintf(&b, " [style=dashed, label=%s]", dotQuote(edgeLabel(e)))
		}
		b.WriteString(";\n")
	}
	b.WriteString("}\n")
	return b.String()
}

// renderMermaid draws sg as a Mermaid flowchart: external tables as
// cylinders, edges not declared in dre.yaml dotted with their source.
func renderMermaid(sg Subgraph) string {
	var b strings.Builder
	b.WriteString("flowchart LR\n")
	id := map[string]string{}
	for i, n := range sg.Nodes {
		id[n.Name] = fmt.Sprintf("n%d", i)
		open, closing := "[", "]"
		if n.External {
			open, closing = "[(", ")]"
		}
		fmt.Fprintf(&b, "  %s%s\"%s\"%s\n", id[n.Name], open, mermaidEscape(nodeLabel(n, "<br/>")), closing)
	}
	for _, e := range sg.Edges {
		if declaredOnly(e) {
			fmt.Fprintf(&b, "  %s --> %s\n", id[e.From], id[e.To])
		} else {
			fmt.Fprintf(&b, "  %s -.->|%s| %s\n", id[e.From], mermaidEscape(edgeLabel(e)), id[e.To])
		}
	}
	fmt.Fprintf(&b, "  style %s stroke-width:3px\n", id[sg.Root])
	return b.String()
}

// nodeLabel is a node's name and, for a dataset, its table, joined by br.
func nodeLabel(n Node, br string) string {
	if n.External || n.Table == n.Name {
		return n.Name
	}
	return n.Name + br + n.Table
}

// declaredOnly reports whether e was learnt from dre.yaml alone.
func declaredOnly(e Edge) bool { return len(e.Sources) == 1 && e.Sources[0] == Declared }

// joinSources lists where an edge was learnt.
func joinSources(srcs []Source) string {
	s := make([]string, len(srcs))
	for i, src := range srcs {
		s[i] = string(src)
	}
	return strings.Join(s, ",")
}

// edgeLabel is where an edge was learnt and, from a job history, how
// many jobs wrote it in the window.
func edgeLabel(e Edge) string {
	if e.Jobs > 0 {
		return fmt.Sprintf("%s (%d jobs)", joinSources(e.Sources), e.Jobs)
	}
	return joinSources(e.Sources)
}

// dotQuote quotes s as a DOT string.
func dotQuote(s string) string {
	return `"` + strings.NewReplacer(`"`, `\"`).Replace(s) + `"`
}

// mermaidEscape keeps quotes from ending a Mermaid label.
func mermaidEscape(s string) string { return strings.ReplaceAll(s, `"`, "#quot;") }
