// The client against the Kafka Connect simulator (packages/simulator): version-dependent shapes, startup phases,
// basic auth, restarts and faults, end to end over loopback.

import { afterEach, describe, expect, it } from 'vitest';
import { createConnectClient, type ConnectClientOptions } from '../../src/connect/client.ts';
import { parseWorkerVersion, supports } from '../../src/connect/kafka-version.ts';
import { ConnectHttpError, ConnectUnreachableError } from '../../src/errors.ts';
import { startSimulator, type ConnectorSpec, type SimulatorOptions } from '../../packages/simulator/src/index.ts';
import { captureLog } from '../support/log-capture.ts';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

const CONNECTORS: ConnectorSpec[] = [
  {
    name: 'orders-sink',
    connectorClass: 'io.confluent.connect.jdbc.JdbcSinkConnector',
    config: { 'connection.password': 'sim-secret-pw', 'connection.user': 'app' },
    tasks: [{ state: 'RUNNING' }, { state: 'FAILED' }, { state: 'RUNNING' }],
  },
  { name: 'cdc/pg', connectorClass: 'io.debezium.connector.postgresql.PostgresConnector', state: 'FAILED', tasks: 0 },
  { name: 'archive', connectorClass: 'io.confluent.connect.s3.S3SinkConnector', tasks: 2 },
];

async function simulator(options: SimulatorOptions = {}) {
  const sim = await startSimulator({ connectors: CONNECTORS, ...options });
  cleanups.push(() => sim.close());
  return sim;
}

function client(options: Partial<ConnectClientOptions> & { urls: string[] }) {
  const created = createConnectClient({ cluster: 'sim', logger: captureLog().logger, timeoutMs: 5_000, ...options });
  cleanups.push(() => created.close());
  return created;
}

const CLASS_SHAPE = /^[\p{L}_$][\p{L}\p{N}_$]*(?:\.[\p{L}_$][\p{L}\p{N}_$]*)+$/u;

