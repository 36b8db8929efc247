package warehouse

import "time"

// Dependency says that the relation Reader is computed from Read: a view
// and a table it selects from, as the warehouse itself records it.
type Dependency struct {
	Reader TableRef `json:"reader"`
	Read   TableRef `json:"read"`
}

// JobEdge says that query jobs wrote the table To from what they read of
// the table From, as a warehouse's job history records it. Tables are
// schema.table, or project.schema.table outside the warehouse's project.
type JobEdge struct {
	From     string    `json:"from"`
	To       string    `json:"to"`
	Jobs     int64     `json:"jobs"`
	LastSeen time.Time `json:"last_seen"`
}
