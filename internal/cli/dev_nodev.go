//go:build nodev

package cli

import (
	"errors"

	"github.com/spf13/cobra"
)

// errNoDev is what `dre dev` answers in the production build.
var errNoDev = errors.New(`dre dev is not in this build: this binary was built with -tags nodev for servers and containers, ` +
	`without the embedded Temporal server, its UI and the local PostgreSQL; ` +
	`use the full build ("make build", or "go run ./cmd/dre dev --demo" in a checkout)`)

// newDevCmd stands in for `dre dev` in the production build, which the
// deploy image ships: the embedded Temporal server and UI make up most of
// the full binary, and no server runs them. The command stays in the tree,
// so that `dre dev` explains itself instead of being an unknown command.
func newDevCmd(*globals) *cobra.Command {
	return &cobra.Command{
		Use:     "dev",
		Short:   "Not in this build: the all-in-one development stack needs the full build",
		Example: "  go run ./cmd/dre dev --demo   # from a checkout, with the full build",
		// Any flag of the full build's dev is accepted, so the answer is
		// always the explanation rather than an unknown-flag error.
		DisableFlagParsing: true,
		RunE:               func(*cobra.Command, []string) error { return errNoDev },
	}
}
