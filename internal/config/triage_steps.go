package config

import "fmt"

// checkEscalation checks the steps of an escalation policy and what they
// need elsewhere in dre.yaml.
func (d *decoder) checkEscalation(cfg *Config, path string, e Escalation) {
	switch {
	case len(e.Steps) == 0:
		d.addPath(path+".steps", "an escalation needs at least one step; remove escalation: for the default escalation")
	case len(e.Steps) > maxEscalationSteps:
		d.addPath(path+".steps", fmt.Sprintf("%d steps; at most %d", len(e.Steps), maxEscalationSteps))
	}
	if e.Repeat < 0 || e.Repeat > maxEscalationRepeat {
		d.addPath(path+".repeat", fmt.Sprintf("repeat %d is out of range; use 0 (run the steps once) to %d", e.Repeat, maxEscalationRepeat))
	}
	for i, s := range e.Steps {
		d.checkStep(cfg, fmt.Sprintf("%s.steps[%d]", path, i), s)
	}
}

// checkStep requires a step to do something, and what it does to be
// configured.
func (d *decoder) checkStep(cfg *Config, path string, s EscalationStep) {
	if s.After.Duration < 0 {
		d.addPath(path+".after", "after must be a positive duration like 10m; leave it out for the severity's escalate_after")
	}
	d.checkMentions(path+".mention", s.Mention)
	if len(s.Mention) == 0 && !s.EscalatePagerDuty && s.Page == "" {
		d.addPath(path, "a step does nothing; give it mention:, escalate_pagerduty: true or page: <service>")
	}
	if s.PagerDutyLevel != 0 && (!s.EscalatePagerDuty || s.PagerDutyLevel < 1 || s.PagerDutyLevel > maxEscalationsLimit) {
		d.addPath(path+".pagerduty_level", fmt.Sprintf("pagerduty_level is the level to escalate to, 1 to %d, with escalate_pagerduty: true", maxEscalationsLimit))
	}
	if s.EscalatePagerDuty && (!cfg.PagerDuty.APIToken.IsSet() || cfg.PagerDuty.From == "") {
		d.addPath(path+".escalate_pagerduty", "escalating in PagerDuty goes through its REST API: set pagerduty.api_token and pagerduty.from (the email of a PagerDuty user)")
	}
	if _, ok := cfg.PagerDuty.Services[s.Page]; s.Page != "" && !ok {
		d.addPath(path+".page", fmt.Sprintf("no service %q under pagerduty.services; configured: %s", s.Page, orNone(sortedKeys(cfg.PagerDuty.Services))))
	}
}
