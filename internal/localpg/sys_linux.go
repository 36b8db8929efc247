package localpg

import (
	"os"
	"strconv"
	"strings"
	"syscall"
)

// serverProcAttr runs the postmaster in its own process group (a Ctrl-C at
// the terminal then reaches dre alone, which stops the server in order) and
// asks the kernel to send it SIGQUIT, PostgreSQL's immediate shutdown, if
// dre dies first: not even kill -9 of dre leaves an orphan postmaster.
// Go's fork sets the death signal after switching credentials (setuid
// would clear it), and spawn keeps the forking thread alive, since the
// signal follows the parent thread, not the parent process.
func serverProcAttr(cred *syscall.Credential) *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Credential: cred, Setpgid: true, Pdeathsig: syscall.SIGQUIT}
}

// isPostgresProcess reports whether pid is a live PostgreSQL process, not
// an unrelated process that recycled the PID.
func isPostgresProcess(pid int) bool {
	comm, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/comm")
	if err != nil {
		return false
	}
	name := strings.TrimSpace(string(comm))
	return (name == "postgres" || name == "postmaster") && !isZombie(pid)
}

// isZombie reports whether pid has exited but not been reaped, which an
// init that does not reap orphans leaves behind.
func isZombie(pid int) bool {
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	// The state follows the parenthesized command name, which may itself
	// contain spaces or parentheses.
	i := strings.LastIndexByte(string(stat), ')')
	return i >= 0 && i+2 < len(stat) && (stat[i+2] == 'Z' || stat[i+2] == 'X')
}
