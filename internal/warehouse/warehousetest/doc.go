// Package warehousetest is the conformance suite every warehouse adapter
// passes: one set of tests, written against warehouse.Warehouse only, so
// that a workflow behaves the same on PostgreSQL and on BigQuery.
//
// A backend's test package provides a Fixture and calls Run:
//
//	func TestConformance(t *testing.T) {
//		warehousetest.Run(t, newFixture(t))
//	}
//
// The fixture owns everything the contract does not cover: creating
// schemas (datasets) and tables with rows, naming a table in the dialect's
// SQL, and providing two principals that exist. Every table the suite
// creates lives in a schema returned by Fixture.Schema, so subtests never
// see each other's tables and the fixture can throw everything away at
// the end of the test.
//
// The SQL the suite sends through Query, EstimateCost and RewritePartition
// is deliberately plain: SELECT with WHERE, comparisons with @parameters,
// count, sum, min, max and GROUP BY, comma joins, and tables named through
// Fixture.Qualified. Any SQL dialect runs it unchanged.
//
// Behaviour the suite pins down beyond the interface's doc comments:
//   - a statement that outlives its timeout fails with an error for which
//     errors.Is(err, context.DeadlineExceeded) holds, so activities can
//     tell a slow query from a broken one;
//   - Query refuses INSERT, UPDATE, DELETE and DDL, and a query naming a
//     missing table fails with *warehouse.NotFoundError;
//   - every method given a bad identifier (an injection attempt, a quote, a
//     look-alike Unicode letter, an empty or a 64-character name) returns
//     *warehouse.InvalidIdentifierError and sends no SQL: a table named in
//     the injection attempt survives;
//   - Usage may lag: the suite polls it for up to 20 seconds, because
//     PostgreSQL publishes its scan counters asynchronously.
package warehousetest
