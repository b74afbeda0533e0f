// Auto-restart end to end: the real service decides, records and sends restarts to the simulator, whose
// restart scripts say what happens next. The clock moves only when a test advances it; restarts settle only when a
// test calls sim.settle().

import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createConnectClient, type ConnectClient } from '../../src/connect/client.ts';
import { ConnectUnreachableError } from '../../src/errors.ts';
import type { ConnectorSpec, Simulator } from '../../packages/simulator/src/index.ts';
import {
  cleanup,
  configText,
  currentState,
  MINUTE,
  requestLines,
  SECOND,
  select,
  simulator,
  startService,
  T0,
  tempDir,
  valueOf,
  type ConfigShape,
  type Service,
} from './harness.ts';

afterEach(cleanup);

const JDBC_SOURCE = 'io.confluent.connect.jdbc.JdbcSourceConnector';
const JDBC_SINK = 'io.confluent.connect.jdbc.JdbcSinkConnector';
const S3_SINK = 'io.confluent.connect.s3.S3SinkConnector';
const HOUR = 60 * MINUTE;

/** Backoff 1m, 2m, 4m … without jitter, three restarts per hour: a schedule a test can walk exactly. */
const RESTART = {
  enabled: true,
  defaults: { backoff: { initial: '1m', multiplier: 2, max: '10m', jitter: 0 }, budget: { maxRestarts: 3, window: '1h' } },
};

const BULK = (connector: string) => `POST /connectors/${connector}/restart?includeTasks=true&onlyFailed=true`;

function config(sim: Simulator, extra: Partial<ConfigShape> = {}): string {
  return configText({ clusters: [{ name: 'prod', url: sim.url }], restart: RESTART, ...extra });
}

function posts(sim: Simulator): string[] {
  return requestLines(sim).filter((line) => line.startsWith('POST'));
}

async function metric(service: Service, name: string, labels: Record<string, string>): Promise<number | undefined> {
  return valueOf((await service.scrape()).samples, name, { connect_cluster: 'prod', ...labels });
}

interface Listing {
  targets: Array<{ connector: string; task: number | null; attempt: number; recentRestarts: number; exhausted: boolean; lastDecision: { reason: string; rule: string | null } | null }>;
  silences: Array<{ connector: string; reason: string | null }>;
}

async function listing(service: Service): Promise<Listing> {
  return (await service.inject({ url: '/api/v1/restarts' })).json() as Listing;
}

/** Polls, then lets the simulator apply the restarts that poll sent. */
async function pollAndSettle(service: Service, sim: Simulator): Promise<void> {
  await service.app.pollAll();
  sim.settle();
}

