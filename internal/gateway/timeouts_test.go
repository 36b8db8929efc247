package gateway

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"syscall"
	"testing"
	"time"
)

// TestSlowBodyIsCutOff plays a slow-loris client: it sends its headers at
// once, then trickles the body a byte at a time. The server must drop the
// connection after its read timeout, not wait for the trickle to finish.
func TestSlowBodyIsCutOff(t *testing.T) {
	s, err := Start(Options{Listen: "127.0.0.1:0", PagerDuty: PagerDutyOptions{Secrets: []string{"s"}},
		Timeouts: Timeouts{ReadHeader: 200 * time.Millisecond, Read: 500 * time.Millisecond, Write: time.Second}})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Shutdown(context.Background())
	conn, err := net.Dial("tcp", s.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	const bodyLen = 200 // at a byte per 50 ms, 10 s to send
	fmt.Fprintf(conn, "POST /pagerduty/webhook HTTP/1.1\r\nHost: gw\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n", bodyLen)
	go func() {
		for range bodyLen {
			if _, err := conn.Write([]byte("x")); err != nil {
				return // the server hung up
			}
			time.Sleep(50 * time.Millisecond)
		}
	}()
	started := time.Now()
	_ = conn.SetReadDeadline(started.Add(5 * time.Second))
	_, err = io.Copy(io.Discard, conn) // whatever the answer, until the server closes
	// Closing with trickled bytes still unread makes the server's kernel
	// answer with a reset instead of a FIN: that is a hang-up too.
	if errors.Is(err, syscall.ECONNRESET) {
		err = nil
	}
	if held := time.Since(started); err != nil || held > 3*time.Second {
		t.Fatalf("connection held %s (read error %v); want it closed by the server within about the 500ms read timeout", held, err)
	}
	// The server itself is still there for everyone else.
	resp, err := http.Get("http://" + s.Addr() + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
}

func TestServerTimeoutDefaults(t *testing.T) {
	srv := Timeouts{Read: time.Second}.server(http.NotFoundHandler())
	if srv.ReadTimeout != time.Second || srv.ReadHeaderTimeout != defaultReadHeaderTimeout ||
		srv.WriteTimeout != defaultWriteTimeout || srv.IdleTimeout != defaultIdleTimeout {
		t.Fatalf("timeouts %v %v %v %v", srv.ReadHeaderTimeout, srv.ReadTimeout, srv.WriteTimeout, srv.IdleTimeout)
	}
}
