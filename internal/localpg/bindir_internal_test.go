package localpg

import (
	"slices"
	"testing"
)

func TestCandidateVersionsSortNumerically(t *testing.T) {
	dirs := []string{"/usr/lib/postgresql/9.6/bin", "/usr/lib/postgresql/16/bin", "/usr/lib/postgresql/10/bin"}
	slices.SortFunc(dirs, func(a, b string) int { return compareVersions(b, a) })
	want := []string{"/usr/lib/postgresql/16/bin", "/usr/lib/postgresql/10/bin", "/usr/lib/postgresql/9.6/bin"}
	if !slices.Equal(dirs, want) {
		t.Errorf("newest first = %v, want %v", dirs, want)
	}
	if got := pathVersion("/opt/homebrew/opt/postgresql@17/bin"); !slices.Equal(got, []int{17}) {
		t.Errorf("pathVersion(homebrew) = %v, want [17]", got)
	}
}
