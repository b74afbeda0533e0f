import { describe, expect, it } from 'vitest';
import type { ConnectorStatus } from '../../src/domain/model.ts';
import { backoffDelay, jitterUnit } from '../../src/restart/backoff.ts';
import { emptyHistory, type RestartHistory } from '../../src/restart/history.ts';
import { requestRestartNow, resetBudget, silence } from '../../src/restart/operator.ts';
import { applyOutcomes, type RestartOutcome } from '../../src/restart/outcomes.ts';
import { decide, GONE_GRACE_MS, REQUEST_TTL_MS } from '../../src/restart/policy.ts';
import {
  accepted,
  CLUSTER,
  connectorStatus,
  decideAt,
  failure,
  HOUR,
  MINUTE,
  only,
  policyOf,
  SECOND,
  simulate,
  T0,
  viewOf,
} from './helpers.ts';

const POLL = 15 * SECOND;
const NO_JITTER = { defaults: { backoff: { jitter: 0 } } };
const failedTask = (name = 'orders') => connectorStatus(name, 'running', ['failed']);
const runningTask = (name = 'orders') => connectorStatus(name, 'running', ['running']);
const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');

function taskKey(connector = 'orders', task = 0) {
  return `${CLUSTER}/${connector}/${task}`;
}

function targetOf(history: RestartHistory, key = taskKey()) {
  return history.clusters.get(CLUSTER)?.targets.get(key);
}


/** For tests about something else: a breaker that needs more connectors than any of them has. */
const BREAKER_OFF = { minConnectors: 1000 };
describe('backoff', () => {
  it('doubles from initial up to max, without jitter', () => {
    const backoff = { initial: MINUTE, multiplier: 2, max: HOUR, jitter: 0 };
    expect([1, 2, 3, 4, 5, 6, 7, 8].map((n) => backoffDelay(backoff, n, 'k'))).toEqual([
      MINUTE, 2 * MINUTE, 4 * MINUTE, 8 * MINUTE, 16 * MINUTE, 32 * MINUTE, HOUR, HOUR,
    ]);
    expect(backoffDelay(backoff, 5000, 'k')).toBe(HOUR);
  });

  it('keeps jitter within ±jitter of the capped delay, deterministically per target and attempt', () => {
    const backoff = { initial: MINUTE, multiplier: 2, max: HOUR, jitter: 0.1 };
    const seen = new Set<number>();
    for (let i = 0; i < 500; i++) {
      const key = `prod/connector-${i}/0`;
      for (const attempt of [1, 3, 10]) {
        const base = Math.min(MINUTE * 2 ** (attempt - 1), HOUR);
        const delay = backoffDelay(backoff, attempt, key);
        expect(delay).toBeGreaterThanOrEqual(Math.floor(base * 0.9));
        expect(delay).toBeLessThanOrEqual(Math.ceil(base * 1.1));
        expect(backoffDelay(backoff, attempt, key)).toBe(delay);
        seen.add(delay);
      }
      expect(Math.abs(jitterUnit(key, 1))).toBeLessThanOrEqual(1);
    }
    // Spread out, not in lockstep.
    expect(seen.size).toBeGreaterThan(1000);
  });
});

describe('decide: what to restart', () => {
  it('restarts a failed task at the first poll that sees it, as one KIP-745 call', () => {
    const { decisions, history, view } = decideAt(policyOf(NO_JITTER), [failedTask()], T0);
    expect(only(decisions)).toMatchObject({
      key: taskKey(),
      action: 'restart',
      reason: 'first_failure',
      message: 'restart: first failure seen',
      attempt: 1,
      nextAttemptAt: T0 + MINUTE,
      via: 'bulk',
      rule: null,
      exception: 'org.apache.kafka.connect.errors.ConnectException',
      rootCause: 'java.net.SocketTimeoutException',
      changed: true,
    });
    expect(targetOf(history)).toMatchObject({ attempt: 1, restarts: [T0], lastRestartAt: T0, failingSince: T0, pending: { at: T0 } });
    expect(view).toEqual({
      cluster: CLUSTER,
      circuit: { open: false, failingConnectors: 1, connectors: 1 },
      targets: [
        {
          ref: { cluster: CLUSTER, connector: 'orders', task: 0 },
          exhausted: false,
          nextAttemptAt: T0 + MINUTE,
          decision: { action: 'restart', reason: 'first_failure', rule: null },
        },
      ],
      lastRestarts: [{ ref: { cluster: CLUSTER, connector: 'orders', task: 0 }, at: T0 }],
    });
  });

  it('restarts only the connector instance when it failed and its tasks run', () => {
    const { decisions } = decideAt(policyOf(), [connectorStatus('orders', 'failed', ['running', 'running'])], T0);
    expect(only(decisions)).toMatchObject({ key: `${CLUSTER}/orders`, action: 'restart', via: 'connector' });
  });

  it('restarts a failed connector with failed tasks in one bulk call, each with its own history', () => {
    const { decisions, history } = decideAt(policyOf(), [connectorStatus('orders', 'failed', ['failed', 'running', 'failed'])], T0);
    expect(decisions.map((decision) => [decision.key, decision.via])).toEqual([
      [`${CLUSTER}/orders`, 'bulk'],
      [taskKey('orders', 0), 'bulk'],
      [taskKey('orders', 2), 'bulk'],
    ]);
    expect([...(history.clusters.get(CLUSTER)?.targets.keys() ?? [])].sort()).toEqual([`${CLUSTER}/orders`, taskKey('orders', 0), taskKey('orders', 2)]);
  });

  it('sends tasks one by one when a bulk call would also restart a task still in backoff', () => {
    const policy = policyOf(NO_JITTER);
    const first = decideAt(policy, [connectorStatus('orders', 'running', ['failed'])], T0);
    const history = applyOutcomes(first.history, accepted(first.decisions), T0);
    const second = decideAt(policy, [connectorStatus('orders', 'running', ['failed', 'failed'])], T0 + POLL, history);
    expect(second.decisions.map((decision) => [decision.key, decision.action, decision.via])).toEqual([
      [taskKey('orders', 0), 'skip', null],
      [taskKey('orders', 1), 'restart', 'task'],
    ]);
  });

  it('sends tasks one by one to workers older than Kafka 3.0', () => {
    const view = viewOf([connectorStatus('orders', 'failed', ['failed'])], T0, { version: '2.8.1' });
    const { decisions } = decide({ view, history: emptyHistory(), policy: policyOf(), now: T0, trusted: true });
    expect(decisions.map((decision) => decision.via)).toEqual(['connector', 'task']);
    const modern = viewOf([connectorStatus('orders', 'failed', ['failed'])], T0, { version: '7.6.0-ccs' });
    expect(decide({ view: modern, history: emptyHistory(), policy: policyOf(), now: T0, trusted: true }).decisions.map((d) => d.via)).toEqual(['bulk', 'bulk']);
  });

  it.each([
    ['3.0.0', ['task', 'task']],
    ['3.0.2', ['task', 'task']],
    ['3.1.0', ['task', 'task']],
    ['7.1.0-ccs', ['task', 'task']],
    ['3.1.1', ['bulk', 'bulk']],
    ['3.2.0', ['bulk', 'bulk']],
    ['7.1.1-ccs', ['bulk', 'bulk']],
  ])('on Kafka %s restarts failed tasks %j (KAFKA-13719: the bulk call started duplicate tasks up to 3.1.0)', (version, via) => {
    const view = viewOf([connectorStatus('orders', 'running', ['failed', 'failed'])], T0, { version });
    expect(decide({ view, history: emptyHistory(), policy: policyOf(), now: T0, trusted: true }).decisions.map((d) => d.via)).toEqual(via);
  });

  it.each([
    ['a PAUSED connector', connectorStatus('orders', 'paused', ['failed', 'paused'])],
    ['a STOPPED connector', connectorStatus('orders', 'stopped', [])],
    ['a RUNNING task', connectorStatus('orders', 'running', ['running'])],
    ['an UNASSIGNED task', connectorStatus('orders', 'running', ['unassigned'])],
    ['a RESTARTING task', connectorStatus('orders', 'running', ['restarting'])],
  ])('never touches %s', (_, status: ConnectorStatus) => {
    const { decisions, history } = decideAt(policyOf(), [status], T0);
    expect(decisions).toEqual([]);
    expect(history.clusters.size).toBe(0);
  });
});

