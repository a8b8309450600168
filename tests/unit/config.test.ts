import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, loadConfig, parseDuration } from '../../src/config.js';

const SECRET = 'x'.repeat(32);

test('defaults follow the runtime contract', () => {
  const config = loadConfig({ JWT_SECRET: SECRET });
  assert.equal(config.port, 4000);
  assert.equal(config.host, '0.0.0.0');
  assert.deepEqual(config.database, { provider: 'sqlite', file: './data/messaging.db' });
  assert.equal(config.bcryptRounds, 12);
  assert.equal(config.jwt.accessTtlSeconds, 15 * 60);
  assert.equal(config.jwt.refreshTtlSeconds, 30 * 86400);
  assert.equal(config.corsOrigins, null);
  assert.equal(config.redis, null);
  assert.equal(config.shutdownDelayMs, 0);
});

test('without JWT_SECRET development warns, production refuses', () => {
  assert.equal(loadConfig({}).warnings.length, 1);
  assert.throws(() => loadConfig({ NODE_ENV: 'production' }), /JWT_SECRET: required/);
});

test('each bad value names its variable', () => {
  const cases: Array<[Record<string, string>, RegExp]> = [
    [{ PORT: '99999' }, /^Invalid environment variable PORT/],
    [{ PORT: 'http' }, /^Invalid environment variable PORT/],
    [{ BCRYPT_ROUNDS: '3' }, /BCRYPT_ROUNDS/],
    [{ ACCESS_TOKEN_TTL: 'forever' }, /ACCESS_TOKEN_TTL.*duration/],
    [{ REFRESH_TOKEN_TTL: '0d' }, /REFRESH_TOKEN_TTL/],
    [{ JWT_SECRET: 'too-short' }, /JWT_SECRET: must be at least 32 bytes/],
    [{ DATABASE_URL: 'mysql://nope' }, /DATABASE_URL/],
    [{ DATABASE_URL: 'file:' }, /DATABASE_URL/],
    [{ LOG_LEVEL: 'loud' }, /LOG_LEVEL/],
    [{ REDIS_URL: 'not a url' }, /REDIS_URL/],
  ];
  for (const [env, expected] of cases) {
    assert.throws(() => loadConfig({ JWT_SECRET: SECRET, ...env }), (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.match(error.message, expected);
      return true;
    });
  }
});

test('durations, CORS origins and databases parse', () => {
  assert.equal(parseDuration('90'), 90);
  assert.equal(parseDuration('15m'), 900);
  assert.equal(parseDuration('2h'), 7200);
  assert.equal(parseDuration('30d'), 2_592_000);
  assert.equal(parseDuration('1w'), null);
  const config = loadConfig({
    JWT_SECRET: SECRET,
    CORS_ORIGINS: 'https://a.example, https://b.example',
    DATABASE_URL: 'postgresql://postgres@127.0.0.1:5432/test',
  });
  assert.deepEqual(config.corsOrigins, ['https://a.example', 'https://b.example']);
  assert.equal(config.database.provider, 'postgresql');
});
