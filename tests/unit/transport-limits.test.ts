// Pure pieces of the transport limits: JSON depth measured on raw bytes, and
// the address key rate limits count by.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { exceedsJsonDepth } from '../../src/http/jsonDepth.js';
import { addressKey } from '../../src/http/clientAddress.js';

const bytes = (text: string) => Buffer.from(text, 'utf8');

test('JSON depth counts arrays and objects, not brackets inside strings or after escapes', () => {
  assert.equal(exceedsJsonDepth(bytes('{"a":[[1]]}'), 3), false);
  assert.equal(exceedsJsonDepth(bytes('{"a":[[[1]]]}'), 3), true);
  assert.equal(exceedsJsonDepth(bytes('{"a":"[[[[[[{{{{"}'), 1), false);
  assert.equal(exceedsJsonDepth(bytes('{"a":"\\"[[[[", "b": 1}'), 1), false, 'an escaped quote does not end the string');
  assert.equal(exceedsJsonDepth(bytes('["é😀", ["ü"]]'), 2), false, 'multi-byte characters are skipped over');
  assert.equal(exceedsJsonDepth(bytes('['.repeat(100_000)), 64), true, 'stops early on a deep prefix');
  assert.equal(exceedsJsonDepth(bytes('[],[],[],[]'), 1), false, 'siblings do not add up');
});

test('IPv6 addresses share a key per /64; IPv4 and IPv4-mapped addresses are keyed per address', () => {
  assert.equal(addressKey('2001:db8:1:2::1'), addressKey('2001:db8:1:2:ffff:ffff:ffff:ffff'));
  assert.notEqual(addressKey('2001:db8:1:2::1'), addressKey('2001:db8:1:3::1'));
  assert.equal(addressKey('2001:DB8:0001:0002:0:0:0:1'), addressKey('2001:db8:1:2::9'), 'spelling does not matter');
  assert.equal(addressKey('::ffff:203.0.113.7'), '203.0.113.7');
  assert.notEqual(addressKey('203.0.113.7'), addressKey('203.0.113.8'));
  assert.equal(addressKey('not an address'), 'not an address');
});
