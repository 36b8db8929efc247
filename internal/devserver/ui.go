package devserver

import (
	"context"
	"fmt"
	"net/http"
	"time"

	uiserver "github.com/temporalio/ui-server/v2/server"
	uiconfig "github.com/temporalio/ui-server/v2/server/config"
	uiopts "github.com/temporalio/ui-server/v2/server/server_options"
)

// uiServer is the Temporal Web UI, served from assets embedded in the binary.
type uiServer struct {
	srv  *uiserver.Server
	done chan struct{}
}

// startUI serves the UI on the reserved port and waits until it answers.
// The port was checked free moments ago; the UI server exits the process on a
// bind error, which is why it is never started on an unchecked port.
func startUI(ctx context.Context, p portSet, namespace string) (*uiServer, error) {
	cfg := &uiconfig.Config{
		Host:                p.host,
		Port:                p.ui,
		TemporalGRPCAddress: hostPort(p.host, p.frontend),
		EnableUI:            true,
		DefaultNamespace:    namespace,
		HideLogs:            true,
		DisableNewsFetch:    true,
		Distribution:        "dre",
		CORS:                uiconfig.CORS{CookieInsecure: true},
	}
	u := &uiServer{srv: uiserver.NewServer(uiopts.WithConfigProvider(cfg)), done: make(chan struct{})}
	go func() {
		defer close(u.done)
		_ = u.srv.Start()
	}()
	url := fmt.Sprintf("http://%s/", hostPort(p.host, p.ui))
	if err := waitHTTP(ctx, url, u.done); err != nil {
		u.stop()
		return nil, fmt.Errorf("the Temporal UI at %s: %w", url, err)
	}
	return u, nil
}

// waitHTTP polls url until it answers 200.
func waitHTTP(ctx context.Context, url string, done <-chan struct{}) error {
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("not ready: %w", ctx.Err())
		case <-done:
			return errUIStopped
		case <-time.After(20 * time.Millisecond):
		}
	}
}

func (u *uiServer) stop() {
	u.srv.Stop()
	<-u.done
}
