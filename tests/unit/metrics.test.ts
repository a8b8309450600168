// The operation label is the client's choice of name: a client sending a new
// name with every request must not grow the metrics without bound.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_OPERATION_NAMES, Metrics } from '../../src/observability/metrics.js';

test(`past ${MAX_OPERATION_NAMES} distinct operation names, the rest count as (other); known names keep their series`, async () => {
  const metrics = new Metrics();
  for (let i = 0; i < MAX_OPERATION_NAMES + 10; i++) metrics.operation(metrics.operationLabel(`Random${i}`), 'query', 'ok', 0.001, []);
  metrics.operation(metrics.operationLabel('Random0'), 'query', 'ok', 0.001, []);
  metrics.operation(metrics.operationLabel(null), 'query', 'ok', 0.001, []);

  const series = (await metrics.text()).split('\n').filter((line) => line.startsWith('messaging_graphql_operation_duration_seconds_count{'));
  assert.equal(series.length, MAX_OPERATION_NAMES + 2, 'one per kept name, (other) and (anonymous)');
  assert.ok(series.includes('messaging_graphql_operation_duration_seconds_count{operation="(other)",type="query",outcome="ok"} 10'));
  assert.ok(series.includes('messaging_graphql_operation_duration_seconds_count{operation="Random0",type="query",outcome="ok"} 2'));
  assert.ok(series.includes('messaging_graphql_operation_duration_seconds_count{operation="(anonymous)",type="query",outcome="ok"} 1'));
});
