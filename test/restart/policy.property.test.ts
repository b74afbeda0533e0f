import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CONNECTOR_STATES, TASK_STATES, firstObserved, type ClusterView, type ConnectorStatus } from '../../src/domain/model.ts';
import { targetKey } from '../../src/domain/model.ts';
import { restartCallsOf } from '../../src/connect/kafka-version.ts';
import { encodeHistory } from '../../src/restart/history-codec.ts';
import type { ClusterHistory, RestartHistory, TargetHistory } from '../../src/restart/history.ts';
import { applyOutcomes } from '../../src/restart/outcomes.ts';
import { decide } from '../../src/restart/policy.ts';
import { accepted, CLUSTER, connectorStatus, failure, HOUR, MINUTE, policyOf, SECOND, T0, TRANSIENT } from './helpers.ts';

const names = fc.constantFrom('orders', 'payments', 'jdbc-a', 'etl-b', '__proto__');
const time = fc.integer({ min: T0 - 2 * HOUR, max: T0 + 2 * HOUR });
const nullableTime = fc.option(time, { nil: null });

const FAILURES = [
  TRANSIENT,
  failure('org.apache.kafka.common.config.ConfigException: Missing required configuration "x"'),
  failure('org.apache.kafka.connect.errors.ConnectException: e', 'org.postgresql.util.PSQLException: FATAL: password authentication failed for user "u"'),
  { exception: '', rootCause: '', trace: '' },
];

const connectorArb: fc.Arbitrary<ConnectorStatus> = fc
  .record({
    name: names,
    state: fc.constantFrom(...CONNECTOR_STATES, 'unknown' as const),
    tasks: fc.array(fc.record({ state: fc.constantFrom(...TASK_STATES, 'unknown' as const), failure: fc.constantFrom(...FAILURES) }), { maxLength: 12 }),
    failure: fc.constantFrom(...FAILURES),
  })
  .map(({ name, state, tasks, failure: connectorFailure }) => connectorStatus(name, state, tasks, { failure: connectorFailure }));

const viewArb = (now: number): fc.Arbitrary<ClusterView> =>
  fc.record({
    connectors: fc.uniqueArray(connectorArb, { selector: (status) => status.name, maxLength: 5 }),
    stale: fc.array(fc.boolean(), { minLength: 5, maxLength: 5 }),
    version: fc.constantFrom(undefined, '2.8.0', '3.6.1', 'garbage'),
  }).map(({ connectors, stale, version }) => ({
    cluster: CLUSTER,
    up: true,
    pollDurationSeconds: 0,
    lastSuccessTimestampSeconds: null,
    plugins: [],
    ...(version === undefined ? {} : { worker: { version, commit: '', kafkaClusterId: '' }, restartCalls: restartCallsOf(version) }),
    connectors: connectors.map((status, i) => firstObserved(status, stale[i] ? now - MINUTE : now)),
  }));

const targetArb: fc.Arbitrary<TargetHistory> = fc.record({
  ref: fc.record({ cluster: fc.constant(CLUSTER), connector: names, task: fc.option(fc.nat(12), { nil: undefined }) }).map(({ task, ...ref }) => (task === undefined ? ref : { ...ref, task })),
  attempt: fc.nat(20),
  restarts: fc.array(time, { maxLength: 8 }).map((times) => [...times].sort((a, b) => a - b)),
  lastRestartAt: nullableTime,
  failingSince: nullableTime,
  healthyPolls: fc.nat(5),
  recoveredAt: nullableTime,
  flaps: fc.nat(5),
  lastSeenAt: time,
  lastState: fc.constantFrom('failed', 'running', 'unknown'),
  dryRun: fc.boolean(),
  requestedAt: nullableTime,
  retries: fc.nat(3),
  pending: fc.option(fc.record({ at: time, previousLastRestartAt: nullableTime, requested: fc.boolean() }), { nil: null }),
  lastFailure: fc.constant(null),
  lastDecision: fc.constant(null),
  lastOutcome: fc.constant(null),
  gaveUpAt: nullableTime,
});

const historyArb: fc.Arbitrary<RestartHistory> = fc
  .record({
    targets: fc.array(targetArb, { maxLength: 10 }),
    restarts: fc.array(time, { maxLength: 30 }).map((times) => [...times].sort((a, b) => a - b)),
    silences: fc.array(fc.record({ connector: names, since: time, until: time, reason: fc.option(fc.string(), { nil: null }) }), { maxLength: 3 }),
  })
  .map(({ targets, restarts, silences }) => {
    const part: ClusterHistory = {
      targets: new Map(targets.map((target) => [targetKey(target.ref), target])),
      restarts,
      silences: new Map(silences.map(({ connector, ...entry }) => [connector, entry])),
    };
    return { clusters: new Map([[CLUSTER, part]]) };
  });

