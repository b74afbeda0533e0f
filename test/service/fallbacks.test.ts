// Every fallback and error case of polling, each on its own, against the whole service and the simulator.
// A failing cluster never fails the scrape: /metrics answers 200 with `kafka_connect_up 0` and the last known state.

import { afterEach, describe, expect, it } from 'vitest';
import type { ConnectorSpec } from '../../packages/simulator/src/index.ts';
import {
  cleanup,
  configText,
  currentState,
  refusedUrl,
  requestLines,
  select,
  simulator,
  startService,
  valueOf,
  type Service,
} from './harness.ts';

afterEach(cleanup);

const S3_SINK = 'io.confluent.connect.s3.S3SinkConnector';
const JDBC_SINK = 'io.confluent.connect.jdbc.JdbcSinkConnector';

/** Five connectors, one with a FAILED task (a retriable failure), so the restarter has something to act on. */
const FLEET: ConnectorSpec[] = [
  { name: 'a-sink', connectorClass: S3_SINK, tasks: 1 },
  { name: 'b-sink', connectorClass: S3_SINK, tasks: 1 },
  { name: 'c-sink', connectorClass: S3_SINK, tasks: 1 },
  { name: 'd-sink', connectorClass: S3_SINK, tasks: 1 },
  { name: 'orders-sink', connectorClass: JDBC_SINK, tasks: [{ state: 'FAILED', failure: 'connection-refused' }] },
];
const NAMES = FLEET.map((c) => c.name);

async function connectorsIn(service: Service, cluster = 'prod'): Promise<string[]> {
  const { samples } = await service.scrape();
  return select(samples, 'kafka_connect_connector_info', { connect_cluster: cluster }).map((s) => s.labels['connector'] ?? '');
}

async function up(service: Service, cluster = 'prod'): Promise<number | undefined> {
  return valueOf((await service.scrape()).samples, 'kafka_connect_up', { connect_cluster: cluster });
}

async function pollErrors(service: Service, reason: string): Promise<number> {
  return valueOf((await service.scrape()).samples, 'kafka_connect_exporter_poll_errors_total', { connect_cluster: 'prod', reason }) ?? 0;
}

function warnings(service: Service): Array<Record<string, unknown>> {
  return service.logs.lines().filter((line) => line['level'] === 'warn' || line['level'] === 'error');
}

