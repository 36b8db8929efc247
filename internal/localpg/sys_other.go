//go:build !linux

package localpg

import "syscall"

// serverProcAttr runs the postmaster in its own process group, so a Ctrl-C
// at the terminal reaches dre alone, which stops the server in order. Only
// Linux can also tie the server's life to dre's (see sys_linux.go).
func serverProcAttr(cred *syscall.Credential) *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Credential: cred, Setpgid: true}
}

// isPostgresProcess reports whether pid is alive; without /proc we cannot
// tell a postmaster from a process that recycled its PID.
func isPostgresProcess(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || err == syscall.EPERM
}
