package warehouse

// ACLs is what the access control of a set of tables says, read at once:
// who owns each table, every privilege on it, and the roles that can
// read everything regardless (PostgreSQL superusers). The access
// reconciler compares it with the grants that should exist.
type ACLs struct {
	// Superusers bypass every ACL; a grant to one changes nothing.
	Superusers []string `json:"superusers,omitempty"`
	// Tables has one entry per table asked for, in the order asked.
	Tables []TableACL `json:"tables"`
}

// TableACL is one table's owner and privileges. Missing is set, and the
// rest left empty, when the table does not exist.
type TableACL struct {
	Table   TableRef `json:"table"`
	Missing bool     `json:"missing,omitempty"`
	Owner   string   `json:"owner,omitempty"`
	Grants  []Grant  `json:"grants,omitempty"`
}