describe('decide: escalation, budget and recovery', () => {
  it('follows the default backoff 1m, 2m, 4m, 8m and exhausts the budget of 5 after 15 minutes', () => {
    const run = simulate({ policy: policyOf(NO_JITTER), start: T0, end: T0 + 20 * MINUTE, interval: POLL, connectorsAt: () => [failedTask()] });
    expect(run.restarts).toHaveLength(5);
    const times = run.polls.filter((poll) => poll.result.decisions.some((decision) => decision.action === 'restart')).map((poll) => poll.at - T0);
    expect(times).toEqual([0, MINUTE, 3 * MINUTE, 7 * MINUTE, 15 * MINUTE]);
    // The last restart the budget allows plans no next one: if it fails again, automation gives up.
    expect(run.restarts[4]?.nextAttemptAt).toBeNull();
    const after = run.polls.find((poll) => poll.at === T0 + 15 * MINUTE + POLL);
    expect(only(after?.result.decisions ?? [])).toMatchObject({
      reason: 'budget_exhausted',
      message: `skip: budget exhausted (5 restarts in 6h) at ${iso(T0 + 15 * MINUTE + POLL)}; given up until it recovers or its budget is reset`,
      exhausted: true,
      attempt: 6,
      nextAttemptAt: null,
    });
    expect(after?.result.view.targets[0]).toMatchObject({ exhausted: true, nextAttemptAt: null });
  });

  it('explains a backoff skip with the time, attempt and delay', () => {
    const run = simulate({ policy: policyOf(NO_JITTER), start: T0, end: T0 + 2 * MINUTE, interval: POLL, connectorsAt: () => [failedTask()] });
    const waiting = run.polls.find((poll) => poll.at === T0 + 90 * SECOND);
    expect(run.restarts[1]?.nextAttemptAt).toBe(T0 + 3 * MINUTE);
    expect(only(waiting?.result.decisions ?? [])).toMatchObject({
      action: 'skip',
      reason: 'backoff',
      message: `skip: backoff until ${iso(T0 + 3 * MINUTE)} (attempt 3, delay 2m)`,
      attempt: 3,
      nextAttemptAt: T0 + 3 * MINUTE,
      exhausted: false,
    });
  });

  it('stays given up once the budget ran out, however the window slides, until recovery is confirmed', () => {
    const policy = policyOf({ defaults: { backoff: { jitter: 0, initial: '1m', max: '1m' }, budget: { maxRestarts: 3, window: '1h' } } });
    const run = simulate({ policy, start: T0, end: T0 + 24 * HOUR, interval: 5 * MINUTE, connectorsAt: () => [failedTask()] });
    const times = run.polls.filter((poll) => poll.result.decisions.some((d) => d.action === 'restart')).map((poll) => poll.at - T0);
    // A sliding window let one more restart through every hour, for ever, and the exhausted page flapped each time.
    expect(times).toEqual([0, 5 * MINUTE, 10 * MINUTE]);
    const after = run.polls.filter((poll) => poll.at >= T0 + 15 * MINUTE).map((poll) => only(poll.result.decisions));
    expect(after.every((decision) => decision.reason === 'budget_exhausted' && decision.exhausted && decision.nextAttemptAt === null)).toBe(true);
    expect(after.at(-1)?.message).toBe(`skip: budget exhausted (3 restarts in 1h) at ${iso(T0 + 15 * MINUTE)}; given up until it recovers or its budget is reset`);

    // Confirmed RUNNING (healthyPolls), then FAILED again: restarted again.
    let history = run.history;
    let at = T0 + 24 * HOUR;
    for (let poll = 0; poll < 3; poll++, at += POLL) history = decideAt(policy, [runningTask()], at, history).history;
    expect(targetOf(history)?.gaveUpAt).toBeNull();
    at += HOUR;
    expect(only(decideAt(policy, [failedTask()], at, history).decisions).action).toBe('restart');
  });

  it('an operator resetting the budget ends giving up', () => {
    const policy = policyOf({ defaults: { backoff: { jitter: 0, initial: '1m', max: '1m' }, budget: { maxRestarts: 3, window: '1h' } } });
    const run = simulate({ policy, start: T0, end: T0 + 2 * HOUR, interval: 5 * MINUTE, connectorsAt: () => [failedTask()] });
    expect(targetOf(run.history)?.gaveUpAt).toBe(T0 + 15 * MINUTE);
    const reset = resetBudget(run.history, { cluster: CLUSTER, connector: 'orders', task: 0 }, T0 + 2 * HOUR);
    expect(only(decideAt(policy, [failedTask()], T0 + 2 * HOUR + POLL, reset).decisions)).toMatchObject({ action: 'restart', attempt: 1 });
  });

  it('honours firstDelay before the first restart', () => {
    const policy = policyOf({ defaults: { firstDelay: '30s', backoff: { jitter: 0 } } });
    const first = decideAt(policy, [failedTask()], T0);
    expect(only(first.decisions)).toMatchObject({ reason: 'backoff', message: `skip: first delay until ${iso(T0 + 30 * SECOND)} (failing since ${iso(T0)})`, nextAttemptAt: T0 + 30 * SECOND });
    const second = decideAt(policy, [failedTask()], T0 + 30 * SECOND, first.history);
    expect(only(second.decisions)).toMatchObject({ action: 'restart', reason: 'first_delay_elapsed', message: 'restart: failing for 30s, first delay elapsed', attempt: 1 });
  });

  it("keeps a connector's tasks together in one bulk call at every attempt, with jitter on", () => {
    // Jitter drawn per task once split the tasks after the first bulk call into single-task calls.
    const policy = policyOf({ defaults: { backoff: { jitter: 0.3 } } });
    const run = simulate({ policy, start: T0, end: T0 + 20 * MINUTE, interval: POLL, connectorsAt: () => [connectorStatus('orders', 'running', ['failed', 'failed', 'failed'])] });
    const rounds = run.polls.map((poll) => poll.result.decisions.filter((d) => d.action === 'restart')).filter((sent) => sent.length > 0);
    expect(rounds.length).toBe(5);
    for (const sent of rounds) expect(sent.map((decision) => decision.via)).toEqual(['bulk', 'bulk', 'bulk']);
  });

  it('keeps escalating a flapping target that fails again before its recovery is confirmed', () => {
    // FAILED, restarted, RUNNING for one poll (healthyPolls is 3), FAILED again: the backoff continues.
    const script = (at: number) => ((at - T0) / POLL) % 3 === 1 ? [runningTask()] : [failedTask()];
    const run = simulate({ policy: policyOf(NO_JITTER), start: T0, end: T0 + 20 * MINUTE, interval: POLL, connectorsAt: script });
    expect(run.restarts.map((decision) => decision.attempt)).toEqual([1, 2, 3, 4, 5]);
    expect(run.restarts[2]?.message).toMatch(/^restart: attempt 3 after a backoff of 2m; flapping, failed \d+ times before recovering$/);
    expect(targetOf(run.history)?.flaps).toBeGreaterThan(2);
  });

  it('confirms recovery after healthyPolls RUNNING polls and resets the attempts resetAfter later', () => {
    const policy = policyOf(NO_JITTER);
    let history = applyOutcomes(decideAt(policy, [failedTask()], T0).history, [], T0);
    for (let i = 1; i <= 3; i++) history = decideAt(policy, [runningTask()], T0 + i * POLL, history).history;
    expect(targetOf(history)).toMatchObject({ attempt: 1, healthyPolls: 3, recoveredAt: T0 + 3 * POLL, failingSince: null });

    // Failing again within resetAfter: still attempt 2, after the backoff measured from the last restart.
    const again = decideAt(policy, [failedTask()], T0 + 30 * MINUTE, history);
    expect(only(again.decisions)).toMatchObject({ action: 'restart', reason: 'backoff_elapsed', attempt: 2 });

    // Healthy for resetAfter after the confirmed recovery: the count starts over.
    const resetAt = T0 + 3 * POLL + HOUR;
    const quiet = decideAt(policy, [runningTask()], resetAt, history);
    expect(targetOf(quiet.history)).toMatchObject({ attempt: 0, restarts: [T0] });
    const fresh = decideAt(policy, [failedTask()], resetAt + POLL, quiet.history);
    expect(only(fresh.decisions)).toMatchObject({ reason: 'first_failure', attempt: 1 });
    // Not yet reset a poll earlier.
    expect(targetOf(decideAt(policy, [runningTask()], resetAt - POLL, history).history)?.attempt).toBe(1);
  });

  it('forgets a healthy target once nothing is left to remember, so history stays small', () => {
    const policy = policyOf({ defaults: { budget: { window: '1h' } }, recovery: { resetAfter: '10m' } });
    const run = simulate({ policy, start: T0, end: T0 + 2 * HOUR, interval: MINUTE, connectorsAt: (at) => (at === T0 ? [failedTask()] : [runningTask()]) });
    expect(run.history.clusters.size).toBe(0);
    expect(run.polls.find((poll) => poll.at === T0 + 30 * MINUTE)?.result.history.clusters.size).toBe(1);
  });

  it('uses the overrides of the first matching rule', () => {
    const policy = policyOf({
      rules: [{ name: 'one-shot', match: { connectors: ['orders'] }, budget: { maxRestarts: 1 } }],
    });
    const run = simulate({ policy, start: T0, end: T0 + 10 * MINUTE, interval: POLL, connectorsAt: () => [failedTask(), failedTask('payments')] });
    const last = run.polls.at(-1)?.result.decisions ?? [];
    expect(last.find((decision) => decision.ref.connector === 'orders')).toMatchObject({ reason: 'budget_exhausted', rule: 'one-shot', exhausted: true });
    expect(run.restarts.filter((decision) => decision.ref.connector === 'orders')).toHaveLength(1);
    expect(run.restarts.filter((decision) => decision.ref.connector === 'payments').length).toBeGreaterThan(1);
  });

  it('lets the first matching rule decide, in the order written', () => {
    const never = { name: 'never-orders', match: { connectors: ['orders'] }, action: 'never' };
    const always = { name: 'restart-all', match: { connectors: ['*'] }, action: 'restart' };
    expect(only(decideAt(policyOf({ rules: [never, always] }), [failedTask()], T0).decisions)).toMatchObject({ reason: 'policy_never', rule: 'never-orders' });
    expect(only(decideAt(policyOf({ rules: [always, never] }), [failedTask()], T0).decisions)).toMatchObject({ action: 'restart', rule: 'restart-all' });
  });

  it('matches rules by target kind', () => {
    const policy = policyOf({ rules: [{ name: 'tasks-only', match: { targets: 'task' }, action: 'never' }] });
    const { decisions } = decideAt(policy, [connectorStatus('orders', 'failed', ['failed'])], T0);
    expect(decisions.map((decision) => [decision.key, decision.reason])).toEqual([
      [`${CLUSTER}/orders`, 'first_failure'],
      [taskKey(), 'policy_never'],
    ]);
    // The connector instance alone: its task stays FAILED, so no bulk call.
    expect(decisions[0]?.via).toBe('connector');
  });
});

