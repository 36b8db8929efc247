package warehouse

// Dependency says that the relation Reader is computed from Read: a view
// and a table it selects from, as the warehouse itself records it.
type Dependency struct {
	Reader TableRef `json:"reader"`
	Read   TableRef `json:"read"`
}
