package worker

import (
	"testing"

	"github.com/dre-dev/dre/internal/config"
)

func TestNotifyUnconfiguredLeavesClientsNil(t *testing.T) {
	n := Notify(&config.Config{})
	if n.Slack != nil || n.PagerDuty != nil {
		t.Fatalf("got %+v, want no clients without credentials", n)
	}
}
