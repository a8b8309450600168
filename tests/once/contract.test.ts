// The project's schema must stay a compatible superset of the public contract:
// schema.graphql, extended by conversations.graphql.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { buildSchema, findBreakingChanges } from 'graphql';
import { createSchema } from '../../src/graphql/schema.js';

const contractDir = new URL('../../../shared/contract/', import.meta.url);
const contractFiles = ['schema.graphql', 'conversations.graphql'].map((name) => new URL(name, contractDir));

test('schema.graphql has no breaking change against ../shared/contract/schema.graphql + conversations.graphql', () => {
  for (const file of contractFiles) assert.ok(existsSync(file), `contract not found at ${file.pathname}`);
  const contract = buildSchema(contractFiles.map((file) => readFileSync(file, 'utf8')).join('\n'));
  const changes = findBreakingChanges(contract, createSchema());
  assert.deepEqual(changes.map((change) => `${change.type}: ${change.description}`), []);
});
