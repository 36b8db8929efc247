// Command record saves the event history of a workflow run as JSON, for the
// replay tests in tests/replay. Point it at a running `dre dev`:
//
//	go run ./tests/replay/record -id check/orders -out tests/testdata/histories/check-once.json
//
// Commit the file with the change that produced it; CI replays every file
// against the current workflow code, so an incompatible change fails CI
// instead of failing running workflows in production.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"

	"go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/sdk/client"
	"google.golang.org/protobuf/encoding/protojson"
)

func main() {
	addr := flag.String("address", "127.0.0.1:7233", "Temporal frontend")
	namespace := flag.String("namespace", "default", "namespace")
	id := flag.String("id", "", "workflow ID (required)")
	runID := flag.String("run", "", "run ID (default: the latest run)")
	out := flag.String("out", "", "output file (required)")
	flag.Parse()
	if *id == "" || *out == "" {
		flag.Usage()
		os.Exit(2)
	}
	if err := record(*addr, *namespace, *id, *runID, *out); err != nil {
		fmt.Fprintln(os.Stderr, "record:", err)
		os.Exit(1)
	}
}

func record(addr, namespace, id, runID, out string) error {
	c, err := client.Dial(client.Options{HostPort: addr, Namespace: namespace})
	if err != nil {
		return err
	}
	defer c.Close()
	history := &historypb.History{}
	iter := c.GetWorkflowHistory(context.Background(), id, runID, false, enums.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for iter.HasNext() {
		event, err := iter.Next()
		if err != nil {
			return err
		}
		history.Events = append(history.Events, event)
	}
	data, err := protojson.MarshalOptions{Multiline: true, Indent: "  "}.Marshal(history)
	if err != nil {
		return err
	}
	fmt.Printf("%s: %d events\n", out, len(history.Events))
	return os.WriteFile(out, data, 0o644)
}
