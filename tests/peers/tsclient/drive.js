#!/usr/bin/env node
// drive.js: one call to a Temporal server through the TypeScript SDK's
// client, for dre's end-to-end tests (tests/e2e/tsclient_test.go). The
// tests use it to start dre's workflows and send them updates and signals
// as a client of another SDK would, with no dre code on this side.
//
// The command is one JSON object on stdin:
//
//   {"address": "127.0.0.1:7233", "namespace": "default",
//    "action": "start" | "update" | "signal" | "query",
//    "workflowType": "Backfill", "workflowId": "backfill/orders",
//    "taskQueue": "dre", "name": "approve", "args": [...]}
//
// (name is the update, signal or query; args are its arguments, or the
// workflow's on start). It prints one JSON object on stdout:
// {"ok": true, "runId": ..., "result": ...} or {"ok": false, "error": ...},
// where error is the failure's message followed by its causes'. It exits 0
// either way, since a refusal is an answer; 1 means the server could not
// be reached, 2 that the command was bad.
'use strict';

const { Client, Connection } = require('@temporalio/client');

const ACTIONS = ['start', 'update', 'signal', 'query'];

async function readStdin() {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

// describe joins an error's message with those of its causes, so that the
// reason a workflow's validator gave reaches the test.
function describe(err) {
  const parts = [];
  for (let e = err; e; e = e.cause) parts.push(e.message);
  return parts.join(': ');
}

// run sends the one call cmd asks for and returns what it answered.
async function run(cmd, client) {
  const args = cmd.args || [];
  switch (cmd.action) {
    case 'start': {
      const handle = await client.workflow.start(cmd.workflowType, {
        taskQueue: cmd.taskQueue, workflowId: cmd.workflowId, args,
      });
      return { runId: handle.firstExecutionRunId };
    }
    case 'update':
      return { result: await client.workflow.getHandle(cmd.workflowId).executeUpdate(cmd.name, { args }) };
    case 'signal':
      await client.workflow.getHandle(cmd.workflowId).signal(cmd.name, ...args);
      return {};
    case 'query':
      return { result: await client.workflow.getHandle(cmd.workflowId).query(cmd.name, ...args) };
  }
}

async function main() {
  let cmd;
  try {
    cmd = JSON.parse(await readStdin());
  } catch (err) {
    process.stderr.write(`drive.js: the command on stdin is not JSON: ${err.message}\n`);
    process.exit(2);
  }
  if (!ACTIONS.includes(cmd.action)) {
    process.stderr.write(`drive.js: unknown action ${JSON.stringify(cmd.action)}: use one of ${ACTIONS.join(', ')}\n`);
    process.exit(2);
  }
  const connection = await Connection.connect({ address: cmd.address });
  try {
    const client = new Client({ connection, namespace: cmd.namespace || 'default' });
    const out = await run(cmd, client);
    process.stdout.write(JSON.stringify({ ok: true, ...out }) + '\n');
  } catch (err) {
    process.stdout.write(JSON.stringify({ ok: false, error: describe(err) }) + '\n');
  } finally {
    await connection.close();
  }
}

main().catch((err) => {
  // Not an answer from the server: it could not be reached.
  process.stderr.write(`drive.js: ${describe(err)}\n`);
  process.exit(1);
});
