package activities

import (
	"context"
	"fmt"

	"go.temporal.io/sdk/temporal"

	"github.com/dre-dev/dre/internal/catalog"
)

// errTagNotVerified marks a tag the warehouse accepted but Describe does
// not show, which a retry of the same write will not change.
const errTagNotVerified = "TagNotVerified"

// PIITagInput is an approved "tag as PII" of one column.
type PIITagInput struct {
	Warehouse string          `json:"warehouse"`
	Table     string          `json:"table"`
	Column    string          `json:"column"`
	Kind      catalog.PIIKind `json:"kind"`
}

// PIITagResult is the column's tag as Describe reads it back.
type PIITagResult struct {
	Column string          `json:"column"`
	Tag    catalog.PIIKind `json:"tag"`
}

// TagColumn writes a column's PII tag and reads it back. Tagging is
// idempotent, so a retry after a lost reply writes the same tag again.
func (s *PIIScans) TagColumn(ctx context.Context, in PIITagInput) (PIITagResult, error) {
	if !in.Kind.Valid() {
		return PIITagResult{}, temporal.NewNonRetryableApplicationError(
			fmt.Sprintf("PII kind %q is not a catalog kind; use one of email, phone, card, iban, national_id, ip, dob", in.Kind), errInvalidInput, nil)
	}
	w, ref, err := s.open(ctx, in.Warehouse, in.Table)
	if err != nil {
		return PIITagResult{}, err
	}
	if err := w.TagPII(ctx, ref, in.Column, string(in.Kind)); err != nil {
		return PIITagResult{}, backfillFailure(err)
	}
	info, err := w.Describe(ctx, ref)
	if err != nil {
		return PIITagResult{}, backfillFailure(err)
	}
	for _, col := range info.Columns {
		if col.Name == in.Column && col.PII == string(in.Kind) {
			return PIITagResult{Column: col.Name, Tag: catalog.PIIKind(col.PII)}, nil
		}
	}
	msg := fmt.Sprintf("tagged %s.%s as %s, but Describe does not show the tag; check the warehouse adapter's PII tag format", in.Table, in.Column, in.Kind)
	return PIITagResult{}, temporal.NewNonRetryableApplicationError(msg, errTagNotVerified, nil)
}