describe('decide: reasons not to restart', () => {
  it('reports a never rule with its name and root cause, and asks for a human', () => {
    const auth = failure('org.apache.kafka.connect.errors.ConnectException: Error', 'org.postgresql.util.PSQLException: FATAL: password authentication failed for user "connect"');
    const policy = policyOf({ rules: [{ name: 'no-restart-on-jdbc-auth', match: { rootCauses: ['*.PSQLException'], traceContains: ['password authentication failed'] }, action: 'never' }] });
    const { decisions, view, history } = decideAt(policy, [connectorStatus('jdbc-orders', 'running', [{ state: 'failed', failure: auth }])], T0);
    expect(only(decisions)).toMatchObject({
      action: 'skip',
      reason: 'policy_never',
      message: 'skip: rule "no-restart-on-jdbc-auth" says never (root cause org.postgresql.util.PSQLException)',
      rule: 'no-restart-on-jdbc-auth',
      exhausted: true,
      nextAttemptAt: null,
    });
    expect(view.targets[0]?.exhausted).toBe(true);
    expect(targetOf(history, taskKey('jdbc-orders'))).toMatchObject({ attempt: 0, lastFailure: { rootCause: 'org.postgresql.util.PSQLException' } });
  });

  it('reports disabled and records nothing', () => {
    const { decisions, history } = decideAt(policyOf({ enabled: false }), [failedTask()], T0);
    expect(only(decisions)).toMatchObject({ reason: 'disabled', message: 'skip: auto-restart is disabled', exhausted: false, changed: false });
    expect(history.clusters.size).toBe(0);
  });

  it('acts only on entries the poller saw in this poll, and only when it trusted the poll', () => {
    const view = viewOf([failedTask('fresh'), failedTask('old')], T0, { stale: ['old'], staleAt: T0 - MINUTE });
    const { decisions } = decide({ view, history: emptyHistory(), policy: policyOf(), now: T0, trusted: true });
    expect(decisions.map((decision) => [decision.ref.connector, decision.reason, decision.message])).toEqual([
      ['fresh', 'first_failure', 'restart: first failure seen'],
      ['old', 'stale_data', `skip: stale data (last seen ${iso(T0 - MINUTE)})`],
    ]);
    const untrusted = decide({ view, history: emptyHistory(), policy: policyOf(), now: T0, trusted: false });
    expect(untrusted.decisions.map((decision) => decision.reason)).toEqual(['stale_data', 'stale_data']);
    expect(untrusted.decisions[0]?.message).toBe('skip: stale data (this poll was not trusted)');
    expect(untrusted.history.clusters.size).toBe(0);
  });

  it('compares observedAt with the poll time when given', () => {
    const view = viewOf([failedTask()], T0);
    const later = decide({ view, history: emptyHistory(), policy: policyOf(), now: T0 + 2 * SECOND, polledAt: T0, trusted: true });
    expect(only(later.decisions).action).toBe('restart');
  });

  it('keeps the gauges of a stale target as last decided, so alerts do not flap during an outage', () => {
    const policy = policyOf({ rules: [{ name: 'never-orders', action: 'never' }] });
    const first = decideAt(policy, [failedTask()], T0);
    const view = viewOf([failedTask()], T0, { stale: ['orders'], staleAt: T0 });
    const stale = decide({ view, history: first.history, policy, now: T0 + POLL, polledAt: T0 + POLL, trusted: true });
    expect(only(stale.decisions)).toMatchObject({ reason: 'stale_data', exhausted: true, changed: false });
    expect(stale.view.targets[0]?.exhausted).toBe(true);
  });

  it('refuses to restart what it cannot record', () => {
    const { decisions, history } = decideAt(policyOf(), [failedTask()], T0, emptyHistory(), { historyWritable: false });
    expect(only(decisions)).toMatchObject({ reason: 'history_unavailable', message: 'skip: restart history cannot be written; no restart is sent that could not be recorded' });
    expect(targetOf(history)?.attempt).toBe(0);
  });

  it('on a replica that does not lead, decides as the leader would and sends nothing (standby)', () => {
    const standby = decideAt(policyOf(), [failedTask()], T0, emptyHistory(), { leading: false });
    expect(only(standby.decisions)).toMatchObject({ action: 'skip', reason: 'standby', nextAttemptAt: T0, exhausted: false, message: 'skip: standby; the replica that leads sends the restart' });
    expect(targetOf(standby.history)?.attempt).toBe(0);
    // The gates before it still say why, as on the leader: a target in backoff is in backoff on every replica.
    const led = decideAt(policyOf(), [failedTask()], T0, emptyHistory());
    expect(only(led.decisions).action).toBe('restart');
    const later = decideAt(policyOf(), [failedTask()], T0 + POLL, led.history, { leading: false });
    expect(only(later.decisions).reason).toBe(only(decideAt(policyOf(), [failedTask()], T0 + POLL, led.history).decisions).reason);
  });

  it('leaves silenced connectors alone until the silence ends, without asking for a human', () => {
    const silenced = silence(emptyHistory(), { cluster: CLUSTER, connector: 'orders' }, T0 + HOUR, T0, 'DB migration');
    const during = decideAt(policyOf(), [connectorStatus('orders', 'failed', ['failed'])], T0, silenced);
    expect(during.decisions.map((decision) => [decision.reason, decision.exhausted])).toEqual([['silenced', false], ['silenced', false]]);
    expect(during.decisions[0]?.message).toBe(`skip: silenced until ${iso(T0 + HOUR)} (DB migration)`);
    const after = decideAt(policyOf(), [failedTask()], T0 + HOUR, during.history);
    expect(only(after.decisions).action).toBe('restart');
    expect(after.history.clusters.get(CLUSTER)?.silences.size).toBe(0);
  });

  it('holds restarts during an open blackout window, in the blackout\'s time zone and scope', () => {
    const section = {
      blackouts: [{ name: 'nightly-etl', cron: '0 2 * * *', duration: '1h', timezone: 'Europe/Berlin', connectors: ['etl-*'] }],
    };
    const policy = policyOf(section);
    const inside = Date.parse('2026-11-24T01:15:00Z'); // 02:15 in Berlin
    const { decisions } = decideAt(policy, [failedTask('etl-orders'), failedTask('payments')], inside);
    expect(decisions.map((decision) => [decision.ref.connector, decision.reason])).toEqual([
      ['etl-orders', 'blackout'],
      ['payments', 'first_failure'],
    ]);
    expect(decisions[0]).toMatchObject({ message: 'skip: blackout "nightly-etl" until 2026-11-24T02:00:00Z', nextAttemptAt: Date.parse('2026-11-24T02:00:00Z') });
    const after = decideAt(policy, [failedTask('etl-orders')], Date.parse('2026-11-24T02:00:00Z'));
    expect(only(after.decisions).action).toBe('restart');
    const before = decideAt(policy, [failedTask('etl-orders')], Date.parse('2026-11-24T00:59:00Z'));
    expect(only(before.decisions).action).toBe('restart');
  });

  /** `failing` connectors with a FAILED task and `running` healthy ones, each with two tasks. */
  const fleet = (failing: number, running: number) => [
    ...Array.from({ length: failing }, (_, i) => connectorStatus(`failing-${i}`, 'running', ['failed', 'running'])),
    ...Array.from({ length: running }, (_, i) => connectorStatus(`running-${i}`, 'running', ['running', 'running'])),
  ];

  it('opens the circuit breaker when a large share of the cluster\'s connectors has FAILED work, and closes it when the share drops', () => {
    const open = decideAt(policyOf(), fleet(5, 5), T0);
    expect(open.view.circuit).toEqual({ open: true, failingConnectors: 5, connectors: 10 });
    expect(open.decisions.map((decision) => decision.reason)).toEqual(Array(5).fill('circuit_open'));
    expect(open.decisions[0]?.message).toBe('skip: circuit breaker open (5 of 10 connectors have FAILED work, threshold 50%)');
    const closed = decideAt(policyOf(), fleet(4, 6), T0 + POLL, open.history);
    expect(closed.view.circuit).toEqual({ open: false, failingConnectors: 4, connectors: 10 });
    expect(closed.decisions.every((decision) => decision.action === 'restart')).toBe(true);
  });

  it('counts FAILED connector instances too: 30 failed connectors open it', () => {
    const connectors = Array.from({ length: 30 }, (_, i) => connectorStatus(`c${i}`, 'failed', ['running']));
    const { view } = decideAt(policyOf(), connectors, T0);
    expect(view.circuit).toEqual({ open: true, failingConnectors: 30, connectors: 30 });
  });

  it('one connector whose tasks all fail does not hold back an unrelated one', () => {
    // Counting instances, the 30 FAILED tasks of `wide` made 31 of 52 FAILED and held back `other` too.
    const wide = connectorStatus('wide', 'running', Array.from({ length: 30 }, () => 'failed' as const));
    const other = connectorStatus('other', 'running', ['failed', 'running', 'running', 'running']);
    const healthy = Array.from({ length: 8 }, (_, i) => connectorStatus(`h${i}`, 'running', ['running']));
    const { view, decisions } = decideAt(policyOf(), [wide, other, ...healthy], T0);
    expect(view.circuit).toEqual({ open: false, failingConnectors: 2, connectors: 10 });
    expect(decisions.filter((decision) => decision.ref.connector === 'other').map((decision) => decision.action)).toEqual(['restart']);
  });

  it('leaves the FAILED tasks of paused and stopped connectors out of the count', () => {
    const paused = Array.from({ length: 6 }, (_, i) => connectorStatus(`p${i}`, 'paused', ['failed']));
    const { view } = decideAt(policyOf(), [...paused, ...fleet(1, 3)], T0);
    expect(view.circuit).toEqual({ open: false, failingConnectors: 1, connectors: 10 });
  });

  it('a target the breaker holds back for longer than its budget window counts as given up, and pages', () => {
    const policy = policyOf({ defaults: { budget: { maxRestarts: 5, window: '1h' } } });
    const first = decideAt(policy, fleet(10, 0), T0);
    expect(first.decisions[0]).toMatchObject({ reason: 'circuit_open', exhausted: false });
    const later = decideAt(policy, fleet(10, 0), T0 + HOUR, first.history);
    expect(later.decisions[0]).toMatchObject({ reason: 'circuit_open', exhausted: true, nextAttemptAt: null });
    expect(later.decisions[0]?.message).toContain(`held back since ${iso(T0)}, longer than its budget window`);
  });

  it('keeps the circuit closed below minConnectors', () => {
    const { view, decisions } = decideAt(policyOf(), fleet(9, 0), T0);
    expect(view.circuit).toEqual({ open: false, failingConnectors: 9, connectors: 9 });
    expect(decisions.every((decision) => decision.action === 'restart')).toBe(true);
  });

  it('limits restarts per cluster, fewest attempts first, then longest failing, and frees slots as the window slides', () => {
    const policy = policyOf({ clusterSafety: { rateLimit: { maxRestarts: 3, window: '5m' }, circuitBreaker: BREAKER_OFF } });
    const first = decideAt(policy, [failedTask('c'), failedTask('d')], T0);
    const connectors = ['a', 'b', 'c', 'd', 'e'].map((name) => failedTask(name));
    const second = decideAt(policy, connectors, T0 + POLL, applyOutcomes(first.history, accepted(first.decisions), T0));
    // c and d were restarted at T0 and are in backoff; one slot is left, for a (same failingSince as b and e, first by key).
    expect(second.decisions.map((decision) => [decision.ref.connector, decision.reason])).toEqual([
      ['a', 'first_failure'],
      ['b', 'rate_limited'],
      ['c', 'backoff'],
      ['d', 'backoff'],
      ['e', 'rate_limited'],
    ]);
    expect(second.decisions[1]?.message).toBe(`skip: cluster rate limit (3 restarts in 5m); next slot at ${iso(T0 + 5 * MINUTE)}`);
    // At T0 + 5m the two restarts of T0 leave the window: two slots, for the due targets never restarted yet.
    const later = decideAt(policy, connectors, T0 + 5 * MINUTE, applyOutcomes(second.history, accepted(second.decisions), T0 + POLL));
    expect(later.decisions.map((decision) => [decision.ref.connector, decision.reason])).toEqual([
      ['a', 'rate_limited'],
      ['b', 'first_failure'],
      ['c', 'rate_limited'],
      ['d', 'rate_limited'],
      ['e', 'first_failure'],
    ]);
  });

  it('gives every failed target its first restart before any gets another, when slots are short', () => {
    // Ties in "failing longest" were broken by name: the same targets took every slot until they were exhausted.
    const policy = policyOf({ ...NO_JITTER, clusterSafety: { rateLimit: { maxRestarts: 2, window: '5m' }, circuitBreaker: BREAKER_OFF } });
    const connectors = ['a', 'b', 'c', 'd', 'e', 'f'].map((name) => failedTask(name));
    let history = emptyHistory();
    const restarted: string[] = [];
    for (let at = T0; at < T0 + 20 * MINUTE; at += POLL) {
      const result = decideAt(policy, connectors, at, history);
      const sent = result.decisions.filter((decision) => decision.action === 'restart');
      restarted.push(...sent.map((decision) => decision.ref.connector));
      history = applyOutcomes(result.history, accepted(sent), at);
    }
    expect(new Set(restarted.slice(0, 6)).size).toBe(6);
    expect(restarted.length).toBeGreaterThan(6);
  });

  it('checks gates in the documented order', () => {
    // Every gate applies at once; switching them off one by one reveals the next reason.
    const gates: Record<string, unknown> = {
      rules: [{ name: 'never', match: { connectors: ['orders'] }, action: 'never' }],
      blackouts: [{ name: 'always', cron: '* * * * *', duration: '1h' }],
      // One connector of one FAILED opens the breaker; with two healthy ones beside it, it stays closed.
      clusterSafety: { rateLimit: { maxRestarts: 1, window: '1h' }, circuitBreaker: { minConnectors: 1 } },
    };
    const exhausted = simulate({
      policy: policyOf({ defaults: { budget: { maxRestarts: 1 } } }),
      start: T0 - HOUR,
      end: T0 - HOUR,
      interval: POLL,
      connectorsAt: () => [connectorStatus('orders', 'running', ['failed'])],
    }).history;
    const silenced = silence(exhausted, { cluster: CLUSTER, connector: 'orders' }, T0 + HOUR, T0);
    const reasonWith = (section: Record<string, unknown>, history: RestartHistory, extra: { historyWritable?: boolean; healthy?: number } = {}) => {
      const healthy = Array.from({ length: extra.healthy ?? 0 }, (_, i) => connectorStatus(`healthy-${i}`, 'running', ['running']));
      const connectors = [connectorStatus('orders', 'running', ['failed']), ...healthy];
      const result = decideAt(policyOf({ defaults: { budget: { maxRestarts: 1 } }, ...section }), connectors, T0, history, { historyWritable: extra.historyWritable ?? false });
      return result.decisions.find((decision) => decision.key === taskKey())?.reason;
    };
    expect(reasonWith(gates, silenced)).toBe('silenced');
    expect(reasonWith(gates, exhausted)).toBe('policy_never');
    expect(reasonWith({ ...gates, rules: [] }, exhausted)).toBe('budget_exhausted');
    const inBackoff = decideAt(policyOf(), [failedTask()], T0 - POLL).history;
    expect(reasonWith({ ...gates, rules: [], defaults: {} }, inBackoff)).toBe('backoff');
    expect(reasonWith({ ...gates, rules: [] }, emptyHistory())).toBe('blackout');
    expect(reasonWith({ ...gates, rules: [], blackouts: [] }, emptyHistory())).toBe('circuit_open');
    expect(reasonWith({ ...gates, rules: [], blackouts: [] }, emptyHistory(), { healthy: 2 })).toBe('history_unavailable');
    const limited = simulate({ policy: policyOf(), start: T0 - MINUTE, end: T0 - MINUTE, interval: POLL, connectorsAt: () => [failedTask('other')] }).history;
    expect(reasonWith({ ...gates, rules: [], blackouts: [] }, limited, { healthy: 2, historyWritable: true })).toBe('rate_limited');
    expect(reasonWith({ ...gates, rules: [], blackouts: [], dryRun: true }, emptyHistory(), { healthy: 2, historyWritable: true })).toBe('dry_run');
    expect(reasonWith({ ...gates, rules: [], blackouts: [] }, emptyHistory(), { healthy: 2, historyWritable: true })).toBe('first_failure');
  });
});

