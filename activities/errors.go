package activities

import (
	"go.temporal.io/sdk/temporal"

	"github.com/dre-dev/dre/internal/warehouse"
)

// Error types shared with the workflows package (which cannot be imported
// from here without a cycle; the values must match workflows.Err*).
const (
	errInvalidInput     = "InvalidInput"
	errUnknownWarehouse = "UnknownWarehouse"
	// errOtherGrantor is a privilege only another grantor can revoke.
	errOtherGrantor = "OtherGrantor"
)

// parseTable parses a catalog table name; a bad one is a non-retryable
// InvalidInput error, since no retry can fix dre.yaml.
func parseTable(name string) (warehouse.TableRef, error) {
	ref, err := warehouse.ParseTableRef(name)
	if err != nil {
		return ref, temporal.NewNonRetryableApplicationError(err.Error(), errInvalidInput, err)
	}
	return ref, nil
}
