// Package devserver runs a Temporal server and its Web UI inside the dre process.
//
// It backs `dre dev` (a SQLite file that survives restarts) and the tests (an
// in-memory database, random ports). It is a single-process server tuned for
// latency: production deployments use a Temporal cluster or Temporal Cloud
// instead (see deploy/).
package devserver

import (
	"io"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
)

// Default addresses, the same ones the Temporal CLI's dev server uses, so that
// the `temporal` CLI and SDK defaults find the server without flags.
const (
	DefaultFrontendAddress = "127.0.0.1:7233"
	DefaultUIAddress       = "127.0.0.1:8233"
	DefaultNamespace       = "default"
	DefaultRetention       = 30 * 24 * time.Hour
	DefaultDBPath          = ".dre/temporal.db"
)

// Options configures a Server. The zero value is not usable; start from
// FileOptions or EphemeralOptions.
type Options struct {
	// DBPath is the SQLite file that holds all state. Empty means in memory:
	// everything is lost when the process exits (tests).
	DBPath string
	// FrontendAddress is host:port of the frontend gRPC service. Port 0 picks a
	// free port.
	FrontendAddress string
	// UIAddress is host:port of the Temporal Web UI. Empty disables the UI;
	// port 0 picks a free port.
	UIAddress string
	// Namespace is created on the first start.
	Namespace string
	// Retention is how long closed workflows stay visible in the namespace.
	Retention time.Duration
	// SearchAttributes are registered when the namespace is created and added
	// on later starts when missing.
	SearchAttributes map[string]enumspb.IndexedValueType
	// LogFile receives the server's own log (warnings and errors). Empty
	// means errors only, on LogOutput.
	LogFile string
	// LogOutput receives the server's errors when LogFile is empty; nil
	// discards them.
	LogOutput io.Writer
	// ReadyTimeout bounds the wait for the frontend to answer.
	ReadyTimeout time.Duration
}

// FileOptions returns the options `dre dev` uses: state in a SQLite file,
// the CLI's usual ports and the UI on.
func FileOptions(dbPath string) Options {
	return Options{
		DBPath:          dbPath,
		FrontendAddress: DefaultFrontendAddress,
		UIAddress:       DefaultUIAddress,
		Namespace:       DefaultNamespace,
		Retention:       DefaultRetention,
		ReadyTimeout:    time.Minute,
	}
}

// EphemeralOptions returns the options tests use: in memory, free ports, no UI.
func EphemeralOptions() Options {
	return Options{
		FrontendAddress: "127.0.0.1:0",
		Namespace:       DefaultNamespace,
		Retention:       DefaultRetention,
		ReadyTimeout:    time.Minute,
	}
}
