// Package followups keeps the action items of incident postmortems in
// dre's state database (PostgreSQL), in the table incident_followups,
// which it creates on first use. An item stays open until someone marks
// it done; the weekly followup-reminders run posts the open ones to their
// datasets' owner channels.
package followups

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/dre-dev/dre/internal/statedb"
)

// schema is created under an advisory lock because concurrent CREATE
// TABLE IF NOT EXISTS can still collide in PostgreSQL's catalog.
const schema = `
SELECT pg_advisory_xact_lock(hashtext('dre.incident_followups'));
CREATE TABLE IF NOT EXISTS incident_followups (
	id         bigserial   PRIMARY KEY,
	dataset    text        NOT NULL,
	incident   text        NOT NULL DEFAULT '',
	text       text        NOT NULL,
	owner      text        NOT NULL,
	created_at timestamptz NOT NULL,
	created_by text        NOT NULL DEFAULT '',
	done_at    timestamptz,
	done_by    text        NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS incident_followups_open ON incident_followups (dataset) WHERE done_at IS NULL;`

// MaxText bounds an item's text: one action, not a document.
const MaxText = 500

// Item is one follow-up of an incident.
type Item struct {
	ID      int64  `json:"id"`
	Dataset string `json:"dataset"`
	// Incident is the triage workflow ID it came from, "" when not said.
	Incident  string    `json:"incident,omitempty"`
	Text      string    `json:"text"`
	Owner     string    `json:"owner"` // a person under people: or a Slack user ID
	CreatedAt time.Time `json:"createdAt"`
	CreatedBy string    `json:"createdBy,omitempty"`
	DoneAt    time.Time `json:"doneAt,omitzero"`
	DoneBy    string    `json:"doneBy,omitempty"`
}

// Open reports whether the item still waits to be done.
func (it Item) Open() bool { return it.DoneAt.IsZero() }

// Errors a caller can tell apart.
var (
	ErrNoDatabase  = errors.New("follow-ups need dre's state database: set state.dsn in dre.yaml (or DRE_STATE_DSN)")
	ErrNotFound    = errors.New("no such follow-up")
	ErrAlreadyDone = errors.New("the follow-up is already done")
)

// Store reads and writes follow-ups; use New. It is safe for concurrent use.
type Store struct {
	state statedb.Lazy
}

// New returns a store over the PostgreSQL database at dsn; it connects on
// first use, so a worker starts while the state database is down.
func New(dsn string) *Store {
	return &Store{state: statedb.Lazy{DSN: dsn, Schema: schema, Tables: "incident_followups", NoDatabase: ErrNoDatabase}}
}

func (s *Store) db(ctx context.Context) (*pgxpool.Pool, error) { return s.state.Pool(ctx) }

// Close releases the connections.
func (s *Store) Close() { s.state.Close() }

// check says what is wrong with a new item, nil when nothing.
func (it Item) check() error {
	switch {
	case strings.TrimSpace(it.Dataset) == "":
		return errors.New("a follow-up needs the dataset it is about")
	case strings.TrimSpace(it.Text) == "":
		return errors.New("a follow-up needs a text: what is to be done")
	case len(it.Text) > MaxText:
		return fmt.Errorf("the text is %d characters; keep a follow-up to one action of at most %d", len(it.Text), MaxText)
	case strings.TrimSpace(it.Owner) == "":
		return errors.New("a follow-up needs an owner: a person under people: in dre.yaml or a Slack user ID")
	}
	return nil
}

// Add records a new open item and returns it with its ID.
func (s *Store) Add(ctx context.Context, it Item) (Item, error) {
	if err := it.check(); err != nil {
		return Item{}, err
	}
	db, err := s.db(ctx)
	if err != nil {
		return Item{}, err
	}
	it.CreatedAt, it.DoneAt, it.DoneBy = it.CreatedAt.UTC(), time.Time{}, ""
	err = db.QueryRow(ctx, `INSERT INTO incident_followups (dataset, incident, text, owner, created_at, created_by)
VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`, it.Dataset, it.Incident, it.Text, it.Owner, it.CreatedAt, it.CreatedBy).Scan(&it.ID)
	if err != nil {
		return Item{}, fmt.Errorf("state database: adding a follow-up of %s: %w", it.Dataset, err)
	}
	return it, nil
}

// List returns the items of dataset ("" for every dataset), open ones
// only unless all, oldest first.
func (s *Store) List(ctx context.Context, dataset string, all bool) ([]Item, error) {
	db, err := s.db(ctx)
	if err != nil {
		return nil, err
	}
	rows, err := db.Query(ctx, `SELECT `+columns+` FROM incident_followups
WHERE ($1 = '' OR dataset = $1) AND ($2 OR done_at IS NULL) ORDER BY id`, dataset, all)
	if err != nil {
		return nil, fmt.Errorf("state database: listing follow-ups: %w", err)
	}
	items, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Item, error) { return scanItem(r) })
	if err != nil {
		return nil, fmt.Errorf("state database: listing follow-ups: %w", err)
	}
	return items, nil
}

// Done marks item id done by who. Marking it twice is refused, so that
// the first closer stays on record.
func (s *Store) Done(ctx context.Context, id int64, by string, at time.Time) (Item, error) {
	db, err := s.db(ctx)
	if err != nil {
		return Item{}, err
	}
	row := db.QueryRow(ctx, `UPDATE incident_followups SET done_at = $2, done_by = $3
WHERE id = $1 AND done_at IS NULL RETURNING `+columns, id, at.UTC(), by)
	it, err := scanItem(row)
	if !errors.Is(err, pgx.ErrNoRows) {
		if err != nil {
			return Item{}, fmt.Errorf("state database: closing follow-up %d: %w", id, err)
		}
		return it, nil
	}
	var doneBy string
	switch err := db.QueryRow(ctx, `SELECT done_by FROM incident_followups WHERE id = $1`, id).Scan(&doneBy); {
	case errors.Is(err, pgx.ErrNoRows):
		return Item{}, fmt.Errorf("%w %d; see dre triage followups list", ErrNotFound, id)
	case err != nil:
		return Item{}, fmt.Errorf("state database: reading follow-up %d: %w", id, err)
	}
	return Item{}, fmt.Errorf("%w: follow-up %d was closed by %s", ErrAlreadyDone, id, doneBy)
}

const columns = `id, dataset, incident, text, owner, created_at, created_by, done_at, done_by`

// scanItem reads one row of columns.
func scanItem(row pgx.Row) (Item, error) {
	var it Item
	var doneAt *time.Time
	if err := row.Scan(&it.ID, &it.Dataset, &it.Incident, &it.Text, &it.Owner, &it.CreatedAt, &it.CreatedBy, &doneAt, &it.DoneBy); err != nil {
		return Item{}, err
	}
	it.CreatedAt = it.CreatedAt.UTC()
	if doneAt != nil {
		it.DoneAt = doneAt.UTC()
	}
	return it, nil
}
