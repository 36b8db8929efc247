package authz

import (
	"fmt"
	"regexp"
	"slices"
	"sort"

	"github.com/dre-dev/dre/internal/people"
)

// Problem is one thing wrong with the authz: section, at a dre.yaml path.
type Problem struct {
	Path    string
	Message string
}

// slackUser matches a Slack user ID, which rules may name directly.
var slackUser = regexp.MustCompile(`^[UW][A-Z0-9]{2,}$`)

// Validate checks every rule: known decisions, subjects that are a role,
// a person, a group or a Slack user ID, and datasets the catalog has.
func Validate(p Policy, dir *people.Directory, datasets []string) []Problem {
	var out []Problem
	out = append(out, checkRules("authz.rules", p.Rules, dir)...)
	for _, ds := range sortedKeys(p.Datasets) {
		path := "authz.datasets." + ds
		if !slices.Contains(datasets, ds) {
			out = append(out, Problem{path, fmt.Sprintf("the catalog has no dataset %q; name one under datasets:", ds)})
			continue
		}
		out = append(out, checkRules(path, p.Datasets[ds], dir)...)
	}
	return out
}

func checkRules(path string, rules map[string][]string, dir *people.Directory) []Problem {
	var out []Problem
	for _, action := range sortedKeys(rules) {
		at := path + "." + action
		if !Known(action) {
			out = append(out, Problem{at, fmt.Sprintf("%q is not a decision dre knows; use one of %v", action, Actions())})
			continue
		}
		if len(rules[action]) == 0 {
			out = append(out, Problem{at, "an empty rule lets nobody decide; list people, groups or roles (anyone, owner, approvers, requester, pagerduty)"})
		}
		for i, s := range rules[action] {
			if msg := checkSubject(s, dir); msg != "" {
				out = append(out, Problem{fmt.Sprintf("%s[%d]", at, i), msg})
			}
		}
	}
	return out
}

func checkSubject(s string, dir *people.Directory) string {
	if IsRole(s) || slackUser.MatchString(s) {
		return ""
	}
	if _, err := dir.Person(s); err == nil {
		return ""
	}
	if _, err := dir.Group(s); err == nil {
		return ""
	}
	return fmt.Sprintf("%q is neither a role (anyone, owner, approvers, requester, pagerduty), a person under people:, a group under groups:, nor a Slack user ID", s)
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
