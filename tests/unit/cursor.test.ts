import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { GraphQLError } from 'graphql';
import { decodeCursor, encodeCursor, parsePageSize } from '../../src/pagination.js';

const isBadInput = (error: unknown) => error instanceof GraphQLError && error.extensions.code === 'BAD_USER_INPUT';

test('a cursor round-trips its position and is opaque', () => {
  const position = { createdAt: new Date('2026-01-02T03:04:05.678Z'), id: randomUUID() };
  const cursor = encodeCursor(position);
  assert.match(cursor, /^[A-Za-z0-9_-]+$/);
  assert.ok(!cursor.includes(position.id));
  assert.deepEqual(decodeCursor(cursor), position);
});

test('garbage cursors are BAD_USER_INPUT', () => {
  for (const bad of ['', 'abc', '!!!', encodeCursor({ createdAt: new Date(0), id: 'x' }), Buffer.from('m2:1:x').toString('base64url')]) {
    assert.throws(() => decodeCursor(bad), isBadInput, bad);
  }
});

test('page sizes: default, bounds', () => {
  assert.equal(parsePageSize(undefined), 20);
  assert.equal(parsePageSize(null), 20);
  assert.equal(parsePageSize(0), 0);
  assert.equal(parsePageSize(100), 100);
  assert.throws(() => parsePageSize(101), isBadInput);
  assert.throws(() => parsePageSize(-1), isBadInput);
});
