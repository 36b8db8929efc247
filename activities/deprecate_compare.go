package activities

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/dre-dev/dre/internal/warehouse"
)

// MetaDiff describes how got differs from want (comment, labels, PII tags,
// grants as a set), or returns "" when they are identical. Grants are
// compared without their table, which changes name during a soft delete.
func MetaDiff(got, want warehouse.TableMeta) string {
	var diffs []string
	if got.Comment != want.Comment {
		diffs = append(diffs, fmt.Sprintf("comment %q, want %q", got.Comment, want.Comment))
	}
	if !maps.Equal(got.Labels, want.Labels) && (len(got.Labels) > 0 || len(want.Labels) > 0) {
		diffs = append(diffs, fmt.Sprintf("labels %v, want %v", got.Labels, want.Labels))
	}
	if !maps.Equal(got.PII, want.PII) && (len(got.PII) > 0 || len(want.PII) > 0) {
		diffs = append(diffs, fmt.Sprintf("PII tags %v, want %v", got.PII, want.PII))
	}
	var ref warehouse.TableRef
	have, need := grantSet(got.Grants, ref), grantSet(want.Grants, ref)
	if !maps.Equal(have, need) {
		diffs = append(diffs, fmt.Sprintf("grants %s, want %s", grantList(have), grantList(need)))
	}
	return strings.Join(diffs, "; ")
}

// grantSet indexes grants by value, all on table ref.
func grantSet(grants []warehouse.Grant, ref warehouse.TableRef) map[warehouse.Grant]bool {
	set := make(map[warehouse.Grant]bool, len(grants))
	for _, g := range grants {
		g.Table = ref
		set[g] = true
	}
	return set
}

func grantList(set map[warehouse.Grant]bool) string {
	var parts []string
	for _, g := range slices.SortedFunc(maps.Keys(set), compareGrants) {
		p := g.Principal + ":" + g.Privilege
		if g.Column != "" {
			p += "(" + g.Column + ")"
		}
		parts = append(parts, p)
	}
	return "[" + strings.Join(parts, " ") + "]"
}

func compareGrants(a, b warehouse.Grant) int {
	return cmp.Or(cmp.Compare(a.Column, b.Column), cmp.Compare(a.Principal, b.Principal), cmp.Compare(a.Privilege, b.Privilege))
}

// mergeKeys returns the union of two maps' keys, as a set.
func mergeKeys(a, b map[string]string) map[string]bool {
	out := map[string]bool{}
	for k := range a {
		out[k] = true
	}
	for k := range b {
		out[k] = true
	}
	return out
}
