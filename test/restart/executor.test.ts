import { describe, expect, it } from 'vitest';
import type { ConnectorRestartOutcome, ConnectorStatus, RestartApi, SkipReason, TargetRef } from '../../src/domain/model.ts';
import { ConnectDecodeError, ConnectHttpError, ConnectUnreachableError } from '../../src/errors.ts';
import { executeDecisions, type RestartMetrics } from '../../src/restart/executor.ts';
import type { RestartDecision } from '../../src/restart/policy.ts';
import { captureLog } from '../support/log-capture.ts';
import { CLUSTER, connectorStatus, decideAt, failure, policyOf, T0, viewOf } from './helpers.ts';
import { decide } from '../../src/restart/policy.ts';
import { emptyHistory } from '../../src/restart/history.ts';

interface Call {
  kind: 'connector' | 'task';
  connector: string;
  task?: number;
  includeTasks?: boolean;
  onlyFailed?: boolean;
}

/** A RestartApi that records calls and answers from a script. */
function fakeApi(answers: {
  connector?: (name: string, options: { includeTasks: boolean; onlyFailed: boolean }) => ConnectorRestartOutcome | Error;
  task?: (name: string, task: number) => Error | undefined;
}): { api: RestartApi; calls: Call[] } {
  const calls: Call[] = [];
  const api: RestartApi = {
    async restartConnector(connector, options) {
      calls.push({ kind: 'connector', connector, ...options });
      const answer = answers.connector?.(connector, options) ?? { kind: 'connector-only' };
      if (answer instanceof Error) throw answer;
      return answer;
    },
    async restartTask(connector, task) {
      calls.push({ kind: 'task', connector, task });
      const error = answers.task?.(connector, task);
      if (error !== undefined) throw error;
    },
  };
  return { api, calls };
}

function fakeMetrics(): RestartMetrics & { events: string[] } {
  const events: string[] = [];
  const name = (ref: TargetRef) => `${ref.connector}${ref.task === undefined ? '' : `/${ref.task}`}`;
  return {
    events,
    restart: (ref) => void events.push(`restart ${name(ref)}`),
    restartFailure: (ref) => void events.push(`failure ${name(ref)}`),
    skipped: (_cluster: string, connector: string, reason: SkipReason) => void events.push(`skipped ${connector} ${reason}`),
  };
}

const context = { cluster: CLUSTER, endpoint: 'connector_restart' as const, workerUrl: 'http://w1:8083' };
const http = (status: number, message: string | null = 'boom') => new ConnectHttpError(context, { status, connectMessage: message });

/** The 202 plan: the status with RESTARTING where Connect will restart. */
function plan(status: ConnectorStatus, restarting: { connector?: boolean; tasks?: number[] }): ConnectorRestartOutcome {
  return {
    kind: 'planned',
    plan: {
      ...status,
      state: restarting.connector ? 'restarting' : status.state,
      tasks: status.tasks.map((task) => (restarting.tasks?.includes(task.id) ? { ...task, state: 'restarting' } : task)),
    },
  };
}

const failedConnectorAndTasks = connectorStatus('orders', 'failed', ['failed', 'running', 'failed']);

function decisionsFor(status: ConnectorStatus, version?: string): RestartDecision[] {
  const view = viewOf([status], T0, version === undefined ? {} : { version });
  return decide({ view, history: emptyHistory(), policy: policyOf(), now: T0, trusted: true }).decisions;
}

