package cli

import (
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/spf13/cobra"
)

// Version is set at build time with -ldflags "-X github.com/dre-dev/dre/internal/cli.Version=v1.2.3".
var Version = "dev"

func newVersionCmd() *cobra.Command {
	return &cobra.Command{
		Use:     "version",
		Short:   "Print dre's version and the versions it was built with",
		Example: "  dre version",
		Args:    exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			fmt.Fprintf(cmd.OutOrStdout(), "dre %s (%s, %s/%s)\n", Version, runtime.Version(), runtime.GOOS, runtime.GOARCH)
			for _, dep := range dependencyVersions() {
				fmt.Fprintf(cmd.OutOrStdout(), "  %s\n", dep)
			}
			return nil
		},
	}
}

// dependencyVersions lists the Temporal modules compiled in, which decide
// what an embedded database file is compatible with.
func dependencyVersions() []string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return nil
	}
	wanted := map[string]bool{"go.temporal.io/sdk": true, "go.temporal.io/server": true, "github.com/temporalio/ui-server/v2": true}
	var out []string
	for _, m := range info.Deps {
		if wanted[m.Path] {
			out = append(out, m.Path+" "+m.Version)
		}
	}
	return out
}
