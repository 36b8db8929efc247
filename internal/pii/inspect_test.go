package pii

import (
	"fmt"
	"testing"
)

func findingsOf(r ColumnReport) map[string]string {
	out := map[string]string{}
	for _, f := range r.Findings {
		out[f.Path] = f.Mode + " " + string(f.Kind)
	}
	return out
}

func TestInspectFindsEmailsNestedInJSON(t *testing.T) {
	var docs []string
	for i := range 20 {
		docs = append(docs, fmt.Sprintf(`{"event":"signup","user":{"email":"user%d@example.org","plan":"pro","id":%d},"items":[{"sku":"SKU-%04d"}]}`, i, 1000+i, i))
	}
	r := Inspect(ColumnInfo{Name: "payload", Type: "jsonb"}, docs, Options{})
	got := findingsOf(r)
	if len(got) != 1 || got["payload.user.email"] != "is email" {
		t.Fatalf("findings %v; want payload.user.email as email and nothing else", got)
	}
}

func TestInspectFlagsNotesMentioningPhonesInAThirdOfRows(t *testing.T) {
	var notes []string
	for i := range 30 {
		note := fmt.Sprintf("Customer asked about order ORD-%06d, shipped 2026-03-%02d.", 1000+i, 1+i%28)
		if i%3 == 0 {
			note += fmt.Sprintf(" Call back on +44 7700 9%05d please.", i)
		}
		notes = append(notes, note)
	}
	r := Inspect(ColumnInfo{Name: "note", Type: "text"}, notes, Options{})
	if len(r.Findings) != 1 || r.Findings[0].Mode != ModeContains || r.Findings[0].Kind != Phone || r.Findings[0].Ratio < 0.3 {
		t.Fatalf("findings %+v; want the note column to contain phones in a third of rows", r.Findings)
	}
}

func TestInspectHintsAtAnEmptySSNColumn(t *testing.T) {
	r := Inspect(ColumnInfo{Name: "ssn", Type: "text"}, nil, Options{})
	if len(r.Findings) != 0 || len(r.Hints) != 1 || r.Hints[0].Kind != SSN {
		t.Fatalf("report %+v; want one SSN hint from the column name", r)
	}
	r = Inspect(ColumnInfo{Name: "c7", Comment: "Customer's date of birth"}, nil, Options{})
	if len(r.Hints) != 1 || r.Hints[0].Kind != DOB {
		t.Fatalf("report %+v; want a DOB hint from the comment", r)
	}
	r = Inspect(ColumnInfo{Name: "status", Comment: "order state"}, []string{"open", "closed", "open"}, Options{})
	if len(r.Hints) != 0 || len(r.Findings) != 0 {
		t.Fatalf("report %+v; want nothing for a status column", r)
	}
}

func TestNamesAcrossScripts(t *testing.T) {
	cases := map[string][]string{
		"full_name": {"Olivia Martin", "Hans Müller", "José García", "Иван Петров", "王伟", "佐藤 健", "김민준", "محمد علي", "Zebulon Quart"},
		"customer":  {"Olivia Martin", "Priya Sharma", "Lukas Schneider", "Ana Souza", "Kwame Mensah", "Marie Dubois"},
	}
	for col, values := range cases {
		m, ok := ScanColumn(col, values, 0)
		if !ok || m.Kind != Name {
			t.Errorf("%s: %+v, %v; want a name column", col, m, ok)
		}
	}
	for col, values := range map[string][]string{
		"product_name": {"Olivia Lamp", "Smart Steel Chair", "Ergonomic Desk"},
		"title":        {"Chief Executive Officer", "Data Engineer", "Head Of Sales"},
		"name":         {"Ergonomic Steel Chair", "Rustic Wooden Table", "Sleek Cotton Shirt", "Handmade Granite Bottle"},
	} {
		if m, ok := ScanColumn(col, values, 0); ok {
			t.Errorf("%s: flagged as %s (%v); want no finding", col, m.Kind, m.Reasons)
		}
	}
}

func TestAddressesAcrossLocales(t *testing.T) {
	for _, v := range []string{"221B Baker Street, London NW1 6XE", "1600 Amphitheatre Pkwy, Mountain View, CA 94043",
		"12 rue de la Paix, 75002 Paris", "Hauptstraße 5, 10115 Berlin", "Calle Mayor 12, 28013 Madrid",
		"Kerkstraat 12, 1017 GB Amsterdam", "ул. Ленина, 10", "〒100-0001 東京都千代田区千代田1-1", "北京市朝阳区建国路88号",
		"서울특별시 강남구 테헤란로 152"} {
		if s := (addressDetector{}).Score("shipping_address", v); s < MatchScore {
			t.Errorf("%q scores %.2f; want an address", v, s)
		}
	}
	for _, v := range []string{"Road Bike 29 inch", "GET /api/v1/orders 200 12ms", "Order 12345 shipped", "Version 2 Release Notes", "12345"} {
		if s := (addressDetector{}).Score("description", v); s >= MatchScore {
			t.Errorf("%q scores %.2f; want no address", v, s)
		}
	}
}

func TestNamesInUpperAndLowerCase(t *testing.T) {
	if m, ok := ScanColumn("customer", []string{"JOHN SMITH", "MARIA GARCIA", "olivia martin", "hans müller"}, 0); !ok || m.Kind != Name {
		t.Errorf("upper- and lower-case names: %+v, %v; want a name column", m, ok)
	}
	if m, ok := ScanColumn("stage", []string{"PENDING REVIEW", "in transit", "DELIVERED", "on hold"}, 0); ok {
		t.Errorf("status phrases flagged as %s; want nothing", m.Kind)
	}
}

func TestTableContextOfANameColumn(t *testing.T) {
	people := []string{"Zebulon Quart", "Ottoline Brisk", "Percival Dunmore", "Wilhelmina Stroud"} // no listed names
	r := Inspect(ColumnInfo{Table: "customers", Name: "name"}, people, Options{})
	if len(r.Findings) != 1 || r.Findings[0].Kind != Name || r.Findings[0].Path != "name" {
		t.Errorf("customers.name: %+v; want a name column by the table's context", r.Findings)
	}
	r = Inspect(ColumnInfo{Table: "products", Name: "name"}, []string{"Olivia Lamp", "Martin Chair", "Priya Stool", "Hans Desk"}, Options{})
	if len(r.Findings) != 0 {
		t.Errorf("products.name: %+v; want nothing", r.Findings)
	}
}
