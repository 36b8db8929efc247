package bigquery

import (
	"testing"

	"cloud.google.com/go/bigquery"

	"github.com/dre-dev/dre/internal/pii"
)

// TestSampleTextNamesStructFields: the client returns a STRUCT and a
// REPEATED column positionally; the sample must carry the field names so
// that the PII scan finds customer.contacts[].email by path. The stand-in
// has no STRUCT columns, hence this test of the conversion alone.
func TestSampleTextNamesStructFields(t *testing.T) {
	field := &bigquery.FieldSchema{Name: "customer", Type: bigquery.RecordFieldType, Schema: bigquery.Schema{
		{Name: "tier", Type: bigquery.StringFieldType},
		{Name: "contacts", Type: bigquery.RecordFieldType, Repeated: true, Schema: bigquery.Schema{
			{Name: "email", Type: bigquery.StringFieldType}, {Name: "primary", Type: bigquery.BooleanFieldType}}},
		{Name: "extra", Type: bigquery.JSONFieldType},
	}}
	var values []string
	for _, e := range []string{"ann@example.com", "bo@example.org", "cy@example.net", "di@example.com"} {
		row := []bigquery.Value{"gold", []bigquery.Value{[]bigquery.Value{e, true}}, `{"source":"web"}`}
		values = append(values, sampleText(field, row))
	}
	want := `{"contacts":[{"email":"ann@example.com","primary":"true"}],"extra":{"source":"web"},"tier":"gold"}`
	if values[0] != want {
		t.Fatalf("sampleText = %s; want %s", values[0], want)
	}
	r := pii.Inspect(pii.ColumnInfo{Name: "customer", Type: "RECORD"}, values, pii.Options{})
	if len(r.Findings) != 1 || r.Findings[0].Path != "customer.contacts[].email" || r.Findings[0].Kind != pii.Email {
		t.Errorf("findings %+v; want customer.contacts[].email as email", r.Findings)
	}
	tags := &bigquery.FieldSchema{Name: "tags", Type: bigquery.StringFieldType, Repeated: true}
	if got := sampleText(tags, []bigquery.Value{"a", "b"}); got != `["a","b"]` {
		t.Errorf("a repeated STRING renders %s; want a JSON array", got)
	}
}
