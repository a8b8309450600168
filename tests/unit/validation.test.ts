import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GraphQLError } from 'graphql';
import { parseContent } from '../../src/messages/validation.js';
import { checkNewPassword, normalizeUsername, parseNewUsername, usernameKeyOrNull } from '../../src/users/validation.js';
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

test('usernameKeyOrNull: the lookup key, or null for a name no account can have (length checked before NFKC)', () => {
  assert.equal(usernameKeyOrNull('Alice.B-1_'), 'alice.b-1_');
  assert.equal(usernameKeyOrNull('ＡＬＩＣＥ'), 'alice');
  // 32 allowed characters written with two UTF-16 units each: still valid.
  const bold = '\u{1D41A}'.repeat(32);
  assert.equal(bold.length, 64);
  assert.equal(usernameKeyOrNull(bold), 'a'.repeat(32));
  for (const bad of ['ab', 'a'.repeat(33), 'white space', 'émile', '', 'a'.repeat(65)]) assert.equal(usernameKeyOrNull(bad), null, bad);
  // Refused without normalising: NFKC would make this 18 million characters.
  const started = performance.now();
  assert.equal(usernameKeyOrNull('\uFDFA'.repeat(1_000_000)), null);
  assert.ok(performance.now() - started < 20, 'not normalised');
  assert.throws(() => parseNewUsername('\uFDFA'.repeat(65)), isBadInput);
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
