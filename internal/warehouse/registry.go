package warehouse

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
)

// Opener connects to one warehouse. It is called once per warehouse, on first
// use, so a worker with an unreachable warehouse still serves the others.
type Opener func(ctx context.Context) (Conn, error)

// Conn is an open warehouse connection: the whole Warehouse contract plus
// the cheap probe the check workflow uses.
type Conn interface {
	Warehouse
	Prober
}

// Registry hands out warehouse connections by their dre.yaml name.
type Registry struct {
	mu      sync.Mutex
	openers map[string]Opener
	conns   map[string]Conn
}

// NewRegistry returns a registry over the given openers.
func NewRegistry(openers map[string]Opener) *Registry {
	return &Registry{openers: openers, conns: map[string]Conn{}}
}

// UnknownWarehouseError is returned for a name without an opener.
type UnknownWarehouseError struct {
	Name  string
	Known []string
}

func (e *UnknownWarehouseError) Error() string {
	return fmt.Sprintf("unknown warehouse %q; known warehouses: %s (declare it under warehouses: in dre.yaml)", e.Name, strings.Join(e.Known, ", "))
}

// Get returns the connection for name, opening it on first use.
func (r *Registry) Get(ctx context.Context, name string) (Conn, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if c, ok := r.conns[name]; ok {
		return c, nil
	}
	open, ok := r.openers[name]
	if !ok {
		return nil, &UnknownWarehouseError{Name: name, Known: r.names()}
	}
	c, err := open(ctx)
	if err != nil {
		return nil, fmt.Errorf("connecting to warehouse %q: %w", name, err)
	}
	r.conns[name] = c
	return c, nil
}

// Prober returns the warehouse called name as a Prober.
func (r *Registry) Prober(ctx context.Context, name string) (Prober, error) {
	return r.Get(ctx, name)
}

// Warehouse returns the warehouse called name.
func (r *Registry) Warehouse(ctx context.Context, name string) (Warehouse, error) {
	return r.Get(ctx, name)
}

// Names lists the warehouses the registry knows, sorted.
func (r *Registry) Names() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.names()
}

// Close closes every open connection.
func (r *Registry) Close() {
	r.mu.Lock()
	defer r.mu.Unlock()
	for name, c := range r.conns {
		c.Close()
		delete(r.conns, name)
	}
}

func (r *Registry) names() []string {
	out := make([]string, 0, len(r.openers))
	for n := range r.openers {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}
