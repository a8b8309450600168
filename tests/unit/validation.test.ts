import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GraphQLError } from 'graphql';
import { parseContent } from '../../src/messages/validation.js';
import { checkNewPassword, normalizeUsername, parseNewUsername } from '../../src/users/validation.js';
import { parseId } from '../../src/ids.js';

const isBadInput = (error: unknown) => error instanceof GraphQLError && error.extensions.code === 'BAD_USER_INPUT';

test('content is trimmed and counted in characters, not UTF-16 units', () => {
  assert.equal(parseContent('  hi \n'), 'hi');
  assert.equal(parseContent('😀'.repeat(4000)).length, 8000);
  assert.throws(() => parseContent('😀'.repeat(4001)), isBadInput);
  assert.throws(() => parseContent(' \t\n '), isBadInput);
});

test('content that cannot be stored faithfully is refused', () => {
  assert.throws(() => parseContent('a\u0000b'), isBadInput);
  assert.throws(() => parseContent('lone \uD800 surrogate'), isBadInput);
  assert.equal(parseContent('\u202Eright-to-left\u202C'), '\u202Eright-to-left\u202C');
});

test('usernames: allowed characters and lengths, NFKC folding, case-insensitive key', () => {
  assert.deepEqual(parseNewUsername('Alice.B-1_'), { username: 'Alice.B-1_', key: 'alice.b-1_' });
  assert.deepEqual(normalizeUsername('ＡＬＩＣＥ'), { username: 'ALICE', key: 'alice' });
  for (const bad of ['ab', 'a'.repeat(33), 'white space', 'semi;colon', 'émile']) {
    assert.throws(() => parseNewUsername(bad), isBadInput, bad);
  }
});

test('passwords: at least 8 characters, at most 72 bytes', () => {
  checkNewPassword('12345678');
  checkNewPassword('a'.repeat(72));
  assert.throws(() => checkNewPassword('1234567'), isBadInput);
  assert.throws(() => checkNewPassword('a'.repeat(73)), isBadInput);
  assert.throws(() => checkNewPassword('€'.repeat(25)), isBadInput); // 75 bytes
});

test('ids must be UUIDs', () => {
  assert.equal(parseId('3F2504E0-4F89-11D3-9A0C-0305E82C3301'), '3f2504e0-4f89-11d3-9a0c-0305e82c3301');
  assert.throws(() => parseId('1'), isBadInput);
  assert.throws(() => parseId("' OR 1=1 --"), isBadInput);
});
