package catalog

import (
	"errors"
	"slices"
	"testing"
)

func TestLookup(t *testing.T) {
	c := New([]Dataset{{Name: "orders"}, {Name: "events"}, {Name: "customers"}, {Name: "orders", Table: "dup.ignored"}})
	tests := []struct {
		name    string
		want    string // expected error message; "" for success
		suggest []string
	}{
		{name: "orders"},
		{name: "ordres", want: `unknown dataset "ordres"; did you mean "orders"? known datasets: customers, events, orders`, suggest: []string{"orders"}},
		{name: "customer", want: `unknown dataset "customer"; did you mean "customers"? known datasets: customers, events, orders`, suggest: []string{"customers"}},
		{name: "event", want: `unknown dataset "event"; did you mean "events"? known datasets: customers, events, orders`, suggest: []string{"events"}},
		{name: "revenue", want: `unknown dataset "revenue"; known datasets: customers, events, orders`},
	}
	for _, tt := range tests {
		d, err := c.Lookup(tt.name)
		if tt.want == "" {
			if err != nil || d.Name != tt.name || d.Table != "" {
				t.Errorf("Lookup(%q) = %+v, %v; want the first dataset of that name", tt.name, d, err)
			}
			continue
		}
		var unknown *UnknownDatasetError
		if !errors.As(err, &unknown) || err.Error() != tt.want {
			t.Errorf("Lookup(%q) error = %v, want %s", tt.name, err, tt.want)
			continue
		}
		if !slices.Equal(unknown.Suggestions, tt.suggest) || unknown.Name != tt.name {
			t.Errorf("Lookup(%q) suggestions = %v, want %v", tt.name, unknown.Suggestions, tt.suggest)
		}
	}
}

func TestEmptyCatalog(t *testing.T) {
	for _, c := range []*Catalog{nil, New(nil)} {
		_, err := c.Lookup("orders")
		want := `unknown dataset "orders"; the catalog is empty: add datasets to dre.yaml under datasets:`
		if err == nil || err.Error() != want {
			t.Errorf("Lookup on empty catalog = %v, want %s", err, want)
		}
		if c.Len() != 0 || len(c.Names()) != 0 || len(c.Datasets()) != 0 {
			t.Errorf("empty catalog reports datasets: %v", c.Names())
		}
	}
}

func TestNamesAndDatasetsSorted(t *testing.T) {
	c := New([]Dataset{{Name: "b"}, {Name: "c"}, {Name: "a"}})
	names := c.Names()
	if !slices.Equal(names, []string{"a", "b", "c"}) {
		t.Fatalf("Names() = %v, want [a b c]", names)
	}
	names[0] = "mutated"
	if c.Names()[0] != "a" {
		t.Error("Names() returned the catalog's own slice; callers could mutate it")
	}
	var got []string
	for _, d := range c.Datasets() {
		got = append(got, d.Name)
	}
	if !slices.Equal(got, []string{"a", "b", "c"}) {
		t.Errorf("Datasets() names = %v, want [a b c]", got)
	}
}

func TestSuggest(t *testing.T) {
	tests := []struct {
		word       string
		candidates []string
		want       []string
	}{
		{"tabel", []string{"table", "owner", "labels"}, []string{"table", "labels"}},
		{"freshnes_column", []string{"freshness_column", "partition"}, []string{"freshness_column"}},
		{"Orders", []string{"orders"}, []string{"orders"}},
		{"ord", []string{"orders", "order_items", "events"}, []string{"orders", "order_items"}},
		{"xyz", []string{"orders", "events"}, nil},
		{"a", []string{"b", "slack", "data"}, nil},
		{"ab", []string{"ac", "b", "abc", "xyz"}, []string{"abc", "ac", "b"}},
		{"stat", []string{"state", "status", "gateway"}, []string{"state", "status"}},
		{"", []string{"averyverylongname"}, nil},
	}
	for _, tt := range tests {
		if got := Suggest(tt.word, tt.candidates); !slices.Equal(got, tt.want) {
			t.Errorf("Suggest(%q, %v) = %v, want %v", tt.word, tt.candidates, got, tt.want)
		}
	}
}

func TestEditDistance(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"", "", 0}, {"abc", "", 3}, {"orders", "ordres", 1}, {"table", "tabel", 1}, {"ca", "abc", 3}, {"kitten", "sitting", 3}, {"café", "cafe", 1},
	}
	for _, tt := range tests {
		if got := editDistance(tt.a, tt.b); got != tt.want {
			t.Errorf("editDistance(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
}
