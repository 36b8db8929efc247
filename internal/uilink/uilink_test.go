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

func TestSiblingLinksAnotherWorkflowOfTheSameUI(t *testing.T) {
	own := Workflow("http://ui:8080", "prod", "triage/orders")
	got, ok := Sibling(own, "triage/orders", "backfill/orders")
	if want := "http://ui:8080/namespaces/prod/workflows/backfill%2Forders"; !ok || got != want {
		t.Errorf("Sibling = %s, %v; want %s", got, ok, want)
	}
	if _, ok := Sibling("https://elsewhere.example/run", "triage/orders", "backfill/orders"); ok {
		t.Error("Sibling of a link of another shape should not be ok")
	}
	if _, ok := Sibling("", "triage/orders", "backfill/orders"); ok {
		t.Error("Sibling of no link should not be ok")
	}
}