describe('decide: dry run', () => {
  it('reports and records would-be restarts, so the schedule is realistic, and starts afresh when switched off', () => {
    const policy = policyOf({ dryRun: true, defaults: { backoff: { jitter: 0 } } });
    const run = simulate({ policy, start: T0, end: T0 + 20 * MINUTE, interval: POLL, connectorsAt: () => [failedTask()] });
    const wouldRestart = run.polls.filter((poll) => poll.result.decisions.some((decision) => decision.reason === 'dry_run'));
    expect(wouldRestart.map((poll) => poll.at - T0)).toEqual([0, MINUTE, 3 * MINUTE, 7 * MINUTE, 15 * MINUTE]);
    const first = only(run.polls[0]?.result.decisions ?? []);
    expect(first).toMatchObject({ action: 'skip', reason: 'dry_run', message: 'skip: dry run, would restart (first failure seen)', via: 'bulk', attempt: 1 });
    expect(targetOf(run.history)).toMatchObject({ dryRun: true, attempt: 5, pending: null });
    expect(only(run.polls.at(-1)?.result.decisions ?? []).reason).toBe('budget_exhausted');
    // Nothing was sent: no last-restart time is shown.
    expect(run.polls.every((poll) => poll.result.view.lastRestarts.length === 0)).toBe(true);

    const live = decideAt(policyOf(NO_JITTER), [failedTask()], T0 + 21 * MINUTE, run.history);
    expect(live.view.lastRestarts).toEqual([{ ref: { cluster: CLUSTER, connector: 'orders', task: 0 }, at: T0 + 21 * MINUTE }]);
    expect(only(live.decisions)).toMatchObject({ action: 'restart', reason: 'first_failure', attempt: 1 });
    expect(targetOf(live.history)).toMatchObject({ dryRun: false, restarts: [T0 + 21 * MINUTE] });
  });
});

