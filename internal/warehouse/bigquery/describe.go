package bigquery

import (
	"context"
	"strings"

	"cloud.google.com/go/bigquery"

	"github.com/dre-dev/dre/internal/warehouse"
)

// Describe returns what tables.get knows of a table. LastModified is
// BigQuery's lastModifiedTime, which moves on metadata changes too, not
// only when rows change. Rows excludes rows still in the streaming buffer.
func (w *Warehouse) Describe(ctx context.Context, ref warehouse.TableRef) (warehouse.TableInfo, error) {
	if err := ref.Validate(); err != nil {
		return warehouse.TableInfo{}, err
	}
	md, err := w.metadata(ctx, ref)
	if err != nil {
		return warehouse.TableInfo{}, err
	}
	info := warehouse.TableInfo{
		Ref:          ref,
		Columns:      w.columns(md.Schema),
		Rows:         int64(md.NumRows),
		Bytes:        md.NumBytes,
		LastModified: md.LastModifiedTime.UTC(),
		Comment:      md.Description,
		Labels:       md.Labels,
		Partitioning: partitioning(md.TimePartitioning),
	}
	return info, nil
}

// Metadata returns what Restore puts back: comment, labels, PII tags and
// the table's IAM grants.
func (w *Warehouse) Metadata(ctx context.Context, ref warehouse.TableRef) (warehouse.TableMeta, error) {
	if err := ref.Validate(); err != nil {
		return warehouse.TableMeta{}, err
	}
	saved, _, err := w.fullMeta(ctx, ref)
	return saved.TableMeta, err
}

// metadata is tables.get, with BigQuery's errors translated.
func (w *Warehouse) metadata(ctx context.Context, ref warehouse.TableRef) (*bigquery.TableMetadata, error) {
	md, err := w.table(ref).Metadata(ctx)
	if err != nil {
		return nil, translate(err, tableOp(ref, "bigquery.tables.get"))
	}
	return md, nil
}

// columns lists the top-level columns; a RECORD's fields stay inside it.
func (w *Warehouse) columns(schema bigquery.Schema) []warehouse.Column {
	out := make([]warehouse.Column, 0, len(schema))
	for _, f := range schema {
		out = append(out, warehouse.Column{
			Name:     f.Name,
			Type:     typeName(f),
			Nullable: !f.Required && !f.Repeated,
			Comment:  f.Description,
			PII:      w.pii.kindOf(f.PolicyTags),
		})
	}
	return out
}

// standardNames maps the legacy type names tables.get reports to the
// GoogleSQL names people write in queries.
var standardNames = map[bigquery.FieldType]string{
	bigquery.IntegerFieldType: "INT64",
	bigquery.FloatFieldType:   "FLOAT64",
	bigquery.BooleanFieldType: "BOOL",
	bigquery.RecordFieldType:  "STRUCT",
}

func typeName(f *bigquery.FieldSchema) string {
	name, ok := standardNames[f.Type]
	if !ok {
		name = strings.ToUpper(string(f.Type))
	}
	if f.Repeated {
		return "ARRAY<" + name + ">"
	}
	return name
}

func partitioning(tp *bigquery.TimePartitioning) *warehouse.Partitioning {
	if tp == nil {
		return nil
	}
	column := tp.Field
	if column == "" {
		column = "_PARTITIONTIME" // ingestion-time partitioning
	}
	kind := tp.Type
	if kind == "" {
		kind = bigquery.DayPartitioningType
	}
	return &warehouse.Partitioning{Column: column, Granularity: strings.ToLower(string(kind))}
}
