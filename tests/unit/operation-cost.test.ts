// The operation estimate uses the real variable values and the schema's
// argument defaults (graphql-armor's validation-time rule sees neither).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse, getOperationAST } from 'graphql';
import { createSchema } from '../../src/graphql/schema.js';
import { estimateOperation, fragmentsOf } from '../../src/graphql/operationCost.js';
import { coerceVariables } from '../../src/graphql/variables.js';

const schema = createSchema();
const estimate = (query: string, variables: Record<string, unknown> = {}) => {
  const document = parse(query);
  return estimateOperation(schema, fragmentsOf(document), getOperationAST(document)!, variables, { maxPageSize: 100 });
};

test('a page size from a variable counts like the same literal', () => {
  const byVariable = estimate(`query ($n: Int) { messages(first: $n) { edges { node { id } } } }`, { n: 50 });
  const byLiteral = estimate(`{ messages(first: 50) { edges { node { id } } } }`);
  assert.deepEqual(byVariable, byLiteral);
  assert.equal(byLiteral.nodes, 50);
});

test('an argument left out counts as the schema default (20); sizes above the maximum count as the maximum', () => {
  assert.equal(estimate(`{ messages { edges { node { id } } } }`).nodes, 20);
  assert.equal(estimate(`{ messages(first: 100000) { edges { node { id } } } }`).nodes, 100);
});

test('nested pages multiply, through fragments too', () => {
  const query = `query ($n: Int) { messages(first: $n) { edges { node { ...A } } } } fragment A on Message { author { messages(first: $n) { edges { node { id } } } } }`;
  assert.equal(estimate(query, { n: 10 }).nodes, 10 + 10 * 10);
});

test('variable coercion reports a few short problems, not the whole value', () => {
  const operation = getOperationAST(parse(`mutation ($input: CreateMessageInput!) { createMessage(input: $input) { id } }`))!;
  const input = { content: 'x', ...Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`f${i}`, 'v'.repeat(50)])) };
  const result = coerceVariables(schema, operation, { input });
  assert.equal(result.ok, false);
  if (result.ok) return;
  assert.equal(result.error.extensions.code, 'BAD_USER_INPUT');
  assert.ok(result.error.message.length < 2500, `${result.error.message.length} characters`);
  assert.match(result.error.message, /further problems not shown/);
  assert.deepEqual(coerceVariables(schema, operation, { input: { content: 'fine' } }), { ok: true, values: { input: { content: 'fine' } } });
});
