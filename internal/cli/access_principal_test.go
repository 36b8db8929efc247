package cli

import (
	"testing"

	"github.com/dre-dev/dre/internal/config"
	"github.com/dre-dev/dre/internal/people"
)

// A CLI request grants to the requester's principal on the dataset's
// warehouse from the people directory; BigQuery, unlike PostgreSQL, has
// no user-name fallback.
func TestDefaultPrincipalComesFromThePeopleDirectory(t *testing.T) {
	cfg := &config.Config{
		Warehouses: map[string]config.Warehouse{"lake": {BigQuery: &config.BigQuery{Project: "p"}}, "local": {}},
		People:     people.NewDirectory(map[string]people.Person{"ann": {Principals: map[string]string{"lake": "user:ann@example.com"}}}, nil),
	}
	cases := []struct{ requester, warehouse, want string }{
		{"cli:ann", "lake", "user:ann@example.com"},
		{"cli:ann", "local", "ann"},
		{"cli:bo", "local", "bo"},
		{"cli:bo", "lake", ""},
	}
	for _, c := range cases {
		got, err := defaultPrincipal(cfg, c.requester, c.warehouse)
		if got != c.want || (err != nil) != (c.want == "") {
			t.Errorf("defaultPrincipal(%s, %s) = %q, %v; want %q", c.requester, c.warehouse, got, err, c.want)
		}
	}
}
