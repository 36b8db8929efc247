package catalog

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/goccy/go-yaml"
)

// TestJSONTagsMatchYAML keeps the workflow-input encoding and dre.yaml
// using the same key names.
func TestJSONTagsMatchYAML(t *testing.T) {
	types := []any{Dataset{}, Owner{}, Partition{}, Source{}, SLO{}, PII{}, Lifecycle{}, Brownout{}}
	for _, v := range types {
		rt := reflect.TypeOf(v)
		for i := range rt.NumField() {
			f := rt.Field(i)
			y, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
			j, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if y == "" || y != j {
				t.Errorf("%s.%s: yaml name %q, json name %q; want equal and non-empty", rt.Name(), f.Name, y, j)
			}
		}
	}
}

func TestDatasetJSONRoundTrip(t *testing.T) {
	tests := []Dataset{validDataset(), {Name: "bare", Warehouse: "w", Table: "s.t"}}
	for _, in := range tests {
		data, err := json.Marshal(in)
		if err != nil {
			t.Fatalf("json.Marshal(%s): %v", in.Name, err)
		}
		var out Dataset
		if err := json.Unmarshal(data, &out); err != nil {
			t.Fatalf("json.Unmarshal(%s): %v", data, err)
		}
		if !reflect.DeepEqual(in, out) {
			t.Errorf("JSON round trip changed %s:\n got  %+v\n want %+v", in.Name, out, in)
		}
	}
}

func TestDatasetFromYAML(t *testing.T) {
	src := `
name: orders
warehouse: local
table: public.orders
partition: {column: order_date, granularity: day}
slos:
  - {name: f, kind: freshness, threshold: 26h, objective: 0.99, window: 28d, interval: 10m}
lifecycle:
  deprecate_on: 2027-03-01
  brownouts: [{start: 2027-02-15T14:00:00Z, duration: 2h}]
  final_action: drop
`
	var d Dataset
	if err := yaml.Unmarshal([]byte(src), &d); err != nil {
		t.Fatal(err)
	}
	tests := []struct{ name, got, want string }{
		{"granularity", string(d.Partition.Granularity), "day"},
		{"window", d.SLOs[0].Window.String(), "28d"},
		{"deprecate_on", d.Lifecycle.DeprecateOn.String(), "2027-03-01"},
		{"brownout", d.Lifecycle.Brownouts[0].Start.Format("2006-01-02T15:04Z07:00"), "2027-02-15T14:00Z"},
		{"brownout duration", d.Lifecycle.Brownouts[0].Duration.String(), "2h"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s = %q, want %q", tt.name, tt.got, tt.want)
		}
	}
}
