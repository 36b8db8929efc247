package localpg

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// ErrNoBinaries reports that the PostgreSQL server binaries are missing; its
// text tells the user what to install.
var ErrNoBinaries = errors.New("PostgreSQL server binaries (initdb, postgres) not found; " +
	"install them (Debian/Ubuntu: apt-get install postgresql; macOS: brew install postgresql@16) or set DRE_PG_BINDIR")

// binDirPatterns are the usual install locations, tried last. Debian does
// not put the server binaries on PATH, and Homebrew's versioned formulae
// are keg-only, so PATH alone often misses an installed server.
var binDirPatterns = []string{
	"/usr/lib/postgresql/*/bin",
	"/usr/local/pgsql/bin",
	"/opt/homebrew/opt/postgresql@*/bin",
	"/usr/local/opt/postgresql@*/bin",
	"/opt/homebrew/bin",
}

// FindBinDir returns the directory holding initdb and postgres: the one in
// $DRE_PG_BINDIR if set, else what `pg_config --bindir` on PATH reports,
// else where initdb or postgres on PATH lives, else the newest of the usual
// install locations. The error wraps ErrNoBinaries when none has them.
func FindBinDir() (string, error) {
	if dir := os.Getenv("DRE_PG_BINDIR"); dir != "" {
		if !hasServerBinaries(dir) {
			return "", fmt.Errorf("%w (DRE_PG_BINDIR=%s has no initdb and postgres)", ErrNoBinaries, dir)
		}
		return dir, nil
	}
	for _, dir := range candidateDirs() {
		if hasServerBinaries(dir) {
			return dir, nil
		}
	}
	return "", ErrNoBinaries
}

// checkBinDir verifies an explicitly configured directory.
func checkBinDir(dir string) error {
	if !hasServerBinaries(dir) {
		return fmt.Errorf("%w (looked in %s)", ErrNoBinaries, dir)
	}
	return nil
}

// candidateDirs lists the places to look, in order of preference.
func candidateDirs() []string {
	var dirs []string
	// pg_config may come from a client-only package, so its answer is
	// still checked for the server binaries like every other candidate.
	if pgConfig, err := exec.LookPath("pg_config"); err == nil {
		if out, err := exec.Command(pgConfig, "--bindir").Output(); err == nil {
			dirs = append(dirs, strings.TrimSpace(string(out)))
		}
	}
	for _, name := range []string{"initdb", "postgres"} {
		if p, err := exec.LookPath(name); err == nil {
			// A symlink on PATH (e.g. /usr/local/bin/initdb) points into
			// the real bin dir, which also holds the other binary.
			if real, err := filepath.EvalSymlinks(p); err == nil {
				dirs = append(dirs, filepath.Dir(real))
			}
		}
	}
	for _, pattern := range binDirPatterns {
		matches, _ := filepath.Glob(pattern)
		slices.SortFunc(matches, func(a, b string) int { return compareVersions(b, a) })
		dirs = append(dirs, matches...)
	}
	return dirs
}

// hasServerBinaries reports whether dir holds executable initdb and postgres.
func hasServerBinaries(dir string) bool {
	for _, name := range []string{"initdb", "postgres"} {
		st, err := os.Stat(filepath.Join(dir, name))
		if err != nil || !st.Mode().IsRegular() || st.Mode().Perm()&0o111 == 0 {
			return false
		}
	}
	return true
}

var versionRE = regexp.MustCompile(`\d+(\.\d+)*`)

// compareVersions orders paths by the last version number in them, so that
// /usr/lib/postgresql/16/bin sorts after .../9.6/bin (lexically it would
// not).
func compareVersions(a, b string) int {
	return slices.Compare(pathVersion(a), pathVersion(b))
}

// pathVersion returns the last dotted number in path as integers.
func pathVersion(path string) []int {
	found := versionRE.FindAllString(path, -1)
	if len(found) == 0 {
		return nil
	}
	var v []int
	for _, part := range strings.Split(found[len(found)-1], ".") {
		n, _ := strconv.Atoi(part)
		v = append(v, n)
	}
	return v
}
