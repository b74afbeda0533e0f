// Real Kafka Connect is the reference: a KRaft broker and Connect workers of each version in KAFKA_VERSIONS run as JVMs
// on loopback (tools/kafka/launcher.ts), configured as Charmed Kafka Connect is (HTTPS, basic auth, `admin`), with a
// plain-HTTP cluster beside it, and a plain two-worker cluster whose leader's herder a test blocks. connect-sentinel
// watches them in-process on real time, and every assertion is made through its /metrics and /api/v1/*, and through
// Connect's own REST answers. One cluster per version is shared by the scenarios, each on connectors of its own.

import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KAFKA_VERSIONS, leaderOf, makeConnectTls, startRealKafka, waitFor, type ConnectCluster, type RealKafka, type Worker } from '../../tools/kafka/launcher.ts';
import { samplesOf } from '../metrics/validator.ts';
import { startMonitoringStack } from '../monitoring/harness.ts';
import { page, replayLiveRun } from '../monitoring/replay.ts';
import { startLiveSentinel, type LiveSentinel } from '../monitoring/sentinel.ts';
import { select, valueOf } from '../service/harness.ts';
import { refusedUrl } from '../support/network.ts';
import { PROBE_CONNECTOR, PROBE_MESSAGE, readRecording, recordAnswers, recordSequence, SEQUENCE_CONNECTOR, writeRecording } from '../contract/real-answers.ts';
import { connectStatus, FAULT_SOURCE, realKafkaDir, stopRealKafka, taskStarts, untilTasks, WAIT_MS } from './support.ts';

const PASSWORD = 'admin-secret-for-tests';

