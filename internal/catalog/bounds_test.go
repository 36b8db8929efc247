package catalog

import (
	"strings"
	"testing"
)

func TestExpandBoundsAcceptsBothSpellings(t *testing.T) {
	tests := []struct {
		name, text, from, to, want string
	}{
		{"template, named placeholders", "SELECT * FROM s WHERE d >= {{ .From }} AND d < {{ .To }}", "@from", "@to",
			"SELECT * FROM s WHERE d >= @from AND d < @to"},
		{"template, positional placeholders", "SELECT * FROM s WHERE d >= {{.From}} AND d < {{.To}}", "$1", "$2",
			"SELECT * FROM s WHERE d >= $1 AND d < $2"},
		{"deprecated, named placeholders", "SELECT * FROM s WHERE d >= @from AND d < @to", "@from", "@to",
			"SELECT * FROM s WHERE d >= @from AND d < @to"},
		{"deprecated, positional placeholders", "SELECT * FROM s WHERE d >= @from AND d < @to", "$1", "$2",
			"SELECT * FROM s WHERE d >= $1 AND d < $2"},
		{"mixed", "SELECT * FROM s WHERE d >= {{ .From }} AND d < @to", "$1", "$2",
			"SELECT * FROM s WHERE d >= $1 AND d < $2"},
		{"longer names are other parameters", "SELECT @fromage, @to_date, @top FROM s", "$1", "$2",
			"SELECT @fromage, @to_date, @top FROM s"},
	}
	for _, tt := range tests {
		got, err := ExpandBounds(tt.text, tt.from, tt.to)
		if err != nil || got != tt.want {
			t.Errorf("%s: ExpandBounds = %q, %v; want %q", tt.name, got, err, tt.want)
		}
	}
}

func TestExpandBoundsRefusesOtherTemplateActions(t *testing.T) {
	for _, text := range []string{"SELECT {{ .Table }}", "SELECT {{ .From ", `SELECT {{ printf "%s" .From }}`} {
		if got, err := ExpandBounds(text, "@from", "@to"); err == nil || !strings.Contains(err.Error(), "template") {
			t.Errorf("ExpandBounds(%q) = %q, %v; want an error naming the template", text, got, err)
		}
	}
}

func TestBoundsWarningNamesTheReplacementForTheDeprecatedSpelling(t *testing.T) {
	for _, text := range []string{"SELECT * FROM s WHERE d >= @from", "SELECT * FROM s WHERE d < @to", "SELECT {{ .From }}, @to"} {
		w := BoundsWarning(text)
		if !strings.Contains(w, "deprecated") || !strings.Contains(w, "{{ .From }} and {{ .To }}") {
			t.Errorf("BoundsWarning(%q) = %q; want it to say @from/@to are deprecated and what to write", text, w)
		}
	}
	for _, text := range []string{"SELECT * FROM s WHERE d >= {{ .From }} AND d < {{ .To }}", "SELECT @fromage", "SELECT 1"} {
		if w := BoundsWarning(text); w != "" {
			t.Errorf("BoundsWarning(%q) = %q; want none", text, w)
		}
	}
}
