package config

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// Problem is one thing wrong with a configuration. File problems carry a
// position and a key path like datasets[2].table; problems in environment
// overrides have no File and use the variable name as Path.
type Problem struct {
	File    string // "" for environment variables
	Line    int    // 1-based; 0 when unknown
	Column  int    // 1-based; 0 when unknown
	Path    string // key path, or the environment variable name
	Message string
}

// String renders p as "file:line:column: path: message", leaving out the
// parts p does not have.
func (p Problem) String() string {
	var b strings.Builder
	if p.File != "" {
		b.WriteString(p.File)
		if p.Line > 0 {
			fmt.Fprintf(&b, ":%d:%d", p.Line, p.Column)
		}
		b.WriteString(": ")
	}
	if p.Path != "" {
		b.WriteString(p.Path + ": ")
	}
	b.WriteString(p.Message)
	return b.String()
}

// Problems is every problem found in one configuration. Load and Parse
// return it as a *Problems error so all mistakes can be fixed in one pass.
type Problems []Problem

// Error prints one problem per line.
func (ps *Problems) Error() string {
	lines := make([]string, len(*ps))
	for i, p := range *ps {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}

// sortProblems orders problems as they appear in the file, environment
// problems last, keeping discovery order for problems at one position.
func sortProblems(ps Problems) {
	fromEnv := func(p Problem) int {
		if p.File == "" {
			return 1
		}
		return 0
	}
	slices.SortStableFunc(ps, func(a, b Problem) int {
		return cmp.Or(cmp.Compare(fromEnv(a), fromEnv(b)), cmp.Compare(a.Line, b.Line), cmp.Compare(a.Column, b.Column))
	})
}