describe('auto-restart against the simulator', () => {
  it('restarts a task that failed with a retriable error (KIP-745) and sees it recover', async () => {
    const sim = await simulator({
      connectors: [{ name: 'inventory', connectorClass: JDBC_SOURCE, tasks: [{ state: 'FAILED', failure: 'connection-refused' }, {}] }],
    });
    const service = await startService({ config: config(sim) });
    await pollAndSettle(service, sim);
    expect(posts(sim)).toEqual([BULK('inventory')]);
    expect(sim.requests.entries.at(-1)?.status).toBe(202);
    expect(await metric(service, 'kafka_connect_autorestart_restarts_total', { connector: 'inventory', task: '0' })).toBe(1);
    expect(await metric(service, 'kafka_connect_autorestart_next_attempt_timestamp_seconds', { connector: 'inventory', task: '0' })).toBe(T0 / 1000 + 60);

    service.clock.advance(15 * SECOND);
    await service.app.pollAll();
    const { samples } = await service.scrape();
    expect(currentState(samples, 'kafka_connect_task_state', { connector: 'inventory', task: '0' })).toBe('running');
    expect(valueOf(samples, 'kafka_connect_autorestart_next_attempt_timestamp_seconds', { connector: 'inventory' })).toBeUndefined();
    expect(valueOf(samples, 'kafka_connect_autorestart_exhausted', { connector: 'inventory' })).toBeUndefined();
    expect(posts(sim)).toHaveLength(1);
    const line = service.logs.lines().find((l) => l['action'] === 'restart');
    expect(line).toMatchObject({ connect_cluster: 'prod', connector: 'inventory', task: 0, reason: 'first_failure', outcome: 'restarted' });
  });

  it('never restarts a ConfigException and reports it exhausted at once', async () => {
    const sim = await simulator({
      connectors: [{ name: 'billing', connectorClass: JDBC_SINK, state: 'FAILED', failure: 'config-missing', tasks: 0 }],
    });
    const service = await startService({ config: config(sim) });
    await pollAndSettle(service, sim);
    service.clock.advance(HOUR);
    await pollAndSettle(service, sim);
    expect(posts(sim)).toEqual([]);
    const { samples } = await service.scrape();
    expect(valueOf(samples, 'kafka_connect_autorestart_skipped_total', { connector: 'billing', reason: 'policy_never' })).toBe(2);
    expect(valueOf(samples, 'kafka_connect_autorestart_exhausted', { connect_cluster: 'prod', connector: 'billing' })).toBe(1);
    // A connector target has no task label at all.
    expect(samples.filter((s) => s.name === 'kafka_connect_autorestart_exhausted').map((s) => s.labels)).toEqual([{ connect_cluster: 'prod', connector: 'billing' }]);
    expect((await listing(service)).targets).toMatchObject([
      { connector: 'billing', task: null, attempt: 0, exhausted: true, lastDecision: { reason: 'policy_never', rule: 'builtin-config-exception' } },
    ]);
  });

  it('a flapping task walks the backoff (1m, 2m), then exhausts its budget and is left alone', async () => {
    const sim = await simulator({
      connectors: [
        { name: 'flappy', connectorClass: JDBC_SOURCE, tasks: [{ state: 'FAILED', failure: 'connection-refused', restart: { permanent: true } }] },
      ],
    });
    const service = await startService({ config: config(sim) });
    const nextAttempt = () => metric(service, 'kafka_connect_autorestart_next_attempt_timestamp_seconds', { connector: 'flappy', task: '0' });
    const exhausted = () => metric(service, 'kafka_connect_autorestart_exhausted', { connector: 'flappy', task: '0' });

    await pollAndSettle(service, sim); // T0: restart 1
    expect(await nextAttempt()).toBe(T0 / 1000 + 60);
    service.clock.advance(30 * SECOND);
    await pollAndSettle(service, sim); // T0+30s: backoff
    expect(posts(sim)).toHaveLength(1);

    service.clock.advance(30 * SECOND);
    await pollAndSettle(service, sim); // T0+1m: restart 2, next after 2m
    expect(posts(sim)).toHaveLength(2);
    expect(await nextAttempt()).toBe(T0 / 1000 + 180);
    service.clock.advance(MINUTE);
    await pollAndSettle(service, sim); // T0+2m: backoff
    expect(posts(sim)).toHaveLength(2);
    expect(await exhausted()).toBeUndefined();

    service.clock.advance(MINUTE);
    await pollAndSettle(service, sim); // T0+3m: restart 3, the last the budget allows: no next attempt is planned
    expect(posts(sim)).toHaveLength(3);
    expect(await nextAttempt()).toBeUndefined();

    for (let poll = 0; poll < 4; poll++) {
      service.clock.advance(5 * MINUTE);
      await pollAndSettle(service, sim);
    }
    expect(posts(sim)).toEqual(Array(3).fill(BULK('flappy')));
    expect(await exhausted()).toBe(1);
    expect(await metric(service, 'kafka_connect_autorestart_skipped_total', { connector: 'flappy', reason: 'budget_exhausted' })).toBe(4);
    expect(await metric(service, 'kafka_connect_autorestart_skipped_total', { connector: 'flappy', reason: 'backoff' })).toBe(2);
    expect(await metric(service, 'kafka_connect_autorestart_restarts_total', { connector: 'flappy', task: '0' })).toBe(3);
    expect((await listing(service)).targets).toMatchObject([{ task: 0, attempt: 3, recentRestarts: 3, exhausted: true }]);

    // Given up stays given up when the budget window slides past the first restarts.
    service.clock.advance(2 * 60 * MINUTE);
    await pollAndSettle(service, sim);
    expect(posts(sim)).toHaveLength(3);
    expect(await exhausted()).toBe(1);
  });

  it('dry run sends nothing and reports dry_run skips on the real schedule', async () => {
    const sim = await simulator({
      connectors: [{ name: 'inventory', connectorClass: JDBC_SOURCE, tasks: [{ state: 'FAILED', failure: 'connection-refused' }] }],
    });
    const service = await startService({ config: config(sim, { restart: { ...RESTART, dryRun: true } }) });
    await pollAndSettle(service, sim);
    service.clock.advance(MINUTE);
    await pollAndSettle(service, sim);
    expect(sim.requests.count({ method: 'POST' })).toBe(0);
    const { samples } = await service.scrape();
    expect(valueOf(samples, 'kafka_connect_autorestart_skipped_total', { connector: 'inventory', reason: 'dry_run' })).toBe(2);
    expect(valueOf(samples, 'kafka_connect_autorestart_restarts_total', { connector: 'inventory' })).toBe(0); // watched from the first failure, never incremented: nothing was sent
    expect(valueOf(samples, 'kafka_connect_autorestart_next_attempt_timestamp_seconds', { connector: 'inventory', task: '0' })).toBe(T0 / 1000 + 180);
    expect(service.logs.lines().filter((l) => l['reason'] === 'dry_run' && l['level'] === 'info')).toHaveLength(2);
  });

  it('exports the mode it runs in, off by default, and follows a reload', async () => {
    const sim = await simulator({ connectors: [] });
    const modes = async (service: Service) => {
      const { samples } = await service.scrape();
      return Object.fromEntries(select(samples, 'kafka_connect_autorestart_mode').map((sample) => [sample.labels['mode'], Number(sample.value)]));
    };
    const service = await startService({ config: configText({ clusters: [{ name: 'prod', url: sim.url }] }) });
    expect(await modes(service)).toEqual({ off: 1, dry_run: 0, on: 0 });
    for (const [restart, mode] of [[{ ...RESTART, dryRun: true }, 'dry_run'], [RESTART, 'on'], [{ ...RESTART, enabled: false }, 'off']] as const) {
      await service.writeConfig(config(sim, { restart }));
      expect((await service.app.reload()).ok).toBe(true);
      expect(await modes(service)).toEqual({ off: 0, dry_run: 0, on: 0, [mode]: 1 });
    }
  });

  it('never touches PAUSED or STOPPED connectors, even with FAILED tasks', async () => {
    const sim = await simulator({
      version: '3.9.0',
      connectors: [
        { name: 'paused', connectorClass: S3_SINK, state: 'PAUSED', tasks: [{ state: 'FAILED', failure: 'connection-refused' }] },
        { name: 'stopped', connectorClass: S3_SINK, state: 'STOPPED', tasks: 1 },
      ],
    });
    // A status record left behind for a task of the stopped connector: it looks FAILED.
    sim.cluster.setTaskState('stopped', 0, 'FAILED', { failure: 'connection-refused' });
    const service = await startService({ config: config(sim) });
    for (let poll = 0; poll < 3; poll++) {
      await pollAndSettle(service, sim);
      service.clock.advance(10 * MINUTE);
    }
    const { samples } = await service.scrape();
    expect(currentState(samples, 'kafka_connect_task_state', { connector: 'paused', task: '0' })).toBe('failed');
    expect(currentState(samples, 'kafka_connect_task_state', { connector: 'stopped', task: '0' })).toBe('failed');
    expect(currentState(samples, 'kafka_connect_connector_state', { connector: 'stopped' })).toBe('stopped');
    expect(sim.requests.count({ method: 'POST' })).toBe(0);
    expect(samples.filter((s) => s.name.startsWith('kafka_connect_autorestart_') && s.labels['connector'] !== undefined)).toEqual([]);
    expect((await listing(service)).targets).toEqual([]);
  });

  it('Kafka 2.8 (no KIP-745): a FAILED task is restarted on its own, a FAILED connector with the flags ignored (204)', async () => {
    const sim = await simulator({
      version: '2.8.2',
      connectors: [
        { name: 'inventory', connectorClass: JDBC_SOURCE, tasks: [{}, { state: 'FAILED', failure: 'connection-refused' }] },
        { name: 'mirror', connectorClass: S3_SINK, state: 'FAILED', failure: 'timeout', tasks: 1 },
      ],
    });
    const service = await startService({ config: config(sim) });
    await pollAndSettle(service, sim);
    expect(posts(sim).sort()).toEqual([
      'POST /connectors/inventory/tasks/1/restart',
      'POST /connectors/mirror/restart?includeTasks=false&onlyFailed=true',
    ]);
    expect(sim.requests.count({ method: 'POST', status: 204 })).toBe(2);
    service.clock.advance(15 * SECOND);
    await service.app.pollAll();
    const { samples } = await service.scrape();
    expect(currentState(samples, 'kafka_connect_task_state', { connector: 'inventory', task: '1' })).toBe('running');
    expect(currentState(samples, 'kafka_connect_connector_state', { connector: 'mirror' })).toBe('running');
    expect(valueOf(samples, 'kafka_connect_autorestart_restarts_total', { connector: 'inventory', task: '1' })).toBe(1);
  });

  it('Kafka 2.8 whose version could not be read: the bulk call answers 204, then each FAILED task is restarted', async () => {
    const sim = await simulator({
      version: '2.8.2',
      connectors: [{ name: 'inventory', connectorClass: JDBC_SOURCE, tasks: [{ state: 'FAILED', failure: 'connection-refused' }, {}, { state: 'FAILED', failure: 'connection-refused' }] }],
    });
    const service = await startService({
      config: config(sim),
      // GET / fails, so the service cannot know the worker predates KIP-745.
      createClient: (options): ConnectClient => {
        const client = createConnectClient(options);
        return {
          cluster: client.cluster,
          pollStatus: (signal) => client.pollStatus(signal),
          getWorkerInfo: () => Promise.reject(new ConnectUnreachableError({ cluster: 'prod', endpoint: 'root', workerUrl: sim.url }, { timeout: true, aborted: false })),
          getPlugins: (signal) => client.getPlugins(signal),
          getHealth: (signal) => client.getHealth(signal),
          restartConnector: (connector, flags, signal) => client.restartConnector(connector, flags, signal),
          restartTask: (connector, task, signal) => client.restartTask(connector, task, signal),
          close: () => client.close(),
        };
      },
    });
    await pollAndSettle(service, sim);
    expect(posts(sim)).toEqual([BULK('inventory'), 'POST /connectors/inventory/tasks/0/restart', 'POST /connectors/inventory/tasks/2/restart']);
    expect(sim.requests.entries.filter((e) => e.method === 'POST').map((e) => e.status)).toEqual([204, 204, 204]);
    service.clock.advance(15 * SECOND);
    await service.app.pollAll();
    const { samples } = await service.scrape();
    expect(currentState(samples, 'kafka_connect_task_state', { connector: 'inventory', task: '0' })).toBe('running');
    expect(currentState(samples, 'kafka_connect_task_state', { connector: 'inventory', task: '2' })).toBe('running');
  });

  it('a restart of connect-sentinel in the middle of a backoff keeps the attempt count, the schedule and the time of the last restart', async () => {
    const sim = await simulator({
      connectors: [
        { name: 'flappy', connectorClass: JDBC_SOURCE, tasks: [{ state: 'FAILED', failure: 'connection-refused', restart: { permanent: true } }] },
      ],
    });
    const first = await startService({ config: config(sim) });
    await pollAndSettle(first, sim);
    expect(posts(sim)).toHaveLength(1);
    expect(await metric(first, 'kafka_connect_autorestart_last_restart_timestamp_seconds', { connector: 'flappy', task: '0' })).toBe(T0 / 1000);
    await first.close();

    const second = await startService({ config: config(sim), dir: first.dir, clock: first.clock });
    second.clock.advance(10 * SECOND);
    await pollAndSettle(second, sim);
    expect(posts(sim)).toHaveLength(1);
    expect((await listing(second)).targets).toMatchObject([{ task: 0, attempt: 1, recentRestarts: 1, lastDecision: { reason: 'backoff' } }]);
    expect(await metric(second, 'kafka_connect_autorestart_next_attempt_timestamp_seconds', { connector: 'flappy', task: '0' })).toBe(T0 / 1000 + 60);
    // From the history on disk: the new process sent nothing yet.
    expect(await metric(second, 'kafka_connect_autorestart_last_restart_timestamp_seconds', { connector: 'flappy', task: '0' })).toBe(T0 / 1000);

    second.clock.advance(50 * SECOND);
    await pollAndSettle(second, sim);
    expect(posts(sim)).toHaveLength(2);
    expect((await listing(second)).targets).toMatchObject([{ task: 0, attempt: 2, recentRestarts: 2 }]);
    expect(await metric(second, 'kafka_connect_autorestart_last_restart_timestamp_seconds', { connector: 'flappy', task: '0' })).toBe(T0 / 1000 + 60);
  });

  it('a 409 during a rebalance is retried at the next poll without costing an attempt', async () => {
    const sim = await simulator({
      connectors: [{ name: 'inventory', connectorClass: JDBC_SOURCE, tasks: [{ state: 'FAILED', failure: 'connection-refused', restart: { permanent: true } }] }],
    });
    const service = await startService({ config: config(sim) });
    sim.faults.rebalance = true;
    sim.faults.messageNull = true;
    await pollAndSettle(service, sim);
    expect(sim.requests.count({ method: 'POST', status: 409 })).toBe(1);
    expect(await metric(service, 'kafka_connect_autorestart_restart_failures_total', { connector: 'inventory', task: '0' })).toBe(1);
    expect((await listing(service)).targets).toMatchObject([{ attempt: 0, recentRestarts: 0 }]);
    expect(service.logs.lines().find((l) => l['outcome'] === 'retry')).toMatchObject({ level: 'warn', connector: 'inventory' });

    sim.faults.reset();
    service.clock.advance(15 * SECOND);
    await pollAndSettle(service, sim);
    expect(posts(sim)).toEqual([BULK('inventory'), BULK('inventory')]);
    expect(sim.requests.entries.at(-1)?.status).toBe(202);
    expect((await listing(service)).targets).toMatchObject([{ attempt: 1, recentRestarts: 1 }]);
    expect(await metric(service, 'kafka_connect_autorestart_restarts_total', { connector: 'inventory', task: '0' })).toBe(2);
  });

  it('a restart the herder timed out (500 "Request timed out") counts as a restart: Connect still carries it out', async () => {
    const sim = await simulator({
      queuedTimeoutMs: 30,
      connectors: [{ name: 'inventory', connectorClass: JDBC_SOURCE, tasks: [{ state: 'FAILED', failure: 'connection-refused' }] }],
    });
    const service = await startService({ config: config(sim) });
    sim.faults.herderBlocked = true;
    await pollAndSettle(service, sim);
    expect(sim.requests.count({ method: 'POST', status: 500 })).toBe(1);
    // Given back, a task failing after each such restart was a first failure every time: 81 to 121 restarts an hour.
    expect((await listing(service)).targets).toMatchObject([{ attempt: 1, recentRestarts: 1, lastOutcome: { result: 'unconfirmed' } }]);
    // As a real worker does, the herder carries out the request it timed out once it is free: the task runs again
    // with no second call.
    sim.faults.herderBlocked = false;
    service.clock.advance(15 * SECOND);
    await pollAndSettle(service, sim);
    expect(sim.cluster.get('inventory')?.tasks[0]?.state).toBe('RUNNING');
    service.clock.advance(MINUTE);
    await pollAndSettle(service, sim);
    expect(sim.requests.count({ method: 'POST' })).toBe(1);
    expect((await listing(service)).targets).toMatchObject([{ attempt: 1, recentRestarts: 1, lastOutcome: { result: 'unconfirmed' } }]);
  });
});

