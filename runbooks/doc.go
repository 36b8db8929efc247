// Package runbooks is dre's runbook language: runbooks are YAML files of
// typed inputs and steps (checks, SQL, Slack messages, pages, approvals,
// waits, backfills, calls of other runbooks, parallel branches), reviewed
// in git, linted in CI, and run step by step by a durable interpreter
// workflow. README.md in this directory is the language reference.
//
// Parse and Load read files and check their structure; Lint checks a set
// of runbooks together: references, expression types, reachability, call
// loops and destructive SQL without approval. Every problem carries its
// file:line:column.
//
// A parsed Runbook is plain data that round-trips through JSON, so that
// the interpreter workflow can carry it in its input and replay the very
// definition it started with; Hash identifies that definition. The
// package does no I/O beyond reading runbook files, and the expressions
// it evaluates (Eval) read neither the clock nor the environment.
package runbooks
