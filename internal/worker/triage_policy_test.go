package worker

import (
	"reflect"
	"testing"
	"time"

	"github.com/dre-dev/dre/internal/catalog"
	"github.com/dre-dev/dre/internal/config"
	"github.com/dre-dev/dre/workflows"
)

func TestTriagePolicyConvertsDreYAML(t *testing.T) {
	p := config.TriagePolicy{
		PageSeverity: 1, EscalateAfter: map[string]string{"sev1": "2m", "sev2": "never"}, Mentions: []string{"@channel", "S0LEADS"},
		AutoResolveAfter: catalog.Duration{Duration: time.Hour}, UniqueKey: []string{"order_id"}, ResolveAfterFix: new(true), BackfillBudget: 1e9,
		Escalation: &config.Escalation{Repeat: 2, Steps: []config.EscalationStep{
			{After: catalog.Duration{Duration: 5 * time.Minute}, Mention: []string{"U0SECOND"}},
			{EscalatePagerDuty: true, PagerDutyLevel: 3, Page: "platform"},
		}},
		Room: &config.IncidentRoom{Severities: []string{"sev1", "sev3"}, Prefix: "inc-", Invite: []string{"U0ONCALL"}},
	}
	want := workflows.TriagePolicy{
		PageSeverity: 1, EscalateAfter: map[int]time.Duration{1: 2 * time.Minute, 2: -1}, EscalationMention: "<!channel> <!subteam^S0LEADS>",
		AutoResolveAfter: time.Hour, UniqueKey: []string{"order_id"}, Repeat: 2, ResolveAfterFix: true, BackfillBudget: 1e9,
		Steps: []workflows.EscalationStep{
			{After: 5 * time.Minute, Mention: []string{"<@U0SECOND>"}},
			{EscalatePagerDuty: true, PagerDutyLevel: 3, PageService: "platform"},
		},
		Room: &workflows.TriageRoom{Severities: []int{1, 3}, Prefix: "inc-", Invite: []string{"U0ONCALL"}},
	}
	if got := TriagePolicy(p); !reflect.DeepEqual(got, want) {
		t.Errorf("converted\n %+v\nwant\n %+v", got, want)
	}
	if got := TriagePolicy(config.TriagePolicy{}); !reflect.DeepEqual(got, workflows.TriagePolicy{}) {
		t.Errorf("an empty policy converts to %+v, want the zero policy (the workflow's defaults)", got)
	}
}