describe('decide: operator requests', () => {
  const exhaustedHistory = () =>
    simulate({ policy: policyOf(NO_JITTER), start: T0, end: T0 + 20 * MINUTE, interval: POLL, connectorsAt: () => [failedTask()] }).history;

  it('restarts at the next poll despite an exhausted budget, without counting toward it', () => {
    const requested = requestRestartNow(exhaustedHistory(), { cluster: CLUSTER, connector: 'orders', task: 0 }, T0 + 21 * MINUTE);
    const result = decideAt(policyOf(NO_JITTER), [failedTask()], T0 + 21 * MINUTE + POLL, requested);
    expect(only(result.decisions)).toMatchObject({ action: 'restart', reason: 'requested', message: 'restart: requested by an operator', attempt: 5 });
    expect(targetOf(result.history)).toMatchObject({ requestedAt: null, attempt: 5, lastRestartAt: T0 + 21 * MINUTE + POLL });
    expect(targetOf(result.history)?.restarts).toHaveLength(5);
  });

  it('overrides a never rule but not a blackout', () => {
    const never = policyOf({ rules: [{ name: 'never', action: 'never' }], blackouts: [{ name: 'b', cron: '0 11 * * *', duration: '1h' }] });
    const requested = requestRestartNow(emptyHistory(), { cluster: CLUSTER, connector: 'orders' }, T0 + HOUR);
    expect(only(decideAt(never, [failedTask()], T0, requestRestartNow(emptyHistory(), { cluster: CLUSTER, connector: 'orders', task: 0 }, T0)).decisions).reason).toBe('requested');
    const inBlackout = decideAt(never, [connectorStatus('orders', 'failed', [])], T0 + HOUR + MINUTE, requested);
    expect(only(inBlackout.decisions).reason).toBe('blackout');
  });

  it('lapses after its time to live, and is dropped when the connector is paused', () => {
    const requested = requestRestartNow(emptyHistory(), { cluster: CLUSTER, connector: 'orders', task: 0 }, T0);
    const lapsed = decideAt(policyOf({ rules: [{ name: 'never', action: 'never' }] }), [failedTask()], T0 + REQUEST_TTL_MS + SECOND, requested);
    expect(only(lapsed.decisions).reason).toBe('policy_never');
    const paused = decideAt(policyOf(), [connectorStatus('orders', 'paused', ['failed'])], T0 + POLL, requested);
    expect(paused.decisions).toEqual([]);
    expect(paused.history.clusters.size).toBe(0);
  });
});

