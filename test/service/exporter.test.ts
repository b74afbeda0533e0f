// The exporter core, against the whole service: /metrics reflects what the simulator holds, with the exact
// metric contract, and a poll costs one request per cluster (plus the slow-paced root and plugin calls).

import { afterEach, describe, expect, it } from 'vitest';
import { CONNECT_ENDPOINTS } from '../../src/domain/endpoint.ts';
import { CONNECTOR_STATES, TASK_STATES } from '../../src/domain/model.ts';
import { ALL_METRICS, POLL_ERROR_REASONS } from '../../src/metrics/catalogue.ts';
import type { ConnectorSpec } from '../../packages/simulator/src/index.ts';
import { cleanup, configText, countingProxy, currentState, MINUTE, refusedUrl, requestLines, select, simulator, startService, T0, valueOf, VERSION } from './harness.ts';

afterEach(cleanup);

const JDBC_SINK = 'io.confluent.connect.jdbc.JdbcSinkConnector';
const JDBC_SOURCE = 'io.confluent.connect.jdbc.JdbcSourceConnector';
const S3_SINK = 'io.confluent.connect.s3.S3SinkConnector';

const FLEET: ConnectorSpec[] = [
  { name: 'orders-sink', connectorClass: JDBC_SINK, tasks: [{}, { state: 'FAILED', failure: 'jdbc-sink-batch' }] },
  { name: 'billing-source', connectorClass: JDBC_SOURCE, state: 'FAILED', failure: 'config-missing', tasks: 0 },
  { name: 'archive', connectorClass: S3_SINK, state: 'PAUSED', tasks: 2 },
];

