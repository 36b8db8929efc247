package uilink

import "testing"

func TestLinksEscapeSlashesInWorkflowIDs(t *testing.T) {
	if got, want := Workflow("", "default", "triage/orders"), "http://127.0.0.1:8233/namespaces/default/workflows/triage%2Forders"; got != want {
		t.Errorf("Workflow = %s, want %s", got, want)
	}
	if got, want := Run("http://ui:8080/", "prod", "backfill/orders", "r1"), "http://ui:8080/namespaces/prod/workflows/backfill%2Forders/r1/history"; got != want {
		t.Errorf("Run = %s, want %s", got, want)
	}
}
