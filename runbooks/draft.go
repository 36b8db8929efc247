package runbooks

import "os"

// draft is what Lint keeps of a runbook whose file has structural
// problems: those problems, and the paths they are about, on which lint
// says nothing more.
type draft struct {
	problems Problems
	broken   map[string]bool
}

// newDraft returns the draft of a runbook with the problems ps.
func newDraft(ps Problems) *draft {
	d := &draft{problems: ps, broken: map[string]bool{}}
	for _, p := range ps {
		d.broken[p.Path] = true
	}
	return d
}

// isBroken reports whether the value at path has a structural problem;
// nothing is broken in a runbook that parsed.
func (d *draft) isBroken(path string) bool {
	return d != nil && d.broken[path]
}

// LoadForLint is Load for Lint: a file that decodes but has structural
// problems (an unknown step kind, a missing field, a value of the wrong
// type) gives a draft runbook instead of nothing. Lint reports a draft's
// problems together with those it finds in the parts that hold, so that
// one run shows every problem of a file. The error lists only the files
// that cannot be decoded at all (unreadable, empty, not YAML). A draft
// must never run: only Lint may be given what this returns.
func LoadForLint(paths ...string) ([]*Runbook, error) {
	files, ps := runbookFiles(paths)
	return parseAll(files, os.ReadFile, ps, parseForLint)
}

// parseForLint is Parse, except that a runbook with structural problems
// comes back as a draft that carries them.
func parseForLint(file string, data []byte) (*Runbook, error) {
	rb, ps := parseDraft(file, data)
	if rb == nil {
		sortProblems(ps)
		return nil, &ps
	}
	return rb, nil
}

// parseDraft parses data; a runbook with structural problems comes back
// as a draft that carries them, with its defaults filled in as Lint
// expects. Only a file that does not decode gives no runbook, and then
// problems.
func parseDraft(file string, data []byte) (*Runbook, Problems) {
	rb, ps := parseFile(file, data)
	if rb == nil || len(ps) == 0 {
		return rb, ps
	}
	fillDefaults(rb)
	rb.draft = newDraft(ps)
	return rb, nil
}