describe('executeDecisions', () => {
  it('sends one KIP-745 call for a connector and its failed tasks and reads the plan', async () => {
    const { api, calls } = fakeApi({ connector: () => plan(failedConnectorAndTasks, { connector: true, tasks: [0, 2] }) });
    const metrics = fakeMetrics();
    const log = captureLog();
    const outcomes = await executeDecisions(decisionsFor(failedConnectorAndTasks), { api, logger: log.logger, metrics });
    expect(calls).toEqual([{ kind: 'connector', connector: 'orders', includeTasks: true, onlyFailed: true }]);
    expect(outcomes.map((outcome) => [outcome.key, outcome.result])).toEqual([
      [`${CLUSTER}/orders`, 'restarted'],
      [`${CLUSTER}/orders/0`, 'restarted'],
      [`${CLUSTER}/orders/2`, 'restarted'],
    ]);
    expect(metrics.events).toEqual(['restart orders', 'restart orders/0', 'restart orders/2']);
  });

  it('falls back to per-task restarts when Connect answers 204 (before Kafka 3.0)', async () => {
    const { api, calls } = fakeApi({ connector: () => ({ kind: 'connector-only' }) });
    const outcomes = await executeDecisions(decisionsFor(failedConnectorAndTasks), { api, logger: captureLog().logger, metrics: fakeMetrics() });
    expect(calls).toEqual([
      { kind: 'connector', connector: 'orders', includeTasks: true, onlyFailed: true },
      { kind: 'task', connector: 'orders', task: 0 },
      { kind: 'task', connector: 'orders', task: 2 },
    ]);
    expect(outcomes.every((outcome) => outcome.result === 'restarted')).toBe(true);
  });

  it('restarts a failed connector with running tasks alone', async () => {
    const status = connectorStatus('orders', 'failed', ['running']);
    const { api, calls } = fakeApi({ connector: () => plan(status, { connector: true }) });
    const outcomes = await executeDecisions(decisionsFor(status), { api, logger: captureLog().logger, metrics: fakeMetrics() });
    expect(calls).toEqual([{ kind: 'connector', connector: 'orders', includeTasks: false, onlyFailed: true }]);
    expect(outcomes.map((outcome) => outcome.result)).toEqual(['restarted']);
  });

  it('uses the single-task endpoint on old workers', async () => {
    const status = connectorStatus('orders', 'running', ['failed']);
    const { api, calls } = fakeApi({});
    await executeDecisions(decisionsFor(status, '2.8.0'), { api, logger: captureLog().logger, metrics: fakeMetrics() });
    expect(calls).toEqual([{ kind: 'task', connector: 'orders', task: 0 }]);
  });

  it('reports what the plan left alone as not needed, and a task missing from it as gone', async () => {
    const { api } = fakeApi({ connector: () => plan({ ...failedConnectorAndTasks, tasks: [failedConnectorAndTasks.tasks[0]!] }, { connector: true }) });
    const outcomes = await executeDecisions(decisionsFor(failedConnectorAndTasks), { api, logger: captureLog().logger, metrics: fakeMetrics() });
    expect(outcomes.map((outcome) => [outcome.key, outcome.result, outcome.message])).toEqual([
      [`${CLUSTER}/orders`, 'restarted', 'restart accepted (plan: RESTARTING)'],
      [`${CLUSTER}/orders/0`, 'not_needed', 'nothing to restart: the plan shows it FAILED'],
      [`${CLUSTER}/orders/2`, 'gone', 'the restart plan has no task 2'],
    ]);
  });

  it.each([
    [http(409, 'Cannot complete request momentarily due to stale configuration'), 'retry'],
    [http(500, 'Request timed out'), 'unconfirmed'],
    [http(500, 'Request timed out. The worker is currently ticking the herder, which began at 2024-10-25T10:00:00Z.'), 'unconfirmed'],
    // Seen on real 4.3.1 when the leader's herder is busy: the leader still carries the request out.
    [http(500, 'IO Error trying to forward REST request: Idle timeout expired: 30000/30000 ms'), 'unconfirmed'],
    [http(500, 'IO Error trying to forward REST request: java.net.SocketTimeoutException: Read timed out'), 'unconfirmed'],
    [http(500, 'IO Error trying to forward REST request: a cause that may quote a secret'), 'unconfirmed'],
    [http(500, 'IO Error trying to forward REST request: java.net.ConnectException: Connection refused'), 'retry'],
    [http(500, 'IO Error trying to forward REST request: java.net.ConnectException'), 'retry'],
    [http(503), 'retry'],
    [new ConnectUnreachableError(context, { timeout: true, aborted: false }), 'unconfirmed'],
    [new ConnectUnreachableError(context, { timeout: false, aborted: false, causeCode: 'ECONNREFUSED' }), 'retry'],
    [http(404, 'Unknown connector: orders'), 'gone'],
    [http(401, null), 'failed'],
    [http(400, 'bad'), 'failed'],
    [new ConnectDecodeError('expected an object'), 'restarted'],
    [new TypeError('surprise'), 'failed'],
  ])('turns %s into a %s outcome for every target of the call, without throwing', async (error, result) => {
    const { api } = fakeApi({ connector: () => error });
    const metrics = fakeMetrics();
    const log = captureLog();
    const outcomes = await executeDecisions(decisionsFor(failedConnectorAndTasks), { api, logger: log.logger, metrics });
    expect(outcomes.map((outcome) => outcome.result)).toEqual([result, result, result]);
    const failure = result === 'retry' || result === 'failed' || result === 'unconfirmed';
    const sent = ['orders', 'orders/0', 'orders/2'].flatMap((target) => [`restart ${target}`, ...(failure ? [`failure ${target}`] : [])]);
    expect(metrics.events).toEqual(sent);
    const levels = log.lines().map((line) => line.level);
    expect(levels).toEqual(Array(3).fill(failure ? 'warn' : 'info'));
  });

  it.each([
    ['a 401 that echoes the Authorization header', 401, 'Credentials Basic YWRtaW46aHVudGVyMg== rejected for admin:hunter2'],
    ['a 500 that quotes a connector config value', 500, 'Invalid value connection.password=hunter2 for configuration'],
    ['a relayed forward failure', 500, 'IO Error trying to forward REST request: password=hunter2 at http://admin:hunter2@w2'],
  ])("keeps Connect's message out of outcomes and logs when it may quote a secret: %s", async (_, status, message) => {
    const { api } = fakeApi({ connector: () => http(status, message) });
    const log = captureLog();
    const outcomes = await executeDecisions(decisionsFor(failedConnectorAndTasks), { api, logger: log.logger, metrics: fakeMetrics() });
    expect(outcomes.map((outcome) => outcome.message).join('\n')).not.toContain('hunter2');
    expect(JSON.stringify(log.lines())).not.toContain('hunter2');
    expect(outcomes[0]?.message).toContain(`answered HTTP ${status}`);
  });

  it("keeps Connect's known texts, which say what happened", () => {
    for (const known of [
      'Request timed out',
      'Request timed out. The worker is currently ticking the herder, which began at 2024-10-25T10:00:00Z.',
      'Cannot complete request because of a conflicting operation (e.g. worker rebalance)',
      'Cannot complete request momentarily due to stale configuration (typically caused by a concurrent config change)',
      'Unknown connector: orders',
      'Unknown task: orders-5',
      'HTTP 404 Not Found',
    ]) {
      expect(http(409, known).message).toContain(`: ${known}`);
    }
    expect(http(500, 'IO Error trying to forward REST request: Idle timeout expired: 30000/30000 ms').connectMessage).toBe(
      'IO Error trying to forward REST request: Idle timeout expired: 30000/30000 ms',
    );
    expect(http(500, 'IO Error trying to forward REST request: java.net.ConnectException: Connection refused').connectMessage).toBe(
      'IO Error trying to forward REST request: java.net.ConnectException: Connection refused',
    );
    expect(http(500, 'IO Error trying to forward REST request: java.net.UnknownHostException: w2.internal').connectMessage).toBe(
      'IO Error trying to forward REST request (details withheld)',
    );
  });

  it('reports a failed task restart per task and goes on with the others', async () => {
    const status = connectorStatus('orders', 'running', ['failed', 'failed']);
    const { api } = fakeApi({ connector: () => ({ kind: 'connector-only' }), task: (_, task) => (task === 0 ? http(404, 'Unknown task: orders-0') : undefined) });
    const outcomes = await executeDecisions(decisionsFor(status), { api, logger: captureLog().logger, metrics: fakeMetrics() });
    expect(outcomes.map((outcome) => outcome.result)).toEqual(['gone', 'restarted']);
  });

  it('takes Kafka 2.5\'s 500 to the restart of a ghost task (no owner to forward it to) as gone, and the same text elsewhere as a retry', async () => {
    const ghost = (endpoint: 'task_restart' | 'connector_restart') =>
      new ConnectHttpError({ ...context, endpoint }, { status: 500, connectMessage: '"uriTemplate" parameter is null.' });
    const status = connectorStatus('orders', 'running', ['failed', 'failed']);
    const { api } = fakeApi({ connector: () => ({ kind: 'connector-only' }), task: (_, task) => (task === 1 ? ghost('task_restart') : undefined) });
    const outcomes = await executeDecisions(decisionsFor(status), { api, logger: captureLog().logger, metrics: fakeMetrics() });
    expect(outcomes.map((outcome) => [outcome.key, outcome.result])).toEqual([
      [`${CLUSTER}/orders/0`, 'restarted'],
      [`${CLUSTER}/orders/1`, 'gone'],
    ]);
    expect(outcomes[1]?.message).toContain('the status of a task that no longer exists');
    const { api: bulk } = fakeApi({ connector: () => ghost('connector_restart') });
    const retried = await executeDecisions(decisionsFor(failedConnectorAndTasks), { api: bulk, logger: captureLog().logger, metrics: fakeMetrics() });
    expect(retried.map((outcome) => outcome.result)).toEqual(['retry', 'retry', 'retry']);
  });

  it('counts skips, sends nothing for them or for dry-run decisions, and logs repeats at debug level', async () => {
    const policy = policyOf({ dryRun: true, rules: [{ name: 'never-payments', match: { connectors: ['payments'] }, action: 'never' }] });
    const connectors = [connectorStatus('orders', 'running', ['failed']), connectorStatus('payments', 'running', ['failed'])];
    const first = decideAt(policy, connectors, T0);
    const second = decideAt(policy, connectors, T0 + 15_000, first.history);
    const { api, calls } = fakeApi({});
    const metrics = fakeMetrics();
    const log = captureLog();
    const outcomes = await executeDecisions([...first.decisions, ...second.decisions], { api, logger: log.logger, metrics });
    expect(calls).toEqual([]);
    expect(outcomes).toEqual([]);
    expect(metrics.events).toEqual(['skipped orders dry_run', 'skipped payments policy_never', 'skipped orders backoff', 'skipped payments policy_never']);
    expect(log.lines().map((line) => [line.reason, line.level])).toEqual([
      ['dry_run', 'info'],
      ['policy_never', 'info'],
      ['backoff', 'info'],
      ['policy_never', 'debug'],
    ]);
  });

  it('logs one structured line per decision with the documented fields and never the trace', async () => {
    const secretTrace = failure('org.apache.kafka.connect.errors.ConnectException: password=hunter2 in connection.url', 'java.net.SocketTimeoutException: Read timed out');
    const status = connectorStatus('orders', 'running', [{ state: 'failed', failure: secretTrace }]);
    const { api } = fakeApi({ connector: () => plan(status, { tasks: [0] }) });
    const log = captureLog();
    // The service hands the executor its cluster's child logger, which carries connect_cluster.
    await executeDecisions(decisionsFor(status), { api, logger: log.logger.child({ connect_cluster: CLUSTER }), metrics: fakeMetrics() });
    const [line] = log.lines();
    expect(line).toMatchObject({
      level: 'info',
      connect_cluster: CLUSTER,
      connector: 'orders',
      task: 0,
      action: 'restart',
      reason: 'first_failure',
      rule: null,
      attempt: 1,
      exception: 'org.apache.kafka.connect.errors.ConnectException',
      root_cause: 'java.net.SocketTimeoutException',
      outcome: 'restarted',
      msg: 'restart: first failure seen: restart accepted (plan: RESTARTING)',
    });
    expect(typeof line?.next_attempt).toBe('string');
    expect(log.text()).not.toContain('hunter2');
  });

  it('calls for one connector in order and for different connectors side by side, within the concurrency limit', async () => {
    let inFlight = 0;
    let most = 0;
    const release: (() => void)[] = [];
    const api: RestartApi = {
      async restartConnector() {
        inFlight += 1;
        most = Math.max(most, inFlight);
        await new Promise<void>((resolve) => release.push(resolve));
        inFlight -= 1;
        return { kind: 'connector-only' };
      },
      async restartTask() {},
    };
    const statuses = ['a', 'b', 'c', 'd', 'e'].map((name) => connectorStatus(name, 'failed', []));
    // Five of five FAILED would open the circuit breaker, which is not what this is about.
    const { decisions } = decideAt(policyOf({ clusterSafety: { circuitBreaker: { minConnectors: 1000 } } }), statuses, T0);
    expect(decisions.map((decision) => decision.action)).toEqual(Array(5).fill('restart'));
    const running = executeDecisions(decisions, { api, logger: captureLog().logger, metrics: fakeMetrics(), concurrency: 2 });
    // Release calls one at a time as they arrive, until all five are done.
    for (let released = 0; released < 5; released++) {
      while (release.length === 0) await new Promise((resolve) => setImmediate(resolve));
      release.shift()?.();
    }
    const outcomes = await running;
    expect(outcomes).toHaveLength(5);
    expect(most).toBe(2);
  });

  it('turns an aborted run into retries', async () => {
    const controller = new AbortController();
    const api: RestartApi = {
      async restartConnector(_name, _options, signal) {
        controller.abort();
        if (signal?.aborted) throw new ConnectUnreachableError(context, { timeout: false, aborted: true });
        return { kind: 'connector-only' };
      },
      async restartTask() {},
    };
    const outcomes = await executeDecisions(decisionsFor(connectorStatus('orders', 'failed', [])), { api, logger: captureLog().logger, metrics: fakeMetrics(), signal: controller.signal });
    expect(outcomes.map((outcome) => outcome.result)).toEqual(['retry']);
  });
});
