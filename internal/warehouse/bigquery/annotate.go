package bigquery

import (
	"context"
	"fmt"
	"regexp"

	"cloud.google.com/go/bigquery"

	"github.com/dre-dev/dre/internal/warehouse"
)

// SetComment sets the table's description; "" clears it.
func (w *Warehouse) SetComment(ctx context.Context, ref warehouse.TableRef, comment string) error {
	if err := ref.Validate(); err != nil {
		return err
	}
	return w.update(ctx, ref, func(*bigquery.TableMetadata) (bigquery.TableMetadataToUpdate, error) {
		return bigquery.TableMetadataToUpdate{Description: comment}, nil
	})
}

// labelPattern is BigQuery's rule for label keys and values: lowercase
// letters, digits, _ and -, at most 63 characters. Checking here gives a
// clearer error than BigQuery's 400.
var labelPattern = regexp.MustCompile(`^[\p{Ll}\p{Lo}0-9_-]{0,63}$`)

// SetLabels sets labels, keeping the table's others; a key mapped to ""
// is deleted.
func (w *Warehouse) SetLabels(ctx context.Context, ref warehouse.TableRef, labels map[string]string) error {
	if err := ref.Validate(); err != nil {
		return err
	}
	for k, v := range labels {
		if k == "" || !labelPattern.MatchString(k) || !labelPattern.MatchString(v) {
			return fmt.Errorf("label %q=%q: BigQuery labels are lowercase letters, digits, _ and -, at most 63 characters", k, v)
		}
	}
	if len(labels) == 0 {
		_, err := w.metadata(ctx, ref) // nothing to change, but a missing table is still an error
		return err
	}
	return w.update(ctx, ref, func(*bigquery.TableMetadata) (bigquery.TableMetadataToUpdate, error) {
		var u bigquery.TableMetadataToUpdate
		for k, v := range labels {
			if v == "" {
				u.DeleteLabel(k)
			} else {
				u.SetLabel(k, v)
			}
		}
		return u, nil
	})
}

// maxUpdateTries bounds the read-modify-write loop when others keep
// changing the table under us.
const maxUpdateTries = 4

// update reads the table, builds a change from what it read and writes it
// with the etag it read (If-Match), so a concurrent change is never
// overwritten: on 412 it reads again and retries.
func (w *Warehouse) update(ctx context.Context, ref warehouse.TableRef, change func(*bigquery.TableMetadata) (bigquery.TableMetadataToUpdate, error)) error {
	var err error
	for range maxUpdateTries {
		var md *bigquery.TableMetadata
		if md, err = w.metadata(ctx, ref); err != nil {
			return err
		}
		u, cerr := change(md)
		if cerr != nil {
			return cerr
		}
		_, err = w.table(ref).Update(ctx, u, md.ETag)
		if !isPreconditionFailed(err) {
			break
		}
	}
	if err != nil {
		return translate(err, tableOp(ref, "bigquery.tables.update"))
	}
	return nil
}