describe('decide: history upkeep', () => {
  it('forgets targets gone from the cluster after a grace period, and only after trusted polls', () => {
    const start = decideAt(policyOf(), [failedTask('deleted')], T0).history;
    expect(targetOf(decideAt(policyOf(), [], T0 + GONE_GRACE_MS - MINUTE, start).history, taskKey('deleted'))).toBeDefined();
    const untrusted = decide({ view: viewOf([], T0 + 2 * GONE_GRACE_MS), history: start, policy: policyOf(), now: T0 + 2 * GONE_GRACE_MS, trusted: false });
    expect(targetOf(untrusted.history, taskKey('deleted'))).toBeDefined();
    expect(decideAt(policyOf(), [], T0 + GONE_GRACE_MS, start).history.clusters.size).toBe(0);
  });

  it('returns the same history when nothing changed, and marks only new reasons as changed', () => {
    const policy = policyOf(NO_JITTER);
    const first = decideAt(policy, [failedTask()], T0);
    const settled = applyOutcomes(first.history, accepted(first.decisions), T0);
    const second = decideAt(policy, [failedTask()], T0 + POLL, settled);
    const third = decideAt(policy, [failedTask()], T0 + 2 * POLL, second.history);
    expect(only(second.decisions).changed).toBe(true);
    expect(only(third.decisions).changed).toBe(false);
    expect(third.history).toBe(second.history);
  });

  it('handles a cluster of 100 000 targets, remembering only the failed ones', () => {
    const connectors = Array.from({ length: 10_000 }, (_, c) =>
      connectorStatus(`c-${c}`, 'running', Array.from({ length: 9 }, (_, t) => (c % 1000 === 0 && t === 4 ? 'failed' : 'running'))),
    );
    const first = decideAt(policyOf(), connectors, T0);
    expect(first.decisions.map((decision) => decision.key)).toEqual(Array.from({ length: 10 }, (_, i) => `${CLUSTER}/c-${i * 1000}/4`));
    expect(first.history.clusters.get(CLUSTER)?.targets.size).toBe(10);
    expect(first.view.targets).toHaveLength(10);
  });

  it('leaves other clusters\' history untouched', () => {
    const other = decide({ view: viewOf([failedTask()], T0, { cluster: 'staging' }), history: emptyHistory(), policy: policyOf(), now: T0, trusted: true }).history;
    const result = decideAt(policyOf(), [failedTask()], T0, other);
    expect(result.history.clusters.get('staging')).toBe(other.clusters.get('staging'));
    expect(result.history.clusters.size).toBe(2);
  });

  it('counts a restart whose outcome never arrived', () => {
    const policy = policyOf(NO_JITTER);
    const crashed = decideAt(policy, [failedTask()], T0).history;
    const next = decideAt(policy, [failedTask()], T0 + POLL, crashed);
    expect(only(next.decisions).reason).toBe('backoff');
    expect(targetOf(next.history)).toMatchObject({ attempt: 1, pending: null, lastOutcome: { result: 'restarted' } });
  });
});

