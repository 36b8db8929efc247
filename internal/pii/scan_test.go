package pii

import "testing"

func TestScanColumnFlagsByRatio(t *testing.T) {
	emails := []string{"a1@example.com", "b2@example.com", "c3@example.com", "d4@example.com", "n/a"}
	m, ok := ScanColumn("contact", emails, 0)
	if !ok || m.Kind != Email || m.Matched != 4 || m.Sampled != 5 || m.Ratio != 0.8 {
		t.Fatalf("ScanColumn = %+v, %v; want email with 4 of 5 matched", m, ok)
	}
	if m.Confidence <= 0.7 || m.Confidence > m.Ratio {
		t.Errorf("confidence %.3f: want the mean match score (0.95) times the ratio", m.Confidence)
	}
	if _, ok := ScanColumn("contact", emails, 0.9); ok {
		t.Error("4 of 5 matches passed a 0.9 threshold")
	}
}

func TestScanColumnIgnoresEmptyValuesAndNeedsEnough(t *testing.T) {
	if m, ok := ScanColumn("c", []string{"a@example.com", "", "  ", "b@example.com"}, 0); ok || m.Sampled != 2 {
		t.Fatalf("two values flagged a column (%+v); want no verdict under MinValues", m)
	}
	free := []string{"call me", "mail a@example.com", "ok", "thanks", "b@example.com"}
	if m, ok := ScanColumn("notes", free, 0); ok {
		t.Fatalf("free text with one address flagged as %s", m.Kind)
	}
}

func TestScanColumnPrefersTheMoreConfidentKind(t *testing.T) {
	// Formatted SSNs in an ssn column: nothing else should win.
	m, ok := ScanColumn("ssn", []string{"123-45-6789", "234-56-7890", "345-67-8901"}, 0)
	if !ok || m.Kind != SSN {
		t.Fatalf("ScanColumn = %+v, %v; want ssn", m, ok)
	}
	if k, s := Classify("c", "4111 1111 1111 1111"); k != Card || s < MatchScore {
		t.Errorf("Classify(card) = %s %.2f", k, s)
	}
	if k, _ := Classify("c", "hello"); k != "" {
		t.Errorf("Classify(hello) = %s, want none", k)
	}
}
