package localpg

import (
	"fmt"
	"os"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"syscall"
)

// serverUserName is the OS user the cluster runs as when dre runs as root.
const serverUserName = "postgres"

// osUser is the account initdb and postgres run as when it differs from
// ours. A nil *osUser means "as ourselves", and its methods are no-ops.
type osUser struct {
	name     string
	uid, gid uint32
	groups   []uint32
}

// serverUser returns the account to run PostgreSQL as: nil (ourselves)
// unless we are root, which PostgreSQL refuses to run as.
func serverUser() (*osUser, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	u, err := user.Lookup(serverUserName)
	if err != nil {
		return nil, fmt.Errorf("PostgreSQL refuses to run as root and there is no %q OS user to run it as (%v); "+
			"create one (useradd --system %s) or run dre as a regular user", serverUserName, err, serverUserName)
	}
	uid, err1 := strconv.ParseUint(u.Uid, 10, 32)
	gid, err2 := strconv.ParseUint(u.Gid, 10, 32)
	if err1 != nil || err2 != nil {
		return nil, fmt.Errorf("OS user %q has a non-numeric uid/gid %s/%s", u.Username, u.Uid, u.Gid)
	}
	ou := &osUser{name: u.Username, uid: uint32(uid), gid: uint32(gid)}
	gids, _ := u.GroupIds() // only refines the traversal check
	for _, g := range gids {
		if n, err := strconv.ParseUint(g, 10, 32); err == nil {
			ou.groups = append(ou.groups, uint32(n))
		}
	}
	return ou, nil
}

// credential returns what a child needs to switch to u.
func (u *osUser) credential() *syscall.Credential {
	if u == nil {
		return nil
	}
	return &syscall.Credential{Uid: u.uid, Gid: u.gid, Groups: u.groups}
}

// chown hands path to u.
func (u *osUser) chown(path string) error {
	if u == nil {
		return nil
	}
	return os.Chown(path, int(u.uid), int(u.gid))
}

// checkTraversable verifies that u can reach dir through every ancestor.
// Otherwise postgres fails with a bare "permission denied" far from the
// cause; the usual culprit is a home directory such as /root (mode 0700).
func (u *osUser) checkTraversable(dir string) error {
	if u == nil {
		return nil
	}
	for d := filepath.Dir(dir); ; d = filepath.Dir(d) {
		st, err := os.Stat(d)
		if err != nil {
			return err
		}
		if !u.canEnter(st) {
			return fmt.Errorf("PostgreSQL refuses to run as root, so dre runs it as the %q OS user, "+
				"but that user cannot enter %s (mode %v), an ancestor of the data dir %s; "+
				"choose a data dir that user can reach or make it traversable (chmod o+x %s)",
				u.name, d, st.Mode().Perm(), dir, d)
		}
		if d == filepath.Dir(d) {
			return nil
		}
	}
}

// canEnter applies the owner/group/other execute bits of a directory to u.
func (u *osUser) canEnter(st os.FileInfo) bool {
	sys, ok := st.Sys().(*syscall.Stat_t)
	if !ok {
		return true // cannot tell; let postgres report it
	}
	perm := st.Mode().Perm()
	switch {
	case sys.Uid == u.uid:
		return perm&0o100 != 0
	case sys.Gid == u.gid || slices.Contains(u.groups, sys.Gid):
		return perm&0o010 != 0
	default:
		return perm&0o001 != 0
	}
}
