// Package activities holds dre's activities: all of dre's I/O. Each group is
// a struct whose fields are its dependencies, set by internal/worker, so
// tests can swap in fakes.
package activities
