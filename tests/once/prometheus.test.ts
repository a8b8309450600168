// docker-compose.yml's Prometheus (its image cannot be pulled here, so the
// files are checked against each other): every API replica serves /metrics
// on METRICS_PORT, deploy/prometheus.yml scrapes exactly those, and nothing
// the load balancer routes reaches that port.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { parse } from 'yaml';

interface Service {
  build?: unknown;
  image?: string;
  environment?: Record<string, string>;
  ports?: string[];
  volumes?: string[];
  healthcheck?: unknown;
}

const compose = parse(readFileSync('docker-compose.yml', 'utf8'), { merge: true }) as { services: Record<string, Service> };
const apis = Object.entries(compose.services).filter(([, service]) => service.build !== undefined);

test('deploy/prometheus.yml scrapes /metrics of every API replica on its METRICS_PORT, which nginx never routes to', () => {
  const prometheus = compose.services.prometheus!;
  assert.match(prometheus.image ?? '', /^prom\/prometheus:v\d/);
  const mount = prometheus.volumes?.find((volume) => volume.endsWith(':/etc/prometheus/prometheus.yml:ro'));
  assert.ok(mount && existsSync(mount.split(':')[0]!), 'the config it mounts exists');
  assert.deepEqual(prometheus.ports, ['127.0.0.1:9090:9090'], 'the UI is bound to the host machine only');
  assert.ok(prometheus.healthcheck);

  const config = parse(readFileSync(mount.split(':')[0]!, 'utf8')) as {
    scrape_configs: Array<{ job_name: string; metrics_path?: string; static_configs: Array<{ targets: string[] }> }>;
  };
  const job = config.scrape_configs.find((scrape) => scrape.job_name === 'messaging-api');
  assert.equal(job?.metrics_path ?? '/metrics', '/metrics');
  const expected = apis.map(([name, api]) => {
    assert.match(api.environment?.METRICS_PORT ?? '', /^\d+$/, `${name} serves /metrics on a port of its own`);
    return `${name}:${api.environment!.METRICS_PORT}`;
  });
  assert.deepEqual(job!.static_configs.flatMap((group) => group.targets).sort(), expected.sort());

  const nginx = readFileSync('deploy/nginx.conf', 'utf8');
  for (const [, api] of apis) assert.ok(!nginx.includes(`:${api.environment!.METRICS_PORT}`), 'the load balancer does not reach the metrics port');
});