describe('/metrics against a Kafka 3.9 simulator', () => {
  it('exports cluster, plugin, connector, task and failure series with the exact contract', async () => {
    const sim = await simulator({ version: '3.9.0', connectors: FLEET, kafkaClusterId: 'kc-1' });
    const service = await startService({ config: configText({ clusters: [{ name: 'prod', url: sim.url }] }) });
    await service.app.pollAll();
    const { status, samples } = await service.scrape();
    expect(status).toBe(200);
    const prod = { connect_cluster: 'prod' };

    expect(valueOf(samples, 'kafka_connect_up', prod)).toBe(1);
    expect(valueOf(samples, 'kafka_connect_last_poll_success_timestamp_seconds', prod)).toBe(T0 / 1000);
    expect(valueOf(samples, 'kafka_connect_poll_duration_seconds', prod)).toBeGreaterThanOrEqual(0);
    expect(select(samples, 'kafka_connect_cluster_info', prod).map((s) => s.labels)).toEqual([
      { connect_cluster: 'prod', version: '3.9.0', commit: 'a60e31147e6b01ee', kafka_cluster_id: 'kc-1' },
    ]);
    const plugins = select(samples, 'kafka_connect_plugin_info', prod);
    expect(plugins.map((s) => s.labels['class'])).toContain(JDBC_SINK);
    for (const plugin of plugins) expect(Object.keys(plugin.labels).sort()).toEqual(['class', 'connect_cluster', 'type', 'version']);

    expect(select(samples, 'kafka_connect_connector_info', prod).map((s) => [s.labels['connector'], s.labels['type'], s.labels['connector_class'], s.value])).toEqual([
      ['archive', 'sink', S3_SINK, '1'],
      ['billing-source', 'source', JDBC_SOURCE, '1'],
      ['orders-sink', 'sink', JDBC_SINK, '1'],
    ]);
    // State sets: every known state, exactly one of them 1.
    for (const connector of ['archive', 'billing-source', 'orders-sink']) {
      const states = select(samples, 'kafka_connect_connector_state', { ...prod, connector });
      expect(states.map((s) => s.labels['state']).sort()).toEqual([...CONNECTOR_STATES].sort());
    }
    expect(currentState(samples, 'kafka_connect_connector_state', { connector: 'orders-sink' })).toBe('running');
    expect(currentState(samples, 'kafka_connect_connector_state', { connector: 'billing-source' })).toBe('failed');
    expect(currentState(samples, 'kafka_connect_connector_state', { connector: 'archive' })).toBe('paused');
    const taskStates = select(samples, 'kafka_connect_task_state', { connector: 'orders-sink', task: '1' });
    expect(taskStates.map((s) => s.labels['state']).sort()).toEqual([...TASK_STATES].sort());
    expect(currentState(samples, 'kafka_connect_task_state', { connector: 'orders-sink', task: '0' })).toBe('running');
    expect(currentState(samples, 'kafka_connect_task_state', { connector: 'orders-sink', task: '1' })).toBe('failed');
    expect(currentState(samples, 'kafka_connect_task_state', { connector: 'archive', task: '1' })).toBe('paused');

    const simTask = sim.cluster.get('orders-sink')?.tasks[1];
    expect(select(samples, 'kafka_connect_task_info', { connector: 'orders-sink', task: '1' }).map((s) => s.labels['worker_id'])).toEqual([simTask?.workerId]);
    expect(select(samples, 'kafka_connect_connector_worker_info', { connector: 'orders-sink' }).map((s) => s.labels['worker_id'])).toEqual([
      sim.cluster.get('orders-sink')?.connector?.workerId,
    ]);

    // Failure info: the class of the first line and of the deepest cause, only for FAILED instances.
    expect(select(samples, 'kafka_connect_task_failure_info', prod).map((s) => s.labels)).toEqual([
      {
        connect_cluster: 'prod',
        connector: 'orders-sink',
        task: '1',
        exception: 'org.apache.kafka.connect.errors.ConnectException',
        root_cause: 'java.sql.SQLException',
      },
    ]);
    expect(select(samples, 'kafka_connect_connector_failure_info', prod).map((s) => s.labels)).toEqual([
      {
        connect_cluster: 'prod',
        connector: 'billing-source',
        exception: 'org.apache.kafka.common.config.ConfigException',
        root_cause: 'org.apache.kafka.common.config.ConfigException',
      },
    ]);

    // Auto-restart is off by default: no restart series beyond the circuit gauge.
    expect(valueOf(samples, 'kafka_connect_autorestart_circuit_open', prod)).toBe(0);
    expect(select(samples, 'kafka_connect_autorestart_exhausted')).toEqual([]);

    expect(valueOf(samples, 'kafka_connect_exporter_build_info', { version: VERSION })).toBe(1);
    expect(valueOf(samples, 'kafka_connect_exporter_config_last_reload_successful')).toBe(1);
    expect(valueOf(samples, 'kafka_connect_exporter_history_writable')).toBe(1);

    // Every name served is in the catalogue (process metrics are off in these tests).
    const known = new Set(ALL_METRICS.map((m) => m.name));
    const served = new Set(samples.map((s) => s.name.replace(/_total$/, '')));
    for (const name of served) expect(known.has(name) || known.has(`${name}_total`), name).toBe(true);
  });

  it('sends exactly one status request per poll, and the root and plugin calls only at their pace', async () => {
    const sim = await simulator({ version: '3.9.0', connectors: FLEET });
    const service = await startService({ config: configText({ clusters: [{ name: 'prod', url: sim.url, pluginsInterval: '10m' }] }) });

    await service.app.pollAll();
    expect(requestLines(sim)).toEqual(['GET /connectors?expand=status&expand=info', 'GET /', 'GET /connector-plugins']);
    for (let poll = 0; poll < 3; poll++) {
      service.clock.advance(15_000);
      await service.app.pollAll();
    }
    // The connectors' info (their class) went with the first poll; statuses alone after it (the info is what costs
    // a real worker: bench/real-connect.ts).
    expect(requestLines(sim, 3)).toEqual(Array(3).fill('GET /connectors?expand=status'));
    service.clock.advance(10 * MINUTE);
    await service.app.pollAll();
    expect(requestLines(sim, 6)).toEqual(['GET /connectors?expand=status', 'GET /connector-plugins']);

    const { samples } = await service.scrape();
    const requests = select(samples, 'kafka_connect_exporter_rest_requests_total', { connect_cluster: 'prod' });
    expect(requests.map((s) => [s.labels['endpoint'], s.labels['code'], s.value]).sort()).toEqual([
      ['connectors', '200', '5'],
      ['plugins', '200', '2'],
      ['root', '200', '1'],
    ]);
    for (const sample of requests) expect(CONNECT_ENDPOINTS).toContain(sample.labels['endpoint']);
  });

  it('serves OpenMetrics and gzip on request', async () => {
    const sim = await simulator({ connectors: FLEET });
    const service = await startService({ config: configText({ clusters: [{ name: 'prod', url: sim.url }] }) });
    await service.app.pollAll();
    const open = await service.inject({ url: '/metrics', headers: { accept: 'application/openmetrics-text; version=1.0.0' } });
    expect(open.statusCode).toBe(200);
    expect(open.headers['content-type']).toMatch(/^application\/openmetrics-text; version=1\.0\.0/);
    expect(open.body.endsWith('# EOF\n')).toBe(true);
    const zipped = await service.inject({ url: '/metrics', headers: { 'accept-encoding': 'gzip' } });
    expect(zipped.headers['content-encoding']).toBe('gzip');
    const { gunzipSync } = await import('node:zlib');
    expect(gunzipSync(zipped.rawPayload).toString()).toContain('kafka_connect_up{connect_cluster="prod"} 1');
  });

  it('never exports a connector config value', async () => {
    const sim = await simulator({ connectors: FLEET });
    const service = await startService({ config: configText({ clusters: [{ name: 'prod', url: sim.url }] }) });
    await service.app.pollAll();
    const secrets = sim.cluster.secrets();
    expect(secrets.length).toBeGreaterThan(0);
    const { body } = await service.scrape();
    const status = (await service.inject({ url: '/api/v1/status' })).body;
    for (const secret of secrets) {
      expect(body).not.toContain(secret);
      expect(status).not.toContain(secret);
      expect(service.logs.text()).not.toContain(secret);
    }
  });
});