describe('safety valves end to end', () => {
  it('the circuit breaker holds every restart back while half the cluster\'s connectors have FAILED work, and shows it in the API', async () => {
    const failing = { state: 'FAILED', failure: 'connection-refused' } as const;
    // 5 of 10 connectors have a FAILED task.
    const sim = await simulator({
      connectors: [
        ...['a', 'b', 'c', 'd', 'e'].map((name) => ({ name, connectorClass: JDBC_SOURCE, tasks: [failing, {}] })),
        ...['f', 'g', 'h', 'i', 'j'].map((name) => ({ name, connectorClass: JDBC_SOURCE, tasks: 2 })),
      ],
    });
    const service = await startService({ config: config(sim) });
    await pollAndSettle(service, sim);
    expect(sim.requests.count({ method: 'POST' })).toBe(0);
    expect(await metric(service, 'kafka_connect_autorestart_circuit_open', {})).toBe(1);
    expect(await metric(service, 'kafka_connect_autorestart_skipped_total', { connector: 'a', reason: 'circuit_open' })).toBe(1);
    const breakers = async () => ((await service.inject({ url: '/api/v1/restarts' })).json() as { circuitBreakers: unknown[] }).circuitBreakers;
    expect(await breakers()).toEqual([{ cluster: 'prod', open: true, failingConnectors: 5, connectors: 10 }]);

    sim.cluster.setTaskState('e', 0, 'RUNNING');
    await pollAndSettle(service, sim);
    expect(await metric(service, 'kafka_connect_autorestart_circuit_open', {})).toBe(0);
    expect(await breakers()).toEqual([{ cluster: 'prod', open: false, failingConnectors: 4, connectors: 10 }]);
    expect(posts(sim).sort()).toEqual(['a', 'b', 'c', 'd'].map(BULK));
  });

  it('a blackout window holds restarts back until it closes', async () => {
    const sim = await simulator({
      connectors: [{ name: 'inventory', connectorClass: JDBC_SOURCE, tasks: [{ state: 'FAILED', failure: 'connection-refused' }] }],
    });
    // T0 is 10:00 UTC: the window is open from then until 10:30.
    const blackouts = [{ name: 'morning-etl', cron: '0 10 * * *', duration: '30m' }];
    const service = await startService({ config: config(sim, { restart: { ...RESTART, blackouts } }) });
    await pollAndSettle(service, sim);
    expect(sim.requests.count({ method: 'POST' })).toBe(0);
    expect(await metric(service, 'kafka_connect_autorestart_skipped_total', { connector: 'inventory', reason: 'blackout' })).toBe(1);
    expect(await metric(service, 'kafka_connect_autorestart_next_attempt_timestamp_seconds', { connector: 'inventory', task: '0' })).toBe(T0 / 1000 + 1800);
    service.clock.advance(30 * MINUTE);
    await pollAndSettle(service, sim);
    expect(posts(sim)).toEqual([BULK('inventory')]);
  });
});

