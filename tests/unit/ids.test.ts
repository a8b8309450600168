import assert from 'node:assert/strict';
import { test } from 'node:test';
import { validate, version } from 'uuid';
import { isUuid, newTimeOrderedId } from '../../src/ids.js';

test('message ids are UUIDv7 whose time is the moment they were made', () => {
  const before = Date.now();
  const id = newTimeOrderedId();
  const after = Date.now();
  assert.ok(validate(id) && isUuid(id));
  assert.equal(version(id), 7);
  const msecs = parseInt(id.replace(/-/g, '').slice(0, 12), 16);
  assert.ok(msecs >= before && msecs <= after + 1, `${msecs} not in [${before}, ${after}]`);
});

test('message ids made later sort after earlier ones, also many within one millisecond', () => {
  // 20,000 ids span far fewer milliseconds: the counter orders those within one.
  const ids = Array.from({ length: 20_000 }, () => newTimeOrderedId());
  for (let i = 1; i < ids.length; i++) assert.ok(ids[i - 1]! < ids[i]!, `${ids[i - 1]} !< ${ids[i]}`);
  assert.equal(new Set(ids).size, ids.length);
});

test('message ids differ in their random part across milliseconds', () => {
  // The 62 random bits after the counter come from the pool: no two ids share them.
  const tails = new Set(Array.from({ length: 5_000 }, () => newTimeOrderedId().slice(-12)));
  assert.equal(tails.size, 5_000);
});
