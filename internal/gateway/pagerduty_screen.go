package gateway

import (
	"time"

	"github.com/dre-dev/dre/internal/catalog"
)

// DefaultPagerDutyMaxEventAge is how old a webhook event may be before it
// is ignored, when dre.yaml does not say (gateway.pagerduty_max_event_age).
const DefaultPagerDutyMaxEventAge = time.Hour

// MetricPagerDutyIgnored counts verified webhook events that changed
// nothing by design, by reason (Prometheus adds _total).
const MetricPagerDutyIgnored = "dre_gateway_pagerduty_ignored"

// Reasons for MetricPagerDutyIgnored.
const (
	ignoredUnmappedService = "unmapped_service"
	ignoredStale           = "stale"
)

// screen returns the dataset whose owner.pagerduty_service is the event's
// service, or why the event is ignored: a service no dataset names, or an
// event older than the maximum age. Ignored events are logged and counted.
func (p *pagerDutyRoute) screen(ev webhookEvent) (catalog.Dataset, string) {
	ds, mapped := p.datasetOfService(ev.Event.Data.Service.ID)
	reason := ""
	switch {
	case !mapped:
		reason = ignoredUnmappedService
	case !ev.Event.OccurredAt.IsZero() && time.Since(ev.Event.OccurredAt) > p.maxEventAge():
		reason = ignoredStale
	default:
		return ds, ""
	}
	p.logger().Info("pagerduty webhook ignored", "reason", reason, "event", ev.Event.ID, "type", ev.Event.EventType,
		"service", ev.Event.Data.Service.ID, "occurred_at", ev.Event.OccurredAt)
	if p.recorder != nil {
		p.recorder.WithTags(map[string]string{"reason": reason}).Counter(MetricPagerDutyIgnored).Inc(1)
	}
	return ds, reason
}

func (p *pagerDutyRoute) datasetOfService(service string) (catalog.Dataset, bool) {
	if service == "" {
		return catalog.Dataset{}, false
	}
	for _, ds := range p.opts.Catalog.Datasets() {
		if ds.Owner.PagerDutyService == service {
			return ds, true
		}
	}
	return catalog.Dataset{}, false
}

func (p *pagerDutyRoute) maxEventAge() time.Duration {
	if p.opts.MaxEventAge > 0 {
		return p.opts.MaxEventAge
	}
	return DefaultPagerDutyMaxEventAge
}

// eventTTL is how long an event ID is remembered: as long as the event
// could still pass the age check, and at least eventMemory.
func (p *pagerDutyRoute) eventTTL() time.Duration {
	return max(eventMemory, p.maxEventAge()+clockSkew)
}
