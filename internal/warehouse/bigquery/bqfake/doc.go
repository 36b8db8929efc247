// Package bqfake is a local HTTP stand-in for BigQuery, for tests. It is
// not BigQuery: it answers the few REST calls dre's adapter makes, with
// the generated types of google.golang.org/api/bigquery/v2 so that the
// client library decodes its answers exactly as it decodes BigQuery's, and
// it keeps real state (tables, rows, etags, IAM policies, jobs).
//
// Calls it answers: jobs.query, jobs.getQueryResults (a query answers
// jobComplete=false to its first status read when SetIncompleteEvery says
// so, to exercise the client's polling), jobs.insert (query jobs, dry runs,
// copy jobs of kind COPY, SNAPSHOT and RESTORE; a COPY may name partition
// decorators, and then replaces one partition of an existing table with
// WRITE_TRUNCATE), jobs.get, tables.get,
// tables.insert, tables.patch (If-Match against the etag, else 412),
// tables.delete, tables.getIamPolicy and tables.setIamPolicy, datasets.get
// and datasets.patch of the access list (If-Match, else 412), and Data
// Catalog's getIamPolicy and setIamPolicy on policy tags made with
// AddPolicyTag. IAM writes are as strict as IAM where dre relies on it: an
// unknown role, a member of the wrong shape or an identity that does not
// exist (AddIdentities) is a 400, a stale etag a 409. Anything else
// is a 501. Errors have BigQuery's body: {"error":{"code":404,"message":
// ...,"errors":[{"reason":"notFound",...}]}}.
//
// SQL really runs: each table is a table of an in-memory SQLite database,
// and statements are translated from the small GoogleSQL subset dre uses:
// `project.dataset.table` paths, @parameters (each must have a value),
// string literals, UNNEST of the JSON arrays of INFORMATION_SCHEMA.JOBS
// and fields of its STRUCT destination_table (j.destination_table.table_id;
// jobs the stand-in did not run, such as a MERGE, are added with LogJob),
// TO_JSON_STRING of a table's row, FARM_FINGERPRINT and BIT_XOR (Go
// functions registered with SQLite), TABLESAMPLE (ignored), typed literals
// and CAST types. SELECT and INSERT run, writing to a destination table or
// partition decorator with its write disposition; other statement types
// are recognised by dry runs only. A job stops at its jobTimeoutMs and
// fails with reason "timeout".
//
// Where it is knowingly simpler than BigQuery:
//   - types: TIMESTAMP, DATETIME and DATE are stored as fixed-width text so
//     that they compare in order; an expression's type is guessed from its
//     values (text shaped like a timestamp is a TIMESTAMP); BigQuery's
//     coercion of a STRING parameter to the time type it is compared with
//     is imitated by storing timestamp-shaped STRING parameters as
//     TIMESTAMPs, and a date-only one compares right with DATE columns and
//     in half-open TIMESTAMP ranges (>= and <) only;
//   - TO_JSON_STRING of a whole row works for a table (or its alias), not
//     for a subquery;
//   - arithmetic and functions are SQLite's (integer division, no SAFE_);
//   - copies drop description, labels and IAM; a RESTORE also drops policy
//     tags, which is the loss the adapter works around;
//   - dry runs report the bytes of every column of the tables referenced;
//   - one project, one location; datasets exist once CreateDataset says so;
//   - permissions are all granted, except those Deny takes away;
//   - IAM: version 1 policies only, no conditions; the roles known are a
//     short list (tableRoles, policyTagRoles); a policy tag's taxonomy and
//     its activation are not modelled, only its IAM.
package bqfake
