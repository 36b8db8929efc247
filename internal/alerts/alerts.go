// Package alerts turns the alerts of the monitoring tools data teams
// already run (Prometheus Alertmanager, Monte Carlo, Elementary, Soda,
// Great Expectations) into one shape, and maps each to a catalog dataset.
// The gateway's POST /alerts/<source> parses a body with Parse and opens
// or joins the dataset's incident; nothing here talks to the network.
package alerts

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Source names, as they appear in the URL and in dre.yaml alerts.sources.
const (
	SourceAlertmanager      = "alertmanager"
	SourceMonteCarlo        = "montecarlo"
	SourceElementary        = "elementary"
	SourceSoda              = "soda"
	SourceGreatExpectations = "great_expectations"
)

// Statuses of an Alert.
const (
	Firing   = "firing"
	Resolved = "resolved"
)

// Alert is one alert of any tool, reduced to what dre needs to find the
// dataset and to count the alert once.
type Alert struct {
	Source string
	// Fingerprint is stable across the alert's repeats and its resolve.
	Fingerprint string
	Name        string // the rule or check, for people
	Status      string // Firing or Resolved
	// Table is the table the tool names, as it names it ("" if none).
	Table string
	// Labels are matched by the alerts.map rules of dre.yaml; every
	// adapter adds "table" when it knows the table.
	Labels   map[string]string
	Summary  string
	Severity int // 1 (worst) to 4; 0 when the tool gives none
	StartsAt time.Time
	EndsAt   time.Time
	URL      string
}

// adapter parses one tool's body; it returns an error for a body that is
// not that tool's format.
type adapter func(body []byte, opts Options) ([]Alert, error)

// Options tune the adapters.
type Options struct {
	// TableLabel is the Alertmanager label naming the table (default "table").
	TableLabel string
}

var adapters = map[string]adapter{
	SourceAlertmanager:      parseAlertmanager,
	SourceMonteCarlo:        parseMonteCarlo,
	SourceElementary:        parseElementary,
	SourceSoda:              parseSoda,
	SourceGreatExpectations: parseGreatExpectations,
}

// Sources lists the known source names, sorted.
func Sources() []string {
	names := make([]string, 0, len(adapters))
	for name := range adapters {
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}

// Known reports whether source names an adapter.
func Known(source string) bool { _, ok := adapters[source]; return ok }

// Parse reads the body a source posted. An error says what the body
// lacks; a body with no alert in it is an error too, so a misconfigured
// sender hears about it.
func Parse(source string, body []byte, opts Options) ([]Alert, error) {
	parse, ok := adapters[source]
	if !ok {
		return nil, fmt.Errorf("unknown alert source %q; use one of %s", source, strings.Join(Sources(), ", "))
	}
	out, err := parse(body, opts)
	if err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("the %s body holds no alert", source)
	}
	for i := range out {
		out[i].Source = source
		if out[i].Table != "" {
			if out[i].Labels == nil {
				out[i].Labels = map[string]string{}
			}
			if _, set := out[i].Labels["table"]; !set {
				out[i].Labels["table"] = out[i].Table
			}
		}
	}
	return out, nil
}

// statusOf maps a check outcome to Firing or Resolved: a passing check
// resolves the alert an earlier failing run raised.
func statusOf(passed bool) string {
	if passed {
		return Resolved
	}
	return Firing
}

// severityOfWord reads the severities tools commonly write: "sev1".."sev4"
// or "SEV-1", "1".."4", and the words Prometheus rules use. 0: unknown.
func severityOfWord(s string) int {
	s = strings.ToLower(strings.TrimSpace(s))
	s = strings.TrimPrefix(strings.ReplaceAll(s, "-", ""), "sev")
	switch s {
	case "1":
		return 1
	case "2", "critical", "high", "page":
		return 2
	case "3", "error", "warning", "warn", "medium":
		return 3
	case "4", "info", "low":
		return 4
	}
	return 0
}
