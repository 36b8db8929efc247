package runbooks

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/dre-dev/dre/internal/config"
)

// Problem is one thing wrong with a runbook, printed as
// file:line:column: path: message. It is the config package's Problem, so
// runbook and dre.yaml problems read alike.
type Problem = config.Problem

// Problems is every problem found; as an error (*Problems) it prints one
// per line.
type Problems = config.Problems

// reporter collects problems about one runbook, placing each by its path.
type reporter struct {
	file     string
	where    *positions
	quiet    map[string]bool // paths with a structural problem already: nothing more is said of them
	problems Problems
}

// newReporter returns a reporter for rb's problems.
func newReporter(rb *Runbook) *reporter {
	r := &reporter{file: rb.Source.File, where: rb.where}
	if rb.draft != nil {
		r.quiet = rb.draft.broken
	}
	return r
}

// add records a problem about path, placed at path or, when path is not
// in the file, at its nearest ancestor that is.
func (r *reporter) add(path, format string, args ...any) {
	r.addPos(r.pos(path), path, fmt.Sprintf(format, args...))
}

// addIn records a problem at a place inside the text of path: line is
// 1-based, col 0-based in runes. Only one-line scalars can be placed
// that precisely; others get the position of the whole value.
func (r *reporter) addIn(path string, line, col int, msg string) {
	p := r.pos(path)
	if r.where != nil && line == 1 {
		if start, ok := r.where.text(path); ok {
			p = Position{Line: start.Line, Column: start.Column + col}
		}
	}
	r.addPos(p, path, msg)
}

// addPos records a problem at p.
func (r *reporter) addPos(p Position, path, msg string) {
	if r.quiet[path] {
		return
	}
	r.problems = append(r.problems, Problem{File: r.file, Line: p.Line, Column: p.Column, Path: path, Message: msg})
}

// pos returns where to report a problem about path.
func (r *reporter) pos(path string) Position {
	if r.where == nil {
		return Position{}
	}
	for p := path; ; p = parentPath(p) {
		if at, ok := r.where.at(p); ok {
			return at
		}
		if p == "" {
			return Position{}
		}
	}
}

// parentPath drops the last element of a key path:
// steps[1].check.sql → steps[1].check → steps[1] → steps → "".
func parentPath(path string) string {
	if strings.HasSuffix(path, "]") {
		return path[:strings.LastIndex(path, "[")]
	}
	return path[:max(strings.LastIndex(path, "."), 0)]
}

// sortProblems orders problems by file and position, keeping the order
// of discovery for problems at the same place.
func sortProblems(ps Problems) {
	slices.SortStableFunc(ps, func(a, b Problem) int {
		return cmp.Or(strings.Compare(a.File, b.File), cmp.Compare(a.Line, b.Line), cmp.Compare(a.Column, b.Column))
	})
}

// quoted renders values as "a", "b", "c" for messages that list choices.
func quoted[T ~string](values []T) string {
	parts := make([]string, len(values))
	for i, v := range values {
		parts[i] = fmt.Sprintf("%q", string(v))
	}
	return strings.Join(parts, ", ")
}
