package gateway

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/dre-dev/dre/workflows"
)

func TestTriageTemporalRefusedIsNotAnsweredAsStarting(t *testing.T) {
	starter := &fakeStarter{fail: errors.New("namespace default is not found")}
	base, stop := startSlackGateway(t, testSecret, starter)
	defer stop()
	status, text := send(t, signedCommand(t, base, testSecret, "triage orders", time.Now()))
	if status != http.StatusOK || strings.Contains(text, "is starting") || !strings.Contains(text, "could not be started: namespace default is not found") {
		t.Fatalf("got %d %q; want the refusal, not \"is starting\"", status, text)
	}
}

// heldStarter answers ReportTriage only when the test sends the result.
type heldStarter struct{ result chan error }

func (h heldStarter) ReportTriage(ctx context.Context, _ workflows.TriageInput) error {
	select {
	case err := <-h.result:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

func TestTriageSlowerThanTheBudgetGoesOnAndTellsItsFailure(t *testing.T) {
	held, told := heldStarter{result: make(chan error)}, &followUps{}
	base, stop := startSlackGateway(t, testSecret, &fakeStarter{}, func(c *Commands) { c.Triage, c.FollowUp = held, told.post })
	status, text := send(t, signedCommand(t, base, testSecret, "triage orders", time.Now()))
	if status != http.StatusOK || strings.Contains(text, "is starting") || !strings.Contains(text, "taking longer") {
		t.Fatalf("got %d %q; want \"taking longer\", not \"is starting\"", status, text)
	}
	held.result <- errors.New("deadline exceeded at the frontend") // the call went on after the answer
	stop()
	if said := strings.Join(told.said, "\n"); !strings.Contains(said, "could not be started: deadline exceeded at the frontend") {
		t.Fatalf("the user was told %q; want the late failure", said)
	}
}
