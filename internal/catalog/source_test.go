package catalog

import (
	"strings"
	"testing"
)

func TestRender(t *testing.T) {
	tests := []struct {
		name    string
		src     Source
		want    string
		wantErr string
	}{
		{name: "select", src: Source{Select: "SELECT * FROM raw.e WHERE t >= {{ .From }} AND t < {{.To}}"},
			want: "SELECT * FROM raw.e WHERE t >= $1 AND t < $2"},
		{name: "comment", src: Source{Select: "SELECT 1 {{/* no bounds */}}"}, want: "SELECT 1 "},
		{name: "other field", src: Source{Select: "SELECT {{ .Table }}"}, wantErr: "found {{.Table}} on line 1"},
		{name: "function", src: Source{Select: "SELECT 1\nWHERE x = {{ printf \"%d\" 1 }}"}, wantErr: "on line 2"},
		{name: "conditional", src: Source{Select: "{{ if .From }}x{{ end }}"}, wantErr: "may only use"},
		{name: "nested field", src: Source{Select: "{{ .From.X }}"}, wantErr: "may only use"},
		{name: "variable", src: Source{Select: "{{ $x := .From }}"}, wantErr: "may only use"},
		{name: "define", src: Source{Select: `{{ define "x" }}y{{ end }}`}, wantErr: "may not define"},
		{name: "syntax", src: Source{Select: "{{ .From "}, wantErr: "invalid template"},
		{name: "table", src: Source{Table: "raw.copy"}, wantErr: "use Dataset.SourceQuery"},
		{name: "empty", src: Source{}, wantErr: "no select"},
	}
	for _, tt := range tests {
		got, err := tt.src.Render("$1", "$2")
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("%s: Render error = %v, want one containing %q", tt.name, err, tt.wantErr)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("%s: Render = %q, %v; want %q", tt.name, got, err, tt.want)
		}
	}
}

func TestSourceQuery(t *testing.T) {
	part := &Partition{Column: "order_date", Granularity: Day}
	tests := []struct {
		name    string
		d       Dataset
		want    string
		wantErr string
	}{
		{name: "select", d: Dataset{Source: &Source{Select: "SELECT a FROM b WHERE c >= {{ .From }} AND c < {{ .To }}"}},
			want: "SELECT a FROM b WHERE c >= @from AND c < @to"},
		{name: "table", d: Dataset{Partition: part, Source: &Source{Table: "raw.orders_copy"}},
			want: "SELECT * FROM raw.orders_copy WHERE order_date >= @from AND order_date < @to"},
		{name: "table without partition", d: Dataset{Name: "x", Source: &Source{Table: "raw.orders_copy"}}, wantErr: "no partition"},
		{name: "no source", d: Dataset{Name: "x"}, wantErr: `dataset "x" has no source`},
	}
	for _, tt := range tests {
		got, err := tt.d.SourceQuery("@from", "@to")
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("%s: error = %v, want one containing %q", tt.name, err, tt.wantErr)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("%s: SourceQuery = %q, %v; want %q", tt.name, got, err, tt.want)
		}
	}
}

func TestSchemaTable(t *testing.T) {
	tests := []struct{ table, schema, name string }{
		{"public.orders", "public", "orders"},
		{"orders", "", "orders"},
		{"analytics.daily_orders", "analytics", "daily_orders"},
	}
	for _, tt := range tests {
		s, n := Dataset{Table: tt.table}.SchemaTable()
		if s != tt.schema || n != tt.name {
			t.Errorf("SchemaTable(%q) = %q, %q; want %q, %q", tt.table, s, n, tt.schema, tt.name)
		}
	}
}
