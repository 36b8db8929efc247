package cli

import (
	"errors"
	"strings"

	"github.com/dre-dev/dre/internal/config"
	"github.com/dre-dev/dre/internal/people"
)

// defaultPrincipal is who an access request from the CLI grants to when
// --principal is not given: the requester's principal on the dataset's
// warehouse in dre.yaml's people directory (a PostgreSQL role, or a
// BigQuery member such as user:ann@example.com), when the directory
// knows the requester. Otherwise, on PostgreSQL, the requester's user
// name as a role; BigQuery has no such fallback, so the error says what
// to add to dre.yaml.
func defaultPrincipal(cfg *config.Config, requester, warehouse string) (string, error) {
	id := strings.TrimPrefix(requester, "cli:")
	onBigQuery := cfg.Warehouses[warehouse].BigQuery != nil
	if cfg.People != nil {
		if _, err := cfg.People.Person(id); err == nil {
			principal, err := cfg.People.Principal(id, warehouse)
			if err == nil || onBigQuery || !errors.Is(err, people.ErrNoPrincipal) {
				return principal, err
			}
		}
	}
	if onBigQuery {
		return "", errors.New("a BigQuery grant goes to an IAM member: give --principal user:you@example.com, or run as a person (--as) whose people.<id>.principals names one for warehouse " + warehouse)
	}
	return id, nil
}