describe('operator API end to end', () => {
  const TOKEN = 'operator-token-7f3a';
  const FLEET: ConnectorSpec[] = [
    { name: 'billing', connectorClass: JDBC_SINK, state: 'FAILED', failure: 'config-missing', tasks: 0 },
    { name: 'flappy', connectorClass: JDBC_SOURCE, tasks: [{ state: 'FAILED', failure: 'connection-refused', restart: { permanent: true } }] },
  ];

  async function operatorService(sim: Simulator, withToken = true): Promise<Service> {
    const dir = await tempDir();
    await writeFile(join(dir, 'api-token'), `${TOKEN}\n`);
    return startService({ dir, config: config(sim, withToken ? { api: { tokenFile: 'api-token' } } : {}) });
  }

  const auth = { authorization: `Bearer ${TOKEN}` };

  it('restart now: forces a restart of a target a rule says never to, at the next poll', async () => {
    const sim = await simulator({ connectors: FLEET });
    const service = await operatorService(sim);
    await pollAndSettle(service, sim);
    expect(posts(sim)).toEqual([BULK('flappy')]);

    const accepted = await service.inject({ method: 'POST', url: '/api/v1/restarts', headers: auth, payload: { cluster: 'prod', connector: 'billing' } });
    expect(accepted.statusCode).toBe(202);
    expect(posts(sim)).toHaveLength(1);
    await pollAndSettle(service, sim);
    expect(posts(sim)).toEqual([BULK('flappy'), 'POST /connectors/billing/restart?includeTasks=false&onlyFailed=true']);
    expect(service.logs.lines().find((l) => l['connector'] === 'billing' && l['action'] === 'restart')).toMatchObject({ reason: 'requested' });
    service.clock.advance(15 * SECOND);
    await service.app.pollAll();
    expect(currentState((await service.scrape()).samples, 'kafka_connect_connector_state', { connector: 'billing' })).toBe('running');
  });

  it('reset budget: an exhausted target is restarted again at the next poll', async () => {
    const sim = await simulator({ connectors: FLEET });
    const service = await operatorService(sim);
    for (const step of [0, MINUTE, 2 * MINUTE, MINUTE]) {
      service.clock.advance(step);
      await pollAndSettle(service, sim);
    }
    expect(posts(sim)).toHaveLength(3);
    expect(await metric(service, 'kafka_connect_autorestart_exhausted', { connector: 'flappy', task: '0' })).toBe(1);

    const reset = await service.inject({ method: 'POST', url: '/api/v1/restarts/reset', headers: auth, payload: { cluster: 'prod', connector: 'flappy', task: 0 } });
    expect(reset.statusCode).toBe(200);
    await pollAndSettle(service, sim);
    expect(posts(sim)).toHaveLength(4);
    expect((await listing(service)).targets.find((t) => t.connector === 'flappy')).toMatchObject({ attempt: 1, recentRestarts: 1, exhausted: false });
  });

  it('silence: the connector is left alone and not reported exhausted; unsilence lets restarts resume', async () => {
    const sim = await simulator({ connectors: FLEET });
    const service = await operatorService(sim);
    const silenced = await service.inject({
      method: 'POST',
      url: '/api/v1/silences',
      headers: auth,
      payload: { cluster: 'prod', connector: 'flappy', duration: '1h', reason: 'DB migration' },
    });
    expect(silenced.statusCode).toBe(404);
    await pollAndSettle(service, sim);
    expect(posts(sim)).toHaveLength(1);
    service.clock.advance(MINUTE);

    const ok = await service.inject({
      method: 'POST',
      url: '/api/v1/silences',
      headers: auth,
      payload: { cluster: 'prod', connector: 'flappy', duration: '1h', reason: 'DB migration' },
    });
    expect(ok.json()).toEqual({ status: 'ok', silencedUntil: new Date(T0 + MINUTE + HOUR).toISOString() });
    await pollAndSettle(service, sim);
    expect(posts(sim)).toHaveLength(1);
    expect(await metric(service, 'kafka_connect_autorestart_skipped_total', { connector: 'flappy', reason: 'silenced' })).toBe(1);
    expect(await metric(service, 'kafka_connect_autorestart_exhausted', { connector: 'flappy', task: '0' })).toBeUndefined();
    expect((await listing(service)).silences).toMatchObject([{ connector: 'flappy', reason: 'DB migration' }]);

    const lifted = await service.inject({ method: 'DELETE', url: '/api/v1/silences', headers: auth, payload: { cluster: 'prod', connector: 'flappy' } });
    expect(lifted.statusCode).toBe(200);
    await pollAndSettle(service, sim);
    expect(posts(sim)).toHaveLength(2);
  });

  it('write actions are refused without the token, with a wrong one, and when no token is configured', async () => {
    const sim = await simulator({ connectors: FLEET });
    const service = await operatorService(sim);
    await service.app.pollAll();
    const body = { cluster: 'prod', connector: 'billing' };
    const missing = await service.inject({ method: 'POST', url: '/api/v1/restarts', payload: body });
    const wrong = await service.inject({ method: 'POST', url: '/api/v1/restarts', headers: { authorization: 'Bearer nope' }, payload: body });
    expect([missing.statusCode, wrong.statusCode]).toEqual([401, 401]);
    expect(wrong.json()).toMatchObject({ error: 'CS_ERR_API_UNAUTHORIZED' });
    const unknown = await service.inject({ method: 'POST', url: '/api/v1/restarts', headers: auth, payload: { cluster: 'prod', connector: 'nope' } });
    expect(unknown.statusCode).toBe(404);
    await pollAndSettle(service, sim);
    expect(posts(sim)).toEqual([BULK('flappy')]);
    expect(service.logs.text()).not.toContain(TOKEN);

    const other = await simulator({ connectors: FLEET });
    const tokenless = await operatorService(other, false);
    await tokenless.app.pollAll();
    const forbidden = await tokenless.inject({ method: 'POST', url: '/api/v1/restarts', headers: auth, payload: body });
    expect(forbidden.statusCode).toBe(403);
    expect(forbidden.json()).toMatchObject({ error: 'CS_ERR_API_FORBIDDEN' });
  });
});

