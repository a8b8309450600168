// The scale-out deployment files: docker-compose.yml parsed and checked for
// the topology the README describes (the stack's images cannot be pulled
// here, so it is validated rather than started; scripts/docker-smoke.sh runs
// the API image itself, twice, against this machine's PostgreSQL and Redis).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { parse } from 'yaml';

interface Service {
  build?: unknown;
  image?: string;
  environment?: Record<string, string>;
  healthcheck?: { test: string[] | string };
  depends_on?: Record<string, { condition: string }>;
  ports?: string[];
  volumes?: string[];
}

const compose = parse(readFileSync('docker-compose.yml', 'utf8'), { merge: true }) as { services: Record<string, Service> };
const services = compose.services;
const apis = Object.entries(services).filter(([, service]) => service.build !== undefined);

test('docker-compose.yml: two API replicas built from this Dockerfile, on PostgreSQL and Redis', () => {
  assert.ok(apis.length >= 2, `API replicas: ${apis.map(([name]) => name)}`);
  for (const [name, api] of apis) {
    const env = api.environment ?? {};
    assert.match(env.DATABASE_URL ?? '', /^postgresql:\/\/[^@]+@postgres:5432\//, `${name} DATABASE_URL`);
    assert.match(env.REDIS_URL ?? '', /^redis:\/\/redis:6379/, `${name} REDIS_URL`);
    assert.equal(env.NODE_ENV, 'production');
    assert.match(env.JWT_SECRET ?? '', /\$\{JWT_SECRET:\?/, `${name} requires JWT_SECRET from the environment`);
    assert.equal(env.TRUST_PROXY, 'true', 'rate limits count the client address nginx forwards');
    assert.equal(api.depends_on?.postgres?.condition, 'service_healthy');
    assert.equal(api.depends_on?.redis?.condition, 'service_healthy');
    assert.match(JSON.stringify(api.healthcheck?.test), /\/readyz/, `${name} is routed to only while ready`);
    assert.equal(api.ports, undefined, 'replicas are reached through the load balancer only');
  }
});

test('docker-compose.yml: every service has a health check; the load balancer waits for the replicas', () => {
  for (const [name, service] of Object.entries(services)) assert.ok(service.healthcheck, `${name} has a healthcheck`);
  const lb = services.lb!;
  assert.deepEqual(lb.ports, ['8080:80']);
  for (const [name] of apis) assert.equal(lb.depends_on?.[name]?.condition, 'service_healthy');
  const mount = lb.volumes?.find((volume) => volume.endsWith(':/etc/nginx/nginx.conf:ro'));
  assert.ok(mount && existsSync(mount.split(':')[0]!), 'the nginx config it mounts exists');
});

test('deploy/nginx.conf: balances over every replica and passes WebSocket upgrades', () => {
  const nginx = readFileSync('deploy/nginx.conf', 'utf8');
  for (const [name] of apis) assert.match(nginx, new RegExp(`server ${name}:4000`), `${name} is in the upstream`);
  assert.match(nginx, /proxy_http_version 1\.1;/);
  assert.match(nginx, /proxy_set_header Upgrade \$http_upgrade;/);
  assert.match(nginx, /proxy_set_header Connection \$connection_upgrade;/);
  assert.match(nginx, /map \$http_upgrade \$connection_upgrade/);
  assert.match(nginx, /proxy_read_timeout\s+1h;/, 'long-lived subscriptions are not cut');
  assert.match(nginx, /proxy_set_header X-Forwarded-For \$remote_addr;/, 'clients cannot forge their address');
  // Balanced braces: a cheap structural check of the file.
  assert.equal((nginx.match(/\{/g) ?? []).length, (nginx.match(/\}/g) ?? []).length);
});
