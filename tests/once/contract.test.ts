// The project's schema must stay a compatible superset of the public contract.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { buildSchema, findBreakingChanges } from 'graphql';
import { createSchema } from '../../src/graphql/schema.js';

const contractPath = new URL('../../../shared/contract/schema.graphql', import.meta.url);

test('schema.graphql has no breaking change against ../shared/contract/schema.graphql', () => {
  assert.ok(existsSync(contractPath), `contract not found at ${contractPath.pathname}`);
  const contract = buildSchema(readFileSync(contractPath, 'utf8'));
  const changes = findBreakingChanges(contract, createSchema());
  assert.deepEqual(changes.map((change) => `${change.type}: ${change.description}`), []);
});