describe('a connector deleted and created again under the same name', () => {
  it('starts afresh: the old history and spent budget end when the poller sees the deletion', async () => {
    const spec: ConnectorSpec = { name: 'reborn', connectorClass: JDBC_SOURCE, tasks: [{ state: 'FAILED', failure: 'connection-refused', restart: { permanent: true } }] };
    const sim = await simulator({ connectors: [spec] });
    const service = await startService({ config: config(sim) });
    // Three restarts (1m, 2m backoff), then the budget of 3 per hour is spent: exhausted.
    for (let poll = 0; poll < 30; poll++) {
      await pollAndSettle(service, sim);
      service.clock.advance(15 * SECOND);
    }
    expect(posts(sim)).toHaveLength(3);
    expect(await metric(service, 'kafka_connect_autorestart_exhausted', { connector: 'reborn', task: '0' })).toBe(1);

    sim.cluster.remove('reborn');
    // Absent from three trusted polls: deleted.
    for (let poll = 0; poll < 3; poll++) {
      await pollAndSettle(service, sim);
      service.clock.advance(15 * SECOND);
    }
    sim.cluster.add(spec);
    await pollAndSettle(service, sim);
    // A first failure of a new connector: restarted at once, not reported exhausted.
    expect(posts(sim)).toHaveLength(4);
    expect(await metric(service, 'kafka_connect_autorestart_exhausted', { connector: 'reborn', task: '0' })).toBeUndefined();
    expect((await listing(service)).targets.filter((t) => t.connector === 'reborn' && t.task === 0)).toMatchObject([{ attempt: 1, recentRestarts: 1 }]);
  });
});