describe('Kafka versions', () => {
  const versions = [
    { version: '2.2.2', mode: 'per-connector', stopped: false },
    { version: '2.8.2', mode: 'expanded', stopped: false },
    { version: '3.4.1', mode: 'expanded', stopped: false },
    { version: '3.9.0', mode: 'expanded', stopped: true },
    { version: '4.1.0', mode: 'expanded', stopped: true },
  ] as const;

  for (const { version, mode, stopped } of versions) {
    it(`Kafka ${version}: connectors, tasks and failures reach /metrics (${mode})`, async () => {
      const fleet: ConnectorSpec[] = [
        ...FLEET,
        ...(stopped ? [{ name: 'retired', connectorClass: S3_SINK, state: 'STOPPED', tasks: 1 } as const] : []),
      ];
      const sim = await simulator({ version, connectors: fleet });
      const service = await startService({ config: configText({ clusters: [{ name: 'c', url: sim.url }] }) });
      await service.app.pollAll();
      const { samples } = await service.scrape();
      expect(valueOf(samples, 'kafka_connect_up', { connect_cluster: 'c' })).toBe(1);
      expect(select(samples, 'kafka_connect_cluster_info').map((s) => s.labels['version'])).toEqual([version]);
      expect(currentState(samples, 'kafka_connect_task_state', { connector: 'orders-sink', task: '1' })).toBe('failed');
      expect(valueOf(samples, 'kafka_connect_task_failure_info', { connector: 'orders-sink', task: '1', root_cause: 'java.sql.SQLException' })).toBe(1);
      expect(currentState(samples, 'kafka_connect_connector_state', { connector: 'billing-source' })).toBe('failed');
      expect(select(samples, 'kafka_connect_connector_info', { connector: 'orders-sink' }).map((s) => s.labels['connector_class'])).toEqual([JDBC_SINK]);
      if (stopped) {
        expect(currentState(samples, 'kafka_connect_connector_state', { connector: 'retired' })).toBe('stopped');
        expect(select(samples, 'kafka_connect_task_state', { connector: 'retired' })).toEqual([]);
      }
      const statusCalls = sim.requests.count({ path: /^\/connectors\/[^/]+\/status$/ });
      expect(statusCalls).toBe(mode === 'per-connector' ? fleet.length : 0);
      expect(sim.requests.count({ path: '/connectors' })).toBe(1);
    });
  }

  it('Kafka 2.2: the per-connector fallback keeps at most 8 status requests in flight', async () => {
    const many = Array.from({ length: 30 }, (_, i): ConnectorSpec => ({ name: `c-${String(i).padStart(2, '0')}`, connectorClass: S3_SINK, tasks: 1 }));
    const sim = await simulator({ version: '2.2.2', connectors: many });
    // Slow answers make the client's requests overlap; the proxy counts how many are open at once.
    sim.faults.latencyMs = 10;
    const proxy = await countingProxy(sim.url);
    const service = await startService({ config: configText({ clusters: [{ name: 'legacy', url: proxy.url }] }) });
    await service.app.pollAll();
    expect(sim.requests.count({ path: /\/status$/ })).toBe(30);
    expect(proxy.peak()).toBeLessThanOrEqual(8);
    const { samples } = await service.scrape();
    expect(select(samples, 'kafka_connect_connector_info', { connect_cluster: 'legacy' })).toHaveLength(30);
    expect(valueOf(samples, 'kafka_connect_up', { connect_cluster: 'legacy' })).toBe(1);
  });
});

