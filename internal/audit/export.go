package audit

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Export formats.
const (
	FormatCSV  = "csv"
	FormatJSON = "json"
)

// csvHeader is the first line of a CSV export.
var csvHeader = []string{"seq", "at", "actor", "action", "target", "reason", "workflow_id", "run_id", "details", "prev_hash", "hash"}

// Export writes the records whose time is in [from, to) to w as CSV or as
// JSON lines (one record per line, so a large export streams).
func (l *Log) Export(ctx context.Context, w io.Writer, from, to time.Time, format string) (int, error) {
	var write func(Record) error
	switch format {
	case FormatJSON:
		enc := json.NewEncoder(w)
		write = func(r Record) error { return enc.Encode(r) }
	case FormatCSV:
		cw := csv.NewWriter(w)
		defer cw.Flush()
		if err := cw.Write(csvHeader); err != nil {
			return 0, err
		}
		write = func(r Record) error { return cw.Write(csvRow(r)) }
	default:
		return 0, fmt.Errorf("export format %q: want %s or %s", format, FormatCSV, FormatJSON)
	}
	n := 0
	err := l.Each(ctx, from, to, func(r Record) error {
		n++
		return write(r)
	})
	return n, err
}

func csvRow(r Record) []string {
	return []string{strconv.FormatInt(r.Seq, 10), r.At.UTC().Format(time.RFC3339Nano), r.Actor, r.Action, r.Target,
		r.Reason, r.WorkflowID, r.RunID, detailsText(r.Details), r.PrevHash, r.Hash}
}

// detailsText writes details as key=value pairs in key order.
func detailsText(d map[string]string) string {
	parts := make([]string, 0, len(d))
	for _, k := range slices.Sorted(maps.Keys(d)) {
		parts = append(parts, k+"="+d[k])
	}
	return strings.Join(parts, " ")
}