describe('restart rounds of several clusters', () => {
  it('a cluster whose restart calls hang holds back no other cluster', async () => {
    const failed: ConnectorSpec[] = [{ name: 'inventory', connectorClass: JDBC_SOURCE, tasks: [{ state: 'FAILED', failure: 'connection-refused' }] }];
    // stuck's herder is blocked: its restart call waits for an answer until the herder is free.
    const stuck = await simulator({ queuedTimeoutMs: 60_000, connectors: failed });
    const healthy = await simulator({ connectors: failed });
    const service = await startService({
      config: configText({ clusters: [{ name: 'stuck', url: stuck.url, timeout: '15s' }, { name: 'healthy', url: healthy.url }], restart: RESTART }),
    });
    stuck.faults.herderBlocked = true;
    const round = service.app.pollAll();
    // One serial queue around whole rounds made healthy's restart wait for stuck's hanging call.
    await waitUntil(() => posts(healthy).length === 1);
    // stuck's call is still waiting for its herder (the log holds answered requests only).
    expect(posts(stuck)).toEqual([]);
    expect(posts(healthy)).toEqual([BULK('inventory')]);
    stuck.faults.herderBlocked = false;
    await round;
    expect(posts(stuck)).toEqual([BULK('inventory')]);
    const listing = (await service.inject({ url: '/api/v1/restarts' })).json() as { targets: Array<{ cluster: string; task: number | null; attempt: number }> };
    expect(listing.targets.filter((t) => t.task === 0).map((t) => [t.cluster, t.attempt]).sort()).toEqual([['healthy', 1], ['stuck', 1]]);
  });
});

/** Waits on a condition of in-process state (no clock involved), for at most 10 s. */
async function waitUntil(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met within 10 s');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
