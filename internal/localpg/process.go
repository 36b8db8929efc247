package localpg

import (
	"fmt"
	"io"
	"os/exec"
	"runtime"
	"sync"
	"syscall"
	"time"
)

// process is a running postmaster and what it has written lately.
type process struct {
	pid  int
	done chan struct{} // closed once the process has exited and been reaped
	err  error         // exit status; read only after done is closed
	tail *tailBuffer
}

// spawn starts bin as the postmaster, its output going to log and to a
// tail kept for error messages.
func spawn(bin string, args []string, dir string, cred *syscall.Credential, log io.Writer) (*process, error) {
	p := &process{done: make(chan struct{}), tail: &tailBuffer{}}
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	cmd.Env = serverEnv()
	out := &teeWriter{tail: p.tail, log: log}
	cmd.Stdout, cmd.Stderr = out, out
	cmd.SysProcAttr = serverProcAttr(cred)
	started := make(chan error, 1)
	go p.run(cmd, started)
	if err := <-started; err != nil {
		return nil, err
	}
	p.pid = cmd.Process.Pid
	return p, nil
}

// run starts and reaps cmd on one locked OS thread. Linux sends the parent
// death signal when the thread that forked the child exits, not the whole
// process, and Go retires threads of goroutines that exit while locked; a
// thread parked here in wait4 lives exactly as long as the server.
func (p *process) run(cmd *exec.Cmd, started chan<- error) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	if err := cmd.Start(); err != nil {
		started <- err
		return
	}
	started <- nil
	p.err = cmd.Wait()
	close(p.done)
}

// exited reports whether the process has exited.
func (p *process) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// shutdownSteps escalate from PostgreSQL's fast shutdown (rolls back
// sessions, checkpoints) to immediate shutdown (crash recovery at next
// start) to SIGKILL of the whole process group.
var shutdownSteps = []struct {
	sig   syscall.Signal
	group bool
	wait  time.Duration
}{
	{syscall.SIGINT, false, 10 * time.Second},
	{syscall.SIGQUIT, false, 5 * time.Second},
	{syscall.SIGKILL, true, 5 * time.Second},
}

// shutdown stops the server and waits for it to exit.
func (p *process) shutdown() error {
	if p.exited() {
		return fmt.Errorf("postgres (PID %d) had already exited (%v); last lines of its log:\n%s", p.pid, p.err, p.tail.lastLines(20))
	}
	for i, step := range shutdownSteps {
		target := p.pid
		if step.group {
			target = -p.pid // backends whose postmaster ignored SIGQUIT
		}
		_ = syscall.Kill(target, step.sig) // ESRCH: it exited meanwhile
		select {
		case <-p.done:
			if i == 0 {
				return nil
			}
			return fmt.Errorf("postgres (PID %d) ignored a fast shutdown for %v; stopped it with %v",
				p.pid, shutdownSteps[0].wait, step.sig)
		case <-time.After(step.wait):
		}
	}
	return fmt.Errorf("postgres (PID %d) is still running after SIGKILL", p.pid)
}

// tailBuffer keeps the last few KiB of the server log for error messages.
type tailBuffer struct {
	mu  sync.Mutex
	buf []byte
}

const tailBytes = 16 << 10

// Write keeps the newest tailBytes of everything written.
func (t *tailBuffer) Write(b []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, b...)
	if over := len(t.buf) - tailBytes; over > 0 {
		t.buf = append(t.buf[:0], t.buf[over:]...)
	}
	return len(b), nil
}

// lastLines returns the last n lines written.
func (t *tailBuffer) lastLines(n int) string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return lastLines(string(t.buf), n)
}

// teeWriter copies the server output to the tail and the log. A failing
// log must not stop the copy: the tail would go blind and postgres would
// write into a closed pipe.
type teeWriter struct {
	tail *tailBuffer
	log  io.Writer
}

// Write never fails.
func (w *teeWriter) Write(b []byte) (int, error) {
	_, _ = w.tail.Write(b) // appends to memory, never fails
	_, _ = w.log.Write(b)
	return len(b), nil
}
