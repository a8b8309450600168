// The shared user cache answers by id and by case-insensitive username key,
// and remembers only users it was given.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UserCache } from '../../src/users/cache.js';

test('a remembered user is found by id and by its lower-case username key', () => {
  const cache = new UserCache();
  const alice = { id: '7b0e1c1e-0000-4000-8000-000000000001', username: 'Alice', createdAt: new Date() };
  assert.equal(cache.get(alice.id), undefined);
  assert.equal(cache.getByKey('alice'), undefined);
  cache.remember(alice);
  assert.equal(cache.get(alice.id), alice);
  assert.equal(cache.getByKey('alice'), alice);
  assert.equal(cache.getByKey('Alice'), undefined, 'keys are the lower-case form only');
  assert.equal(cache.getByKey('bob'), undefined);
});