const sectionArb = fc.record({
  enabled: fc.boolean(),
  dryRun: fc.boolean(),
  builtinRules: fc.boolean(),
  rules: fc.constantFrom([], [{ name: 'never-jdbc', match: { connectors: ['jdbc-*'] }, action: 'never' }], [{ name: 'slow', match: { targets: 'task' }, firstDelay: '30s', budget: { maxRestarts: 2 } }]),
  blackouts: fc.constantFrom([], [{ name: 'b', cron: '*/20 * * * *', duration: '5m', connectors: ['etl-*'] }]),
  clusterSafety: fc.record({ rateLimit: fc.record({ maxRestarts: fc.integer({ min: 1, max: 5 }) }), circuitBreaker: fc.record({ minConnectors: fc.integer({ min: 1, max: 20 }) }) }),
});

const inputArb = fc.record({ now: time, section: sectionArb, trusted: fc.boolean(), writable: fc.boolean(), history: historyArb }).chain((base) =>
  viewArb(base.now).map((view) => ({ ...base, view })),
);

describe('decide (properties)', () => {
  it('never throws, and restarts only FAILED targets of connectors that are neither PAUSED nor STOPPED', () => {
    fc.assert(
      fc.property(inputArb, ({ now, section, trusted, writable, history, view }) => {
        const result = decide({ view, history, policy: policyOf(section), now, trusted, historyWritable: writable });
        const states = new Map<string, { state: string; connectorState: string; fresh: boolean }>();
        for (const { status, observedAt } of view.connectors) {
          states.set(targetKey({ cluster: CLUSTER, connector: status.name }), { state: status.state, connectorState: status.state, fresh: observedAt === now });
          for (const task of status.tasks) {
            states.set(targetKey({ cluster: CLUSTER, connector: status.name, task: task.id }), { state: task.state, connectorState: status.state, fresh: observedAt === now });
          }
        }
        for (const decision of result.decisions) {
          const target = states.get(decision.key);
          expect(target?.state).toBe('failed');
          if (decision.action === 'restart') {
            expect(['paused', 'stopped']).not.toContain(target?.connectorState);
            expect(target?.fresh && trusted && writable && section.enabled && !section.dryRun).toBe(true);
          }
        }
        // The rate limit holds within one poll too.
        const restarts = result.decisions.filter((decision) => decision.action === 'restart' || decision.reason === 'dry_run');
        expect(restarts.length).toBeLessThanOrEqual(section.clusterSafety.rateLimit.maxRestarts);
        // The history still encodes: nothing non-serialisable crept in.
        expect(() => encodeHistory(result.history, now)).not.toThrow();
      }),
      { numRuns: 400 },
    );
  });

  it('is deterministic: the same input gives the same output', () => {
    fc.assert(
      fc.property(inputArb, ({ now, section, trusted, writable, history, view }) => {
        const policy = policyOf(section);
        const once = decide({ view, history, policy, now, trusted, historyWritable: writable });
        const twice = decide({ view, history, policy: policyOf(section), now, trusted, historyWritable: writable });
        expect(twice.decisions).toEqual(once.decisions);
        expect(twice.view).toEqual(once.view);
        expect(encodeHistory(twice.history, now)).toBe(encodeHistory(once.history, now));
      }),
      { numRuns: 200 },
    );
  });

  it('never restarts a target more often than its budget allows within any window', () => {
    const scenario = fc.record({
      maxRestarts: fc.integer({ min: 1, max: 6 }),
      windowMinutes: fc.integer({ min: 5, max: 120 }),
      initialSeconds: fc.integer({ min: 1, max: 120 }),
      healthyPolls: fc.integer({ min: 1, max: 3 }),
      resetAfterMinutes: fc.integer({ min: 0, max: 30 }),
      // Each poll: how long after the previous one, and whether the task is FAILED.
      polls: fc.array(fc.record({ gapSeconds: fc.integer({ min: 1, max: 600 }), failed: fc.boolean() }), { minLength: 1, maxLength: 150 }),
    });
    fc.assert(
      fc.property(scenario, ({ maxRestarts, windowMinutes, initialSeconds, healthyPolls, resetAfterMinutes, polls }) => {
        const policy = policyOf({
          defaults: { backoff: { initial: `${initialSeconds}s` }, budget: { maxRestarts, window: `${windowMinutes}m` } },
          recovery: { healthyPolls, resetAfter: `${resetAfterMinutes}m` },
          builtinRules: false,
        });
        let history: RestartHistory = { clusters: new Map() };
        let now = T0;
        const restartTimes: number[] = [];
        for (const poll of polls) {
          now += poll.gapSeconds * SECOND;
          const status = connectorStatus('orders', 'running', [poll.failed ? 'failed' : 'running']);
          const result = decide({ view: { cluster: CLUSTER, up: true, pollDurationSeconds: 0, lastSuccessTimestampSeconds: null, plugins: [], connectors: [firstObserved(status, now)] }, history, policy, now, trusted: true });
          restartTimes.push(...result.decisions.filter((decision) => decision.action === 'restart').map(() => now));
          history = applyOutcomes(result.history, accepted(result.decisions), now);
        }
        const window = windowMinutes * MINUTE;
        for (const start of restartTimes) {
          const inWindow = restartTimes.filter((at) => at >= start && at < start + window);
          expect(inWindow.length).toBeLessThanOrEqual(maxRestarts);
        }
      }),
      { numRuns: 300 },
    );
  });
});