describe('applyOutcomes', () => {
  const policy = policyOf(NO_JITTER);
  const decided = () => decideAt(policy, [failedTask()], T0);
  const outcome = (result: RestartOutcome['result']): RestartOutcome => ({ ref: { cluster: CLUSTER, connector: 'orders', task: 0 }, key: taskKey(), result, message: result });

  it('keeps a restart Connect accepted or refused for good', () => {
    for (const result of ['restarted', 'failed'] as const) {
      expect(targetOf(applyOutcomes(decided().history, [outcome(result)], T0))).toMatchObject({ attempt: 1, restarts: [T0], pending: null, lastOutcome: { result } });
    }
  });

  it('gives the attempt back when the plan restarted nothing', () => {
    expect(targetOf(applyOutcomes(decided().history, [outcome('not_needed')], T0))).toMatchObject({ attempt: 0, restarts: [], lastRestartAt: null, pending: null });
  });

  it('retries at the next poll for free, but counts every third retry in a row', () => {
    let history = decided().history;
    const attempts: number[] = [];
    for (let poll = 0; poll < 6; poll++) {
      const at = T0 + poll * POLL;
      const result = poll === 0 ? decided() : decideAt(policy, [failedTask()], at, history);
      attempts.push(result.decisions.filter((decision) => decision.action === 'restart').length);
      history = applyOutcomes(result.history, result.decisions.filter((d) => d.action === 'restart').map(() => outcome('retry')), at);
    }
    // Retried at polls 0, 1, 2 (the third counts: attempt 1), then the 1m backoff holds it.
    expect(attempts).toEqual([1, 1, 1, 0, 0, 0]);
    expect(targetOf(history)).toMatchObject({ attempt: 1, retries: 0, restarts: [T0 + 2 * POLL] });
  });

  it('gives up on a target whose restart was answered 404: no more restarts, exhausted, the rate limit spared', () => {
    expect(targetOf(applyOutcomes(decided().history, [outcome('gone')], T0))).toMatchObject({ attempt: 1, restarts: [T0], pending: null, gaveUpAt: T0, lastOutcome: { result: 'gone' } });
    // Forgotten at each 404, a ghost task was restarted at every poll until the cluster rate limit stopped it.
    let history = decided().history;
    const sent: number[] = [];
    let last: ReturnType<typeof decideAt> | undefined;
    for (let poll = 0; poll < 40; poll++) {
      const at = T0 + poll * POLL;
      const result = poll === 0 ? decided() : decideAt(policy, [failedTask()], at, history);
      const restarts = result.decisions.filter((d) => d.action === 'restart');
      if (restarts.length > 0) sent.push(poll);
      history = applyOutcomes(result.history, restarts.map(() => outcome('gone')), at);
      last = result;
    }
    expect(sent).toEqual([0]);
    expect(only(last?.decisions ?? [])).toMatchObject({ reason: 'gone', exhausted: true, nextAttemptAt: null });
  });

  it('ignores outcomes for targets it does not know', () => {
    const history = emptyHistory();
    expect(applyOutcomes(history, [outcome('restarted')], T0).clusters.size).toBe(0);
  });
});