describe('polling fallbacks and errors', () => {
  it('a connector missing from one response is kept, not deleted', async () => {
    const sim = await simulator({ connectors: FLEET });
    const service = await startService({ config: configText({ clusters: [{ name: 'prod', url: sim.url }] }) });
    await service.app.pollAll();
    sim.faults.omitFromList = ['b-sink'];
    await service.app.pollAll();
    expect(await connectorsIn(service)).toEqual(NAMES);
    expect(await up(service)).toBe(1);
    await service.app.pollAll();
    expect(await connectorsIn(service)).toEqual(NAMES);
  });

  it('a connector really deleted disappears from /metrics after the grace polls, with its counters', async () => {
    const sim = await simulator({ connectors: FLEET });
    const service = await startService({
      config: configText({ clusters: [{ name: 'prod', url: sim.url }], restart: { enabled: true, dryRun: true } }),
    });
    await service.app.pollAll();
    let { samples } = await service.scrape();
    expect(valueOf(samples, 'kafka_connect_autorestart_skipped_total', { connector: 'orders-sink', reason: 'dry_run' })).toBe(1);

    sim.cluster.remove('orders-sink');
    await service.app.pollAll();
    await service.app.pollAll();
    expect(await connectorsIn(service)).toContain('orders-sink');
    await service.app.pollAll();
    ({ samples } = await service.scrape());
    expect(select(samples, 'kafka_connect_connector_info').map((s) => s.labels['connector'])).toEqual(['a-sink', 'b-sink', 'c-sink', 'd-sink']);
    expect(samples.filter((s) => s.labels['connector'] === 'orders-sink')).toEqual([]);
    expect(service.logs.lines().some((l) => l['msg'] === 'Connectors deleted from Kafka Connect')).toBe(true);
  });

  it('an empty list from a starting worker (reading its topics) is not believed: nothing deleted, nothing restarted', async () => {
    const sim = await simulator({ version: '3.9.0', connectors: FLEET, healthTimeoutMs: 20 });
    const service = await startService({
      config: configText({ clusters: [{ name: 'prod', url: sim.url }], restart: { enabled: true, defaults: { firstDelay: '1m' } } }),
    });
    await service.app.pollAll();
    sim.faults.startupPhase = 'reading';
    sim.faults.startupVisible = [];
    for (let poll = 0; poll < 4; poll++) {
      service.clock.advance(2 * 60_000);
      await service.app.pollAll();
    }
    expect(await connectorsIn(service)).toEqual(NAMES);
    expect(sim.requests.count({ method: 'POST' })).toBe(0);
    expect(sim.requests.count({ path: '/health' })).toBeGreaterThan(0);
    const { samples } = await service.scrape();
    expect(valueOf(samples, 'kafka_connect_autorestart_skipped_total', { connector: 'orders-sink', reason: 'stale_data' })).toBe(4);
    expect(await pollErrors(service, 'untrusted')).toBe(4);
    expect(service.logs.lines().filter((l) => String(l['msg']).includes('far fewer connectors'))).toHaveLength(1);

    // Once the worker has read everything, the list is trusted again and the failed task is restarted.
    sim.faults.startupPhase = 'ready';
    await service.app.pollAll();
    expect(requestLines(sim).filter((line) => line.startsWith('POST'))).toEqual([
      'POST /connectors/orders-sink/restart?includeTasks=true&onlyFailed=true',
    ]);
  });

  it('Kafka 3.4 (no /health): a starting worker\'s empty list is held back too', async () => {
    const sim = await simulator({ version: '3.4.1', connectors: FLEET });
    const service = await startService({ config: configText({ clusters: [{ name: 'prod', url: sim.url }] }) });
    await service.app.pollAll();
    sim.faults.startupPhase = 'reading';
    for (let poll = 0; poll < 3; poll++) await service.app.pollAll();
    expect(await connectorsIn(service)).toEqual(NAMES);
    expect(await pollErrors(service, 'untrusted')).toBe(3);
  });

  it('Jetty\'s HTML 404 while the worker starts: up 0, the last state kept, reason http', async () => {
    const sim = await simulator({ connectors: FLEET });
    const service = await startService({ config: configText({ clusters: [{ name: 'prod', url: sim.url }] }) });
    await service.app.pollAll();
    sim.faults.startupPhase = 'html404';
    await service.app.pollAll();
    expect(await up(service)).toBe(0);
    expect(await connectorsIn(service)).toEqual(NAMES);
    expect(await pollErrors(service, 'http')).toBe(1);
    const { samples } = await service.scrape();
    expect(valueOf(samples, 'kafka_connect_exporter_rest_requests_total', { endpoint: 'connectors', code: '404' })).toBe(1);
    // After an outage the worker may come back upgraded: its version is read again, once.
    const before = sim.requests.count();
    sim.faults.startupPhase = 'ready';
    await service.app.pollAll();
    await service.app.pollAll();
    expect(await up(service)).toBe(1);
    expect(requestLines(sim, before)).toEqual(['GET /connectors?expand=status', 'GET /', 'GET /connectors?expand=status']);
  });

  it('a wrong password (plain-text 401): up 0, no crash, a log line that says so without the password', async () => {
    const sim = await simulator({ connectors: FLEET, basicAuth: { username: 'admin', password: 'right-password-1' } });
    const service = await startService({
      config: configText({ clusters: [{ name: 'prod', url: sim.url, basicAuth: { username: 'admin', password: '${CONNECT_PASSWORD}' } }] }),
      env: { CONNECT_PASSWORD: 'wrong-password-2' },
    });
    await service.app.pollAll();
    await service.app.pollAll();
    expect(await up(service)).toBe(0);
    expect(await pollErrors(service, 'http')).toBe(2);
    const { samples } = await service.scrape();
    expect(valueOf(samples, 'kafka_connect_exporter_rest_requests_total', { endpoint: 'connectors', code: '401' })).toBe(2);
    const failures = warnings(service);
    expect(failures).toHaveLength(1);
    expect(JSON.stringify(failures[0])).toMatch(/authentication failed/i);
    expect(service.logs.text()).not.toContain('wrong-password-2');
    expect(service.logs.text()).not.toContain(Buffer.from('admin:wrong-password-2').toString('base64'));
    expect((await service.inject({ url: '/api/v1/status' })).body).not.toContain('wrong-password-2');
  });

  it('the right password: basic auth is sent and the cluster is up', async () => {
    const sim = await simulator({ connectors: FLEET, basicAuth: { username: 'admin', password: 'right-password-1' } });
    const service = await startService({
      config: configText({ clusters: [{ name: 'prod', url: sim.url, basicAuth: { username: 'admin', password: 'right-password-1' } }] }),
    });
    await service.app.pollAll();
    expect(await up(service)).toBe(1);
    expect(await connectorsIn(service)).toEqual(NAMES);
  });

  it('Kafka 2.2 during a rebalance: 409 with "message": null, up 0, then up again', async () => {
    const sim = await simulator({ version: '2.2.2', connectors: FLEET });
    const service = await startService({ config: configText({ clusters: [{ name: 'prod', url: sim.url }] }) });
    await service.app.pollAll();
    sim.faults.rebalance = true;
    sim.faults.messageNull = true;
    await service.app.pollAll();
    expect(await up(service)).toBe(0);
    expect(await connectorsIn(service)).toEqual(NAMES);
    const { samples } = await service.scrape();
    expect(valueOf(samples, 'kafka_connect_exporter_rest_requests_total', { endpoint: 'connectors', code: '409' })).toBe(1);
    const failure = warnings(service).find((line) => line['msg'] === 'Polling Kafka Connect failed; keeping the last known state');
    expect(JSON.stringify(failure)).toContain('answered HTTP 409');
    expect(JSON.stringify(failure)).not.toContain('null');

    sim.faults.reset();
    await service.app.pollAll();
    expect(await up(service)).toBe(1);
  });

  it('Kafka 2.2 with a stuck herder: the 500 "Request timed out" fails the poll', async () => {
    const sim = await simulator({ version: '2.2.2', connectors: FLEET, queuedTimeoutMs: 30 });
    const service = await startService({ config: configText({ clusters: [{ name: 'prod', url: sim.url }] }) });
    await service.app.pollAll();
    sim.faults.herderBlocked = true;
    await service.app.pollAll();
    expect(await up(service)).toBe(0);
    expect(await pollErrors(service, 'http')).toBe(1);
    const failure = warnings(service).find((line) => line['msg'] === 'Polling Kafka Connect failed; keeping the last known state');
    expect(JSON.stringify(failure)).toContain('Request timed out');
  });

  it('Kafka 3.9 with a stuck herder: statuses come from memory, so polling goes on', async () => {
    const sim = await simulator({ version: '3.9.0', connectors: FLEET, queuedTimeoutMs: 30 });
    const service = await startService({ config: configText({ clusters: [{ name: 'prod', url: sim.url }] }) });
    sim.faults.herderBlocked = true;
    await service.app.pollAll();
    expect(await up(service)).toBe(1);
    expect(await connectorsIn(service)).toEqual(NAMES);
  });

  it('a worker slower than the cluster timeout: up 0, reason timeout, code timeout', async () => {
    const sim = await simulator({ connectors: FLEET });
    const service = await startService({ config: configText({ clusters: [{ name: 'prod', url: sim.url, timeout: '150ms' }] }) });
    await service.app.pollAll();
    sim.faults.latencyMs = 2000;
    await service.app.pollAll();
    expect(await up(service)).toBe(0);
    expect(await connectorsIn(service)).toEqual(NAMES);
    expect(await pollErrors(service, 'timeout')).toBe(1);
    const { samples } = await service.scrape();
    expect(valueOf(samples, 'kafka_connect_exporter_rest_requests_total', { endpoint: 'connectors', code: 'timeout' })).toBe(1);
  });

  it('fails over from a worker that refuses connections to the next, and stays there', async () => {
    const down = await refusedUrl();
    const sim = await simulator({ connectors: FLEET });
    const service = await startService({ config: configText({ clusters: [{ name: 'prod', url: [down, sim.url] }] }) });
    await service.app.pollAll();
    await service.app.pollAll();
    expect(await up(service)).toBe(1);
    expect(await connectorsIn(service)).toEqual(NAMES);
    const { samples } = await service.scrape();
    // Only the first request of the first poll tried the dead worker.
    expect(valueOf(samples, 'kafka_connect_exporter_rest_requests_total', { endpoint: 'connectors', code: 'error' })).toBe(1);
    expect(valueOf(samples, 'kafka_connect_exporter_rest_requests_total', { endpoint: 'connectors', code: '200' })).toBe(2);
    expect(warnings(service).map((l) => l['msg'])).toEqual(['Kafka Connect worker gave no answer; trying the next one']);
  });

  it('every cluster down: /metrics still answers 200 with kafka_connect_up 0 for each', async () => {
    const service = await startService({
      config: configText({ clusters: [{ name: 'prod', url: await refusedUrl() }, { name: 'dev', url: await refusedUrl() }] }),
    });
    await service.app.pollAll();
    const { status, samples } = await service.scrape();
    expect(status).toBe(200);
    expect(select(samples, 'kafka_connect_up').map((s) => [s.labels['connect_cluster'], s.value]).sort()).toEqual([
      ['dev', '0'],
      ['prod', '0'],
    ]);
    expect(select(samples, 'kafka_connect_last_poll_success_timestamp_seconds')).toEqual([]);
    expect(valueOf(samples, 'kafka_connect_exporter_poll_errors_total', { connect_cluster: 'dev', reason: 'unreachable' })).toBe(1);
  });

  it('a cluster that comes back reports its connectors, and a fresh failure shows at once', async () => {
    const sim = await simulator({ connectors: FLEET });
    const service = await startService({ config: configText({ clusters: [{ name: 'prod', url: sim.url }] }) });
    sim.faults.startupPhase = 'html404';
    await service.app.pollAll();
    expect(await connectorsIn(service)).toEqual([]);
    sim.faults.startupPhase = 'ready';
    sim.cluster.failTask('a-sink', 0, 'timeout');
    await service.app.pollAll();
    const { samples } = await service.scrape();
    expect(currentState(samples, 'kafka_connect_task_state', { connector: 'a-sink', task: '0' })).toBe('failed');
    expect(valueOf(samples, 'kafka_connect_task_failure_info', { connector: 'a-sink', root_cause: 'org.apache.kafka.common.errors.TimeoutException' })).toBe(1);
  });
});