describe('client against the simulator', () => {
  it('Kafka 3.9: one expanded request decodes every connector, its class and failure classes, and no secret', async () => {
    const sim = await simulator();
    const poll = await client({ urls: [sim.url] }).pollStatus();
    expect(sim.requests.count()).toBe(1);
    expect(sim.requests.entries[0]?.query).toBe('expand=status&expand=info');
    expect(poll.mode).toBe('expanded');
    expect(poll.missingStatus).toEqual([]);
    expect(poll.connectors.map((c) => [c.name, c.connectorClass, c.state, c.tasks.map((t) => t.state)])).toEqual([
      ['archive', 'io.confluent.connect.s3.S3SinkConnector', 'running', ['running', 'running']],
      ['cdc/pg', 'io.debezium.connector.postgresql.PostgresConnector', 'failed', []],
      ['orders-sink', 'io.confluent.connect.jdbc.JdbcSinkConnector', 'running', ['running', 'failed', 'running']],
    ]);
    for (const connector of poll.connectors) {
      const view = sim.cluster.get(connector.name);
      expect(connector.type).toBe(view?.type);
      expect(connector.workerId).toBe(view?.connector?.workerId);
    }
    const failures = [poll.connectors[1]?.failure, poll.connectors[2]?.tasks[1]?.failure];
    for (const failure of failures) {
      expect(failure?.exception).toMatch(CLASS_SHAPE);
      expect(failure?.rootCause).toMatch(CLASS_SHAPE);
    }
    const output = JSON.stringify(poll);
    expect(sim.cluster.secrets()).toContain('sim-secret-pw');
    for (const secret of sim.cluster.secrets()) expect(output).not.toContain(secret);
  });

  it('Kafka 2.2: falls back to one status per connector and reads each class once', async () => {
    const sim = await simulator({ version: '2.2.2' });
    const connect = client({ urls: [sim.url], legacyConcurrency: 2 });
    const first = await connect.pollStatus();
    expect(first.mode).toBe('per-connector');
    expect(first.connectors.map((c) => [c.name, c.connectorClass, c.state])).toEqual([
      ['archive', 'io.confluent.connect.s3.S3SinkConnector', 'running'],
      ['cdc/pg', 'io.debezium.connector.postgresql.PostgresConnector', 'failed'],
      ['orders-sink', 'io.confluent.connect.jdbc.JdbcSinkConnector', 'running'],
    ]);
    expect(sim.requests.count({ path: '/connectors/cdc%2Fpg/status' })).toBe(1);
    const infoRequests = { method: 'GET', path: /^\/connectors\/[^/]+$/ };
    expect(sim.requests.count(infoRequests)).toBe(3);
    await connect.pollStatus();
    expect(sim.requests.count(infoRequests)).toBe(3);
    expect(sim.requests.count({ path: /\/status$/ })).toBe(6);
    for (const secret of sim.cluster.secrets()) expect(JSON.stringify(first)).not.toContain(secret);
  });

  it('reads GET / and maps the version to features', async () => {
    const sim = await simulator({ version: '7.5.0-ccs' });
    const info = await client({ urls: [sim.url] }).getWorkerInfo();
    const version = parseWorkerVersion(info.version);
    expect(version?.kafka).toEqual({ major: 3, minor: 5 });
    expect([supports(version, 'stoppedState'), supports(version, 'health')]).toEqual([true, false]);
  });

  it('reports a STOPPED connector (3.5+) and connector plugins', async () => {
    const sim = await simulator({ version: '3.6.2' });
    sim.cluster.stop('archive');
    const connect = client({ urls: [sim.url] });
    const poll = await connect.pollStatus();
    const archive = poll.connectors.find((c) => c.name === 'archive');
    expect([archive?.state, archive?.tasks]).toEqual(['stopped', []]);
    const plugins = await connect.getPlugins();
    expect(plugins.map((p) => p.class)).toContain('io.confluent.connect.jdbc.JdbcSinkConnector');
  });

  it('health: healthy, starting while reading internal topics, unsupported before 3.9', async () => {
    // Like Connect, /health waits for a busy herder before answering 503; the simulator's wait is shortened.
    const sim = await simulator({ healthTimeoutMs: 20 });
    const connect = client({ urls: [sim.url] });
    expect((await connect.getHealth()).status).toBe('healthy');
    sim.faults.startupPhase = 'reading';
    expect((await connect.getHealth()).status).toBe('starting');
    const old = await simulator({ version: '3.8.1' });
    expect(await client({ urls: [old.url] }).getHealth()).toEqual({ status: 'unsupported', message: '' });
  });

  it('startup: a worker still serving Jetty\'s HTML 404 or refusing connections is skipped for one that answers', async () => {
    const starting = await simulator();
    starting.faults.startupPhase = 'html404';
    const refusing = await simulator();
    refusing.faults.startupPhase = 'refused';
    const ready = await simulator();
    const alone = await client({ urls: [starting.url] })
      .pollStatus()
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect([(alone as ConnectHttpError).status, (alone as ConnectHttpError).errorCode]).toEqual([404, undefined]);
    const refused = await client({ urls: [refusing.url] })
      .getWorkerInfo()
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(refused).toBeInstanceOf(ConnectUnreachableError);
    const poll = await client({ urls: [starting.url, refusing.url, ready.url] }).pollStatus();
    expect(poll.workerUrl).toBe(ready.url);
    expect(poll.connectors).toHaveLength(3);
  });

  it('a connector without a status record: missing in the per-connector mode, left out by Connect when expanded', async () => {
    const legacy = await simulator({ version: '2.2.2' });
    legacy.cluster.dropStatus('archive');
    const perConnector = await client({ urls: [legacy.url] }).pollStatus();
    expect(perConnector.missingStatus).toEqual(['archive']);
    expect(perConnector.connectors.map((c) => c.name)).toEqual(['cdc/pg', 'orders-sink']);

    const current = await simulator();
    current.cluster.dropStatus('archive');
    const expanded = await client({ urls: [current.url] }).pollStatus();
    expect(expanded.missingStatus).toEqual([]);
    expect(expanded.connectors.map((c) => c.name)).toEqual(['cdc/pg', 'orders-sink']);
  });

  it('a connector being deleted has info null: its class is unknown but its status is kept', async () => {
    const sim = await simulator();
    sim.cluster.markDeleting('archive');
    const poll = await client({ urls: [sim.url] }).pollStatus();
    const archive = poll.connectors.find((c) => c.name === 'archive');
    expect([archive?.connectorClass, archive?.state]).toEqual(['', 'running']);
  });

  it('basic auth: the right credentials pass, wrong ones get Connect\'s 401', async () => {
    const sim = await simulator({ basicAuth: { username: 'sentinel', password: 'pw-1' } });
    const poll = await client({ urls: [sim.url], auth: { kind: 'basic', username: 'sentinel', password: 'pw-1' } }).pollStatus();
    expect(poll.connectors).toHaveLength(3);
    const err = await client({ urls: [sim.url], auth: { kind: 'basic', username: 'sentinel', password: 'nope' } })
      .pollStatus()
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect([(err as ConnectHttpError).status, (err as ConnectHttpError).connectMessage]).toEqual([401, null]);
  });

  it('restarts: a 202 plan on 3.x, connector-only on 2.x, task restarts', async () => {
    const sim = await simulator();
    const connect = client({ urls: [sim.url] });
    const planned = await connect.restartConnector('orders-sink', { includeTasks: true, onlyFailed: true });
    expect(planned.kind).toBe('planned');
    if (planned.kind === 'planned') {
      expect(planned.plan.state).toBe('running');
      expect(planned.plan.tasks.map((t) => t.state)).toEqual(['running', 'restarting', 'running']);
      expect(planned.plan.tasks[1]?.failure?.exception).toMatch(CLASS_SHAPE);
    }
    await connect.restartTask('orders-sink', 1);
    expect(sim.requests.count({ method: 'POST', path: '/connectors/orders-sink/tasks/1/restart', status: 204 })).toBe(1);

    const old = await simulator({ version: '2.8.2' });
    expect(
      await client({ urls: [old.url] }).restartConnector('orders-sink', { includeTasks: true, onlyFailed: true }),
    ).toEqual({ kind: 'connector-only' });
  });

  it('faults: a rebalance makes restarts 409 (retriable); message null stays null', async () => {
    const sim = await simulator();
    sim.faults.rebalance = true;
    const connect = client({ urls: [sim.url] });
    const conflict = (await connect.restartTask('orders-sink', 1).then(
      () => undefined,
      (e: unknown) => e,
    )) as ConnectHttpError;
    expect([conflict.status, conflict.retriable]).toEqual([409, true]);
    sim.faults.rebalance = false;
    sim.faults.messageNull = true;
    const missing = (await connect.restartTask('no-such-connector', 0).then(
      () => undefined,
      (e: unknown) => e,
    )) as ConnectHttpError;
    expect([missing.status, missing.connectMessage]).toEqual([404, null]);
  });
});
