package cli

import (
	"testing"

	"github.com/dre-dev/dre/internal/catalog"
	"github.com/dre-dev/dre/internal/config"
	"github.com/dre-dev/dre/internal/gateway"
)

// alerts.group_by_upstream reaches the gateway: on when unset, off when
// dre.yaml says false.
func TestAlertOptionsCarryGroupByUpstream(t *testing.T) {
	off := false
	for name, c := range map[string]struct {
		set  *bool
		want bool
	}{"unset": {nil, true}, "false": {&off, false}} {
		cfg := &config.Config{Catalog: catalog.New(nil)}
		cfg.Alerts.GroupByUpstream = c.set
		if got := alertOptions(cfg, gateway.TemporalTriage{}).GroupByUpstream; got != c.want {
			t.Errorf("%s: GroupByUpstream %v; want %v", name, got, c.want)
		}
	}
}