describe.each(KAFKA_VERSIONS)('real Kafka Connect %s', { timeout: 3 * WAIT_MS }, (version) => {
  let kafka: RealKafka;
  let charmed: ConnectCluster;
  let plain: ConnectCluster;
  let busy: ConnectCluster;
  let sentinel: LiveSentinel;
  let stateDir: string;
  let sinkDir: string;
  /** The clusters[] entry of the Charmed-like cluster, as connect-sentinel's config has it. */
  let charmedEntry: Record<string, unknown> & { name: string };
  /** A bootstrap address nothing listens on. */
  let refusedBootstrap: string;

  beforeAll(async () => {
    const dir = await realKafkaDir(version);
    stateDir = join(dir, 'fault-state');
    sinkDir = join(dir, 'sink-out');
    const tls = await makeConnectTls(dir);
    kafka = await startRealKafka(
      version,
      [
        { name: 'charmed', workers: 2, tls, basicAuth: { username: 'admin', password: PASSWORD }, rebalanceDelayMs: 5000 },
        { name: 'plain', workers: 1 },
        // Its leader's herder is blocked past Connect's 90 s request timeout: the leader must stay in the group.
        { name: 'busy', workers: 2, rebalanceTimeoutMs: 300_000 },
      ],
      dir,
    );
    [charmed, plain, busy] = kafka.clusters as [ConnectCluster, ConnectCluster, ConnectCluster];
    await writeFile(join(dir, 'ca.pem'), tls.caPem);
    await writeFile(join(dir, 'password'), PASSWORD);
    await writeFile(join(dir, 'wrong-password'), 'not-the-password');
    refusedBootstrap = new URL(await refusedUrl()).host;
    const [first, second] = charmed.workers.map((worker) => worker.url) as [string, string];
    const auth = (file: string) => ({ username: 'admin', passwordFile: join(dir, file) });
    charmedEntry = { name: 'charmed', url: [first, second], basicAuth: auth('password'), tls: { caFile: join(dir, 'ca.pem') }, pollInterval: '1s' };
    sentinel = await startLiveSentinel({
      clusters: [
        // The replay has a connect-sentinel of its own for its connectors; bulk-source is restarted by hand.
        { ...charmedEntry, connectors: { exclude: ['replay-*', 'bulk-*'] } },
        // The recording probes are answered as Connect answers them, untouched by auto-restart.
        { name: 'plain', url: plain.workers[0]?.url, pollInterval: '1s', connectors: { exclude: ['probe-*', 'sequence-*'] } },
        // timeout-direct-* are restarted by hand only.
        // A 3 s timeout: a restart to the blocked leader times out, one to the freed leader answers in time on a busy machine.
        { name: 'busy', url: busy.workers.map((worker) => worker.url), pollInterval: '3s', connectors: { exclude: ['timeout-direct-*'] } },
        { name: 'wrong-password', url: first, basicAuth: auth('wrong-password'), tls: { caFile: join(dir, 'ca.pem') }, pollInterval: '1s' },
        { name: 'wrong-ca', url: first, basicAuth: auth('password'), tls: { caFile: join(dir, 'other-ca.pem') }, pollInterval: '1s' },
        { name: 'failover', url: [(await refusedUrl()).replace('http:', 'https:'), second], basicAuth: auth('password'), tls: { caFile: join(dir, 'ca.pem') }, pollInterval: '1s' },
      ],
      restart: {
        enabled: true,
        defaults: { backoff: { initial: '2s', multiplier: 2, max: '8s', jitter: 0 }, budget: { maxRestarts: 3, window: '1h' } },
        recovery: { healthyPolls: 2 },
        // Long enough for the test to lift a block between two attempts.
        rules: [{ name: 'timed-out-restarts', match: { connectors: ['timeout-*'] }, backoff: { initial: '30s', max: '1m', jitter: 0 } }],
      },
    });
  }, 300_000);

  afterAll(() => stopRealKafka(kafka, sentinel), 120_000);

  async function scrape() {
    const response = await fetch(`http://${sentinel.address}/metrics`);
    return samplesOf(await response.text());
  }

  /** Waits until connect-sentinel's /metrics satisfy `check`, which returns a value or undefined. */
  function metricsUntil<T>(what: string, check: (samples: Awaited<ReturnType<typeof scrape>>) => T | undefined): Promise<T> {
    return waitFor(what, async () => check(await scrape()), WAIT_MS);
  }

  const stateOf = (samples: Awaited<ReturnType<typeof scrape>>, family: string, labels: Record<string, string>) =>
    select(samples, family, labels).find((sample) => sample.value === '1')?.labels['state'];

  async function create(cluster: ConnectCluster, name: string, config: Record<string, string>): Promise<void> {
    const answer = await cluster.rest('PUT', `/connectors/${name}/config`, { 'tasks.max': '1', ...config });
    expect([200, 201], answer.text).toContain(answer.status);
  }

  async function restartsOf(connector: string, cluster = 'charmed'): Promise<Array<{ task: number | null; attempt: number; recentRestarts: number; exhausted: boolean; lastRestartAt: string | null; nextAttemptAt: string | null; lastDecision: { reason: string; rule: string | null } | null; lastOutcome: { result: string } | null }>> {
    const response = await fetch(`http://${sentinel.address}/api/v1/restarts?cluster=${cluster}&connector=${encodeURIComponent(connector)}`);
    return ((await response.json()) as { targets: never[] }).targets;
  }

  /** What /api/v1/restarts says of task 0 of `connector`. */
  async function task0(connector: string, cluster = 'charmed') {
    return (await restartsOf(connector, cluster)).find((target) => target.task === 0);
  }

  /** Waits until Connect itself reports task 0 of `connector` RUNNING. */
  function untilRunning(cluster: ConnectCluster, connector: string) {
    return waitFor(`${connector} task 0 RUNNING`, async () => ((await connectStatus(cluster, connector)).tasks[0]?.state === 'RUNNING' ? true : undefined), WAIT_MS);
  }

  it('polls both clusters with one request each, over HTTPS with basic auth and over plain HTTP', async () => {
    const samples = await metricsUntil('both clusters up', (s) =>
      valueOf(s, 'kafka_connect_up', { connect_cluster: 'charmed' }) === 1 && valueOf(s, 'kafka_connect_up', { connect_cluster: 'plain' }) === 1 ? s : undefined,
    );
    expect(select(samples, 'kafka_connect_cluster_info', { connect_cluster: 'charmed' })[0]?.labels['version']).toBe(version);
    expect(select(samples, 'kafka_connect_exporter_rest_requests_total', { connect_cluster: 'charmed', endpoint: 'connectors', code: '200' }).length).toBe(1);
  });

  it('refuses a wrong password and a CA that did not sign the workers, and fails over from a worker that is down', async () => {
    await metricsUntil('the access clusters polled', (s) =>
      valueOf(s, 'kafka_connect_up', { connect_cluster: 'failover' }) === 1 &&
      valueOf(s, 'kafka_connect_up', { connect_cluster: 'wrong-password' }) === 0 &&
      valueOf(s, 'kafka_connect_up', { connect_cluster: 'wrong-ca' }) === 0
        ? true
        : undefined,
    );
    const samples = await scrape();
    expect(valueOf(samples, 'kafka_connect_exporter_rest_requests_total', { connect_cluster: 'wrong-password', endpoint: 'connectors', code: '401' })).toBeGreaterThan(0);
    expect(select(samples, 'kafka_connect_exporter_poll_errors_total', { connect_cluster: 'wrong-password', reason: 'http' })).toHaveLength(1);
    expect(select(samples, 'kafka_connect_exporter_poll_errors_total', { connect_cluster: 'wrong-ca', reason: 'unreachable' })).toHaveLength(1);
  });

  it('reports RUNNING, PAUSED and STOPPED connectors and their tasks as Connect does, and leaves them alone', async () => {
    for (const name of ['states-running', 'states-paused', 'states-stopped']) await create(charmed, name, { 'connector.class': FAULT_SOURCE });
    await untilRunning(charmed, 'states-stopped');
    expect((await charmed.rest('PUT', '/connectors/states-paused/pause')).status).toBe(202);
    expect((await charmed.rest('PUT', '/connectors/states-stopped/stop')).status).toBe(204);
    // Creating connectors rebalances the two workers, and the status topic catches up: a task can be UNASSIGNED for
    // a moment, and a stopped connector's task can still show until its removal is written. Wait for the end state.
    const samples = await metricsUntil('running, paused and stopped states', (s) =>
      stateOf(s, 'kafka_connect_task_state', { connect_cluster: 'charmed', connector: 'states-running', task: '0' }) === 'running' &&
      stateOf(s, 'kafka_connect_task_state', { connect_cluster: 'charmed', connector: 'states-paused', task: '0' }) === 'paused' &&
      stateOf(s, 'kafka_connect_connector_state', { connect_cluster: 'charmed', connector: 'states-paused' }) === 'paused' &&
      stateOf(s, 'kafka_connect_connector_state', { connect_cluster: 'charmed', connector: 'states-stopped' }) === 'stopped' &&
      select(s, 'kafka_connect_task_state', { connect_cluster: 'charmed', connector: 'states-stopped' }).length === 0
        ? s
        : undefined,
    );
    expect(stateOf(samples, 'kafka_connect_connector_state', { connect_cluster: 'charmed', connector: 'states-running' })).toBe('running');
    expect(stateOf(samples, 'kafka_connect_task_state', { connect_cluster: 'charmed', connector: 'states-running', task: '0' })).toBe('running');
    expect(stateOf(samples, 'kafka_connect_task_state', { connect_cluster: 'charmed', connector: 'states-paused', task: '0' })).toBe('paused');
    // A stopped connector has no tasks at all.
    expect(select(samples, 'kafka_connect_task_state', { connect_cluster: 'charmed', connector: 'states-stopped' })).toEqual([]);
    for (const connector of ['states-running', 'states-paused', 'states-stopped']) expect(await restartsOf(connector)).toEqual([]);
  });

  it('exports a failed task with the exception and root cause of its real trace, and restarts it until its budget runs out', async () => {
    await create(charmed, 'db-source', {
      'connector.class': FAULT_SOURCE,
      'fault.mode': 'fail-at-start',
      'fault.exception': 'org.apache.kafka.connect.errors.ConnectException',
      'fault.message': 'cannot reach the orders database',
      'fault.causes': 'java.sql.SQLException:Connection refused',
    });
    const samples = await metricsUntil('the failure info', (s) =>
      select(s, 'kafka_connect_task_failure_info', { connect_cluster: 'charmed', connector: 'db-source', task: '0' }).length === 1 ? s : undefined,
    );
    expect(select(samples, 'kafka_connect_task_failure_info', { connector: 'db-source' })[0]?.labels).toMatchObject({
      exception: 'org.apache.kafka.connect.errors.ConnectException',
      root_cause: 'java.sql.SQLException',
    });
    // Read between restarts: a task being restarted has no trace.
    const trace = await waitFor('a FAILED status with its trace', async () => (await connectStatus(charmed, 'db-source')).tasks[0]?.trace, WAIT_MS);
    expect(trace).toContain('Caused by: java.sql.SQLException: Connection refused');
    // Backoff 2s, 4s, 8s: three restarts, then the budget is spent and automation gives up.
    await metricsUntil('the budget to run out', (s) =>
      valueOf(s, 'kafka_connect_autorestart_exhausted', { connect_cluster: 'charmed', connector: 'db-source', task: '0' }) === 1 ? true : undefined,
    );
    const target = await task0('db-source');
    expect(target).toMatchObject({ attempt: 3, recentRestarts: 3, exhausted: true, lastDecision: { reason: 'budget_exhausted' } });

    // Automation gave up: a real Prometheus with the shipped rules fires, and a real Alertmanager pages.
    const stack = await startMonitoringStack({ target: sentinel.address });
    try {
      const alert = await stack.webhook.waitForAlert(
        'pager',
        { alertname: 'KafkaConnectAutoRestartExhausted', connect_cluster: 'charmed', connector: 'db-source', task: '0' },
        WAIT_MS,
      );
      expect(alert.annotations.description).toContain('Root cause: java.sql.SQLException.');
    } finally {
      await stack.close();
    }
  });

  it('restarts a transient failure with the real restart call, and the task runs again', async () => {
    // On the one-worker cluster: no rebalance moves (and so restarts) the task behind connect-sentinel's back.
    await create(plain, 'transient-source', {
      'connector.class': FAULT_SOURCE,
      'fault.mode': 'fail-at-start',
      'fault.fail.first': '1',
      'fault.state.dir': stateDir,
      'fault.exception': 'org.apache.kafka.connect.errors.RetriableException',
      'fault.message': 'leader not available yet',
    });
    await untilRunning(plain, 'transient-source').catch(
      async (err: unknown) => {
        throw new Error(`${String(err)}\nconnect-sentinel's restarts: ${JSON.stringify(await restartsOf('transient-source', 'plain'))}`);
      },
    );
    const samples = await metricsUntil('RUNNING in the metrics', (s) =>
      stateOf(s, 'kafka_connect_task_state', { connect_cluster: 'plain', connector: 'transient-source', task: '0' }) === 'running' ? s : undefined,
    );
    expect(valueOf(samples, 'kafka_connect_autorestart_restarts_total', { connect_cluster: 'plain', connector: 'transient-source', task: '0' })).toBe(1);
    const target = await task0('transient-source', 'plain');
    expect(target).toMatchObject({ attempt: 1, lastOutcome: { result: 'restarted' } });
  });

  it('Connect itself: a bulk restart with FAILED tasks on both workers starts each task once more (KAFKA-13719 is fixed here)', async () => {
    // Left alone by connect-sentinel (bulk-* is excluded), so that only this restart call restarts them.
    await create(charmed, 'bulk-source', {
      'connector.class': FAULT_SOURCE,
      'tasks.max': '4',
      'fault.mode': 'fail-at-start',
      // Healed by this file only, so that a rebalance restarting a task before the bulk call cannot heal it.
      'fault.fail.until.file': join(stateDir, 'bulk-source.healed'),
      'fault.state.dir': stateDir,
    });
    const failed = await untilTasks(charmed, 'bulk-source', 4, 'FAILED');
    expect(new Set(failed.tasks.map((task) => task.worker_id)).size).toBe(2);
    const before = await taskStarts(stateDir, 'bulk-source', 4);
    await writeFile(join(stateDir, 'bulk-source.healed'), '');
    const answer = await charmed.rest('POST', '/connectors/bulk-source/restart?includeTasks=true&onlyFailed=true');
    expect(answer.status, answer.text).toBe(202);
    await untilTasks(charmed, 'bulk-source', 4, 'RUNNING');
    expect(await taskStarts(stateDir, 'bulk-source', 4)).toEqual(before.map((count) => count + 1));
  });

  /** The leader of `busy`, and a block file that stops its herder thread (see the fault plugin's fault.herder.block.file). */
  let herderBlock: Promise<{ leader: Worker; follower: number; name: string; file: string }> | undefined;

  /** Blockers are created until one runs on the leader: Connect's assignor, not the test, places connectors. */
  function leaderHerderBlock() {
    herderBlock ??= (async () => {
      const leader = await waitFor('the leader of busy in the worker logs', async () => leaderOf(busy), WAIT_MS);
      for (let index = 0; index < 6; index++) {
        const name = `timeout-blocker-${index}`;
        const file = join(stateDir, `${name}.block`);
        await create(busy, name, { 'connector.class': FAULT_SOURCE, 'fault.herder.block.file': file });
        const status = await untilTasks(busy, name, 1, 'RUNNING');
        if (status.connector.worker_id === new URL(leader.url).host) return { leader, follower: busy.workers.findIndex((worker) => worker !== leader), name, file };
      }
      throw new Error(`no blocker connector landed on the leader ${leader.url}`);
    })();
    return herderBlock;
  }

  /** Blocks the leader's herder thread until the returned function lifts it; waits until a queued GET hangs. */
  async function blockLeaderHerder(): Promise<() => Promise<void>> {
    const { leader, file, name } = await leaderHerderBlock();
    const unblock = () => rm(file);
    await writeFile(file, '');
    try {
      // GET /connectors is answered from the worker's memory; a connector's task list waits for the herder thread.
      await waitFor('the leader to stop answering queued requests', async () => {
        const answered = await fetch(`${leader.url}/connectors/${name}/tasks`, { signal: AbortSignal.timeout(2000) }).then(() => true, () => false);
        return answered ? undefined : true;
      }, WAIT_MS);
    } catch (err) {
      await unblock();
      throw err;
    }
    return unblock;
  }

  it('Connect itself: a restart queued behind a busy herder times out, and is carried out all the same', async () => {
    const forwarded = 'timeout-direct-forwarded';
    const direct = 'timeout-direct-leader';
    for (const name of [forwarded, direct]) {
      await create(busy, name, { 'connector.class': FAULT_SOURCE, 'fault.mode': 'fail-at-start', 'fault.fail.first': '1', 'fault.state.dir': stateDir });
      await untilTasks(busy, name, 1, 'FAILED');
    }
    const { leader, follower } = await leaderHerderBlock();
    const unblock = await blockLeaderHerder();
    try {
      const restart = (name: string, index: number) => busy.rest('POST', `/connectors/${name}/restart?includeTasks=true&onlyFailed=true`, undefined, index);
      const [viaFollower, viaLeader] = await Promise.all([restart(forwarded, follower), restart(direct, busy.workers.indexOf(leader))]);
      // The leader's herder is generating the blocker's task configs: its REST resource gives up after 90 s.
      expect([viaLeader.status, (viaLeader.body as { message: string }).message]).toEqual([
        500,
        expect.stringMatching(/^Request timed out\. The worker is currently generating task configs for connector timeout-blocker-\d, which began at \d{4}-\d\d-\d\dT[\d:.]+Z\.$/),
      ]);
      // The follower forwards the request to the leader. 3.9 relays the leader's 90 s answer; 4.3's client gives up
      // on the forward after Jetty's 30 s idle timeout.
      const relayed = version.startsWith('3.')
        ? /^Request timed out\. The worker is currently generating task configs for connector timeout-blocker-\d, which began at /
        : /^IO Error trying to forward REST request: Idle timeout expired: \d+\/30000 ms$/;
      expect([viaFollower.status, (viaFollower.body as { message: string }).message]).toEqual([500, expect.stringMatching(relayed)]);
      expect(await taskStarts(stateDir, forwarded, 1)).toEqual([1]);
      expect(await taskStarts(stateDir, direct, 1)).toEqual([1]);
    } finally {
      await unblock();
    }
    // Nobody asked again: the herder carries out both requests it had timed out.
    for (const name of [forwarded, direct]) {
      await untilTasks(busy, name, 1, 'RUNNING');
      expect(await taskStarts(stateDir, name, 1)).toEqual([2]);
    }
  }, 3 * WAIT_MS);

  it('counts a restart whose answer never came, which Connect carries out later: the next failure backs off from it', async () => {
    const failFile = join(stateDir, 'timeout-flapping.fail');
    // Fails at its first two starts once the file exists, then runs.
    await create(busy, 'timeout-flapping', {
      'connector.class': FAULT_SOURCE,
      'fault.mode': 'fail-on-file',
      'fault.fail.on.file': failFile,
      'fault.fail.first': '2',
      'fault.state.dir': stateDir,
    });
    await untilTasks(busy, 'timeout-flapping', 1, 'RUNNING');
    const unblock = await blockLeaderHerder();
    try {
      await writeFile(failFile, '');
      // connect-sentinel's restart waits on the blocked leader, longer than its 3 s timeout.
      await waitFor('a restart with no answer', async () => ((await task0('timeout-flapping', 'busy'))?.lastOutcome?.result === 'unconfirmed' ? true : undefined), WAIT_MS);
    } finally {
      await unblock();
    }
    // Connect carries the restart out; the task fails again at that second start.
    await waitFor('the second start', async () => ((await taskStarts(stateDir, 'timeout-flapping', 1))[0] === 2 ? true : undefined), WAIT_MS);
    const waiting = await waitFor('connect-sentinel to see the second failure', async () => {
      const target = await task0('timeout-flapping', 'busy');
      return target?.lastDecision?.reason === 'backoff' ? target : undefined;
    }, WAIT_MS);
    // Not a first failure: the unanswered call is attempt 1 of the budget, and the backoff runs from it.
    expect(waiting).toMatchObject({ attempt: 1, recentRestarts: 1, lastOutcome: { result: 'unconfirmed' } });
    expect(Date.parse(waiting.nextAttemptAt!) - Date.parse(waiting.lastRestartAt!)).toBe(30_000);
    await untilTasks(busy, 'timeout-flapping', 1, 'RUNNING');
    const samples = await metricsUntil('the second restart counted', (s) =>
      valueOf(s, 'kafka_connect_autorestart_restarts_total', { connect_cluster: 'busy', connector: 'timeout-flapping', task: '0' }) === 2 ? s : undefined,
    );
    expect(valueOf(samples, 'kafka_connect_autorestart_restart_failures_total', { connect_cluster: 'busy', connector: 'timeout-flapping', task: '0' })).toBe(1);
    expect(await task0('timeout-flapping', 'busy')).toMatchObject({ attempt: 2, lastOutcome: { result: 'restarted' } });
    expect(await taskStarts(stateDir, 'timeout-flapping', 1)).toEqual([3]);
  }, 3 * WAIT_MS);

  it('a task whose start hangs after a restart stays RESTARTING: shown with its state clock, and not restarted again', async () => {
    // On the one-worker cluster: no rebalance restarts the task behind connect-sentinel's back.
    await create(plain, 'stuck-restarting', {
      'connector.class': FAULT_SOURCE,
      'fault.mode': 'fail-then-hang-in-start',
      'fault.fail.first': '1',
      'fault.state.dir': stateDir,
    });
    // connect-sentinel restarts the first failure; the second start() never returns.
    await waitFor('Connect to show the task RESTARTING', async () => ((await connectStatus(plain, 'stuck-restarting')).tasks[0]?.state === 'RESTARTING' ? true : undefined), WAIT_MS);
    const labels = { connect_cluster: 'plain', connector: 'stuck-restarting', task: '0' };
    const first = await metricsUntil('RESTARTING in the metrics', (s) => (stateOf(s, 'kafka_connect_task_state', labels) === 'restarting' ? s : undefined));
    const since = valueOf(first, 'kafka_connect_task_state_since_timestamp_seconds', labels);
    const polls = valueOf(first, 'kafka_connect_exporter_polls_total', { connect_cluster: 'plain' }) ?? 0;
    // Five more polls: still RESTARTING, the same state clock, and still the one restart.
    const later = await metricsUntil('five more polls', (s) => ((valueOf(s, 'kafka_connect_exporter_polls_total', { connect_cluster: 'plain' }) ?? 0) >= polls + 5 ? s : undefined));
    expect(stateOf(later, 'kafka_connect_task_state', labels)).toBe('restarting');
    expect(valueOf(later, 'kafka_connect_task_state_since_timestamp_seconds', labels)).toBe(since);
    expect(valueOf(later, 'kafka_connect_autorestart_restarts_total', labels)).toBe(1);
    expect(await taskStarts(stateDir, 'stuck-restarting', 1)).toEqual([2]);
    expect((await connectStatus(plain, 'stuck-restarting')).tasks[0]?.state).toBe('RESTARTING');
  });

  it('MirrorMaker 2 with a source cluster that cannot be reached: RUNNING with no tasks, never FAILED, so nothing to restart', async () => {
    const mirror = (connectorClass: string) => ({
      'connector.class': `org.apache.kafka.connect.mirror.${connectorClass}`,
      'source.cluster.alias': 'unreachable',
      'target.cluster.alias': 'local',
      'source.cluster.bootstrap.servers': refusedBootstrap,
      'target.cluster.bootstrap.servers': kafka.broker.bootstrap,
      // start() waits on the source cluster's admin client: 2 minutes with the defaults (seen on 4.3.1).
      'admin.timeout.ms': '5000',
      'source.admin.request.timeout.ms': '5000',
      'source.admin.default.api.timeout.ms': '5000',
    });
    await create(plain, 'mm2-source', mirror('MirrorSourceConnector'));
    await create(plain, 'mm2-checkpoint', mirror('MirrorCheckpointConnector'));
    await create(plain, 'mm2-heartbeat', mirror('MirrorHeartbeatConnector'));
    const samples = await metricsUntil('the three mirror connectors RUNNING', (s) =>
      ['mm2-source', 'mm2-checkpoint', 'mm2-heartbeat'].every((connector) => stateOf(s, 'kafka_connect_connector_state', { connect_cluster: 'plain', connector }) === 'running') &&
      stateOf(s, 'kafka_connect_task_state', { connect_cluster: 'plain', connector: 'mm2-heartbeat', task: '0' }) === 'running'
        ? s
        : undefined,
    );
    expect(select(samples, 'kafka_connect_connector_info', { connect_cluster: 'plain', connector: 'mm2-source' })[0]?.labels['connector_class']).toBe(
      'org.apache.kafka.connect.mirror.MirrorSourceConnector',
    );
    // The source connector cannot list the source cluster's topics, so it makes no task, and it does not fail.
    expect((await connectStatus(plain, 'mm2-source')).tasks).toEqual([]);
    expect(select(samples, 'kafka_connect_task_state', { connect_cluster: 'plain', connector: 'mm2-source' })).toEqual([]);
    expect(select(samples, 'kafka_connect_task_state', { connect_cluster: 'plain', connector: 'mm2-checkpoint' })).toEqual([]);
    for (const connector of ['mm2-source', 'mm2-checkpoint', 'mm2-heartbeat']) {
      expect(await restartsOf(connector, 'plain')).toEqual([]);
      expect((await plain.rest('DELETE', `/connectors/${connector}`)).status).toBe(204);
    }
  });

  it('never restarts a task that failed with a ConfigException, and says it gave up', async () => {
    await create(charmed, 'misconfigured-source', {
      'connector.class': FAULT_SOURCE,
      'fault.mode': 'fail-at-start',
      'fault.exception': 'org.apache.kafka.common.config.ConfigException',
      'fault.message': 'Missing required configuration "connection.url" which has no default value.',
    });
    await metricsUntil('gave up', (s) =>
      valueOf(s, 'kafka_connect_autorestart_exhausted', { connect_cluster: 'charmed', connector: 'misconfigured-source', task: '0' }) === 1 ? true : undefined,
    );
    const target = await task0('misconfigured-source');
    expect(target).toMatchObject({ attempt: 0, recentRestarts: 0, lastDecision: { reason: 'policy_never' } });
    expect(valueOf(await scrape(), 'kafka_connect_autorestart_restarts_total', { connect_cluster: 'charmed', connector: 'misconfigured-source', task: '0' }) ?? 0).toBe(0);
  });

  it('a FileStreamSink writing into a directory that does not exist fails; once the directory exists, a restart heals it', async () => {
    // On the one-worker cluster, so that only connect-sentinel's restart can heal it, not a rebalance.
    await create(plain, 'file-sink', {
      'connector.class': 'org.apache.kafka.connect.file.FileStreamSinkConnector',
      topics: 'file-sink-input',
      file: join(sinkDir, 'out.txt'),
    });
    await metricsUntil('the sink to fail', (s) =>
      stateOf(s, 'kafka_connect_task_state', { connect_cluster: 'plain', connector: 'file-sink', task: '0' }) === 'failed' ? true : undefined,
    );
    await mkdir(sinkDir, { recursive: true });
    await untilRunning(plain, 'file-sink');
    const target = await task0('file-sink', 'plain');
    expect(target?.lastOutcome?.result).toBe('restarted');
  });

  it('replays the reported live run: one page per exhausted task through a kill and restart of connect-sentinel, the fixed one resolved, nothing else', async () => {
    const connectors = { first: 'replay-orders', second: 'replay-inventory', paused: 'replay-audit' };
    const faulty = (mode: string) => ({
      'connector.class': FAULT_SOURCE,
      'fault.mode': mode,
      'fault.exception': 'org.apache.kafka.connect.errors.ConnectException',
      'fault.message': 'cannot reach the database',
      'fault.causes': 'java.net.ConnectException:Connection refused',
    });
    for (const name of Object.values(connectors)) await create(charmed, name, faulty('run'));
    for (const name of Object.values(connectors)) await untilRunning(charmed, name);
    const taskState = async (name: string) => (await connectStatus(charmed, name)).tasks[0]?.state;
    const result = await replayLiveRun(
      {
        cluster: { ...charmedEntry, connectors: { include: ['replay-*'] } },
        connectors,
        // A new config restarts the task, which now fails at every start.
        failForGood: (name) => create(charmed, name, faulty('fail-at-start')),
        async pauseWithFailedTask(name) {
          await create(charmed, name, faulty('fail-at-start'));
          await waitFor(`${name} task 0 FAILED`, async () => ((await taskState(name)) === 'FAILED' ? true : undefined), WAIT_MS);
          const paused = await charmed.rest('PUT', `/connectors/${name}/pause`);
          expect(paused.status, paused.text).toBe(202);
          await waitFor(`${name} PAUSED`, async () => ((await connectStatus(charmed, name)).connector.state === 'PAUSED' ? true : undefined), WAIT_MS);
        },
        async fix(name) {
          await create(charmed, name, faulty('run'));
          await untilRunning(charmed, name);
        },
      },
      WAIT_MS,
    );
    expect(result.notifications).toEqual([
      page('charmed', connectors.first, 'firing'),
      page('charmed', connectors.second, 'firing'),
      page('charmed', connectors.second, 'resolved'),
    ]);
    expect(result.lowestUp).toBe(0);
    expect(result.clockAfterRestart).toBe(result.clockBeforeKill);
    // Nothing alerts on the paused connector, whose task was FAILED when it was paused.
    expect(result.alertmanagerAlerts.filter((alert) => alert.labels.connector === connectors.paused)).toEqual([]);
  }, 6 * WAIT_MS);

  // Last: it leaves the cluster with one worker.
  it('answers as recorded in test/fixtures/real-answers, which the simulator is held to (UPDATE_RECORDINGS=1 records them)', async () => {
    const failing = { 'connector.class': FAULT_SOURCE, 'fault.mode': 'fail-at-start', 'fault.message': PROBE_MESSAGE };
    await create(plain, PROBE_CONNECTOR, failing);
    await untilTasks(plain, PROBE_CONNECTOR, 1, 'FAILED');
    const answers = await recordAnswers((method, path) => plain.rest(method, path));
    await create(plain, SEQUENCE_CONNECTOR, failing);
    const sequence = await recordSequence((method, path) => plain.rest(method, path), WAIT_MS);
    if (process.env['UPDATE_RECORDINGS'] === '1') writeRecording(version, { answers, sequence });
    expect({ answers, sequence }).toEqual(readRecording(version));
  });

  it('a worker killed with SIGKILL: its tasks move to the other worker without any restart from connect-sentinel', async () => {
    await create(charmed, 'survivor', { 'connector.class': FAULT_SOURCE, 'tasks.max': '4' });
    const running = await untilTasks(charmed, 'survivor', 4, 'RUNNING');
    const seen = new Set<string>();
    // Kill the worker that runs the first task; connect-sentinel fails over to the other one.
    const victimId = running.tasks[0]?.worker_id ?? '';
    const victim = charmed.workers.find((worker) => worker.url.endsWith(`:${victimId.split(':')[1]}`));
    expect(victim).toBeDefined();
    await victim!.process.kill();
    await waitFor('every task RUNNING on the surviving worker', async () => {
      const samples = await scrape();
      for (const task of ['0', '1', '2', '3']) {
        const state = stateOf(samples, 'kafka_connect_task_state', { connect_cluster: 'charmed', connector: 'survivor', task });
        if (state !== undefined) seen.add(state);
      }
      const status = await connectStatus(charmed, 'survivor');
      return status.tasks.length === 4 && status.tasks.every((task) => task.state === 'RUNNING' && task.worker_id !== victimId)
        ? true
        : undefined;
    }, WAIT_MS);
    // No restart storm: the lost worker's work was reassigned by Connect, not restarted by connect-sentinel.
    expect(await restartsOf('survivor')).toEqual([]);
    expect(seen.has('failed')).toBe(false);
  });
});