describe('what the config and Connect can add', () => {
  it('connectors excluded by the config are neither exported nor restarted', async () => {
    const sim = await simulator({
      connectors: [
        { name: 'tmp-scratch', connectorClass: S3_SINK, tasks: [{ state: 'FAILED', failure: 'connection-refused' }] },
        { name: 'orders-sink', connectorClass: JDBC_SINK, tasks: 1 },
      ],
    });
    const service = await startService({
      config: configText({ clusters: [{ name: 'prod', url: sim.url, connectors: { exclude: ['tmp-*'] } }], restart: { enabled: true } }),
    });
    await service.app.pollAll();
    const { samples } = await service.scrape();
    expect(samples.filter((s) => s.labels['connector'] === 'tmp-scratch')).toEqual([]);
    expect(select(samples, 'kafka_connect_connector_info').map((s) => s.labels['connector'])).toEqual(['orders-sink']);
    expect(sim.requests.count({ method: 'POST' })).toBe(0);
  });

  it('dropZeroStates keeps only the current state of each state set', async () => {
    const sim = await simulator({ connectors: FLEET });
    const service = await startService({ config: configText({ clusters: [{ name: 'prod', url: sim.url }], metrics: { dropZeroStates: true, processMetrics: false } }) });
    await service.app.pollAll();
    const { samples } = await service.scrape();
    const states = select(samples, 'kafka_connect_connector_state');
    expect(states.map((s) => [s.labels['connector'], s.labels['state'], s.value])).toEqual([
      ['archive', 'paused', '1'],
      ['billing-source', 'failed', '1'],
      ['orders-sink', 'running', '1'],
    ]);
  });

  it('a state Kafka Connect added later is exported with every known state at 0', async () => {
    const sim = await simulator({ connectors: FLEET });
    sim.cluster.setTaskState('orders-sink', 0, 'DRAINING');
    const service = await startService({ config: configText({ clusters: [{ name: 'prod', url: sim.url }] }) });
    await service.app.pollAll();
    const { samples } = await service.scrape();
    const states = select(samples, 'kafka_connect_task_state', { connector: 'orders-sink', task: '0' });
    expect(states).toHaveLength(TASK_STATES.length);
    expect(states.every((s) => s.value === '0')).toBe(true);
    expect(select(samples, 'kafka_connect_task_info', { connector: 'orders-sink', task: '0' })).toHaveLength(1);
  });

  it('connector names with slashes, quotes, spaces and non-ASCII are escaped in labels and encoded in restart calls', async () => {
    const name = 'cdc/pg "main" – ünïcode\\x';
    const sim = await simulator({
      connectors: [{ name, connectorClass: JDBC_SOURCE, tasks: [{ state: 'FAILED', failure: 'connection-refused' }] }],
    });
    const service = await startService({ config: configText({ clusters: [{ name: 'prod', url: sim.url }], restart: { enabled: true } }) });
    await service.app.pollAll();
    sim.settle();
    expect(requestLines(sim).filter((line) => line.startsWith('POST'))).toEqual([
      `POST /connectors/${encodeURIComponent(name)}/restart?includeTasks=true&onlyFailed=true`,
    ]);
    expect(sim.requests.entries.at(-1)?.status).toBe(202);
    await service.app.pollAll();
    const { samples } = await service.scrape();
    expect(currentState(samples, 'kafka_connect_task_state', { connector: name, task: '0' })).toBe('running');
    expect(valueOf(samples, 'kafka_connect_autorestart_restarts_total', { connector: name, task: '0' })).toBe(1);
  });
});

describe('poll error counters', () => {
  it('exist at 0 for every reason before the first poll, so that increase() sees the first failed one', async () => {
    const service = await startService({ config: configText({ clusters: [{ name: 'gone', url: await refusedUrl(), timeout: '1s' }] }) });
    const before = await service.scrape();
    expect(valueOf(before.samples, 'kafka_connect_exporter_poll_errors_total', { connect_cluster: 'gone', reason: 'unreachable' })).toBe(0);
    expect(select(before.samples, 'kafka_connect_exporter_poll_errors_total', { connect_cluster: 'gone' })).toHaveLength(POLL_ERROR_REASONS.length);
    await service.app.pollAll();
    const after = await service.scrape();
    expect(valueOf(after.samples, 'kafka_connect_exporter_poll_errors_total', { connect_cluster: 'gone', reason: 'unreachable' })).toBe(1);
  });
});
