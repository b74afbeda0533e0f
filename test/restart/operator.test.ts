import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeHistory, encodeHistory } from '../../src/restart/history-codec.ts';
import { emptyHistory, retainClusters } from '../../src/restart/history.ts';
import { listHistory, requestRestartNow, resetBudget, silence, unsilence } from '../../src/restart/operator.ts';
import { CLUSTER, connectorStatus, decideAt, failure, HOUR, MINUTE, only, policyOf, simulate, T0 } from './helpers.ts';

/** The listing's history part does not depend on the circuit breakers. */
const NO_CIRCUITS = new Map();

const POLL = 15_000;
const exhausted = () =>
  simulate({
    policy: policyOf({ defaults: { backoff: { jitter: 0 } } }),
    start: T0,
    end: T0 + 20 * MINUTE,
    interval: POLL,
    connectorsAt: () => [connectorStatus('orders', 'failed', ['failed', 'running'])],
  }).history;

describe('operator actions', () => {
  it('resetBudget forgets attempts and spent budget of a connector and its tasks', () => {
    const history = resetBudget(exhausted(), { cluster: CLUSTER, connector: 'orders' }, T0 + 21 * MINUTE);
    const targets = [...(history.clusters.get(CLUSTER)?.targets.values() ?? [])];
    expect(targets).toHaveLength(2);
    for (const target of targets) expect(target).toMatchObject({ attempt: 0, restarts: [], lastRestartAt: null, failingSince: T0 + 21 * MINUTE });
    const next = decideAt(policyOf(), [connectorStatus('orders', 'failed', ['failed', 'running'])], T0 + 21 * MINUTE + POLL, history);
    expect(next.decisions.map((decision) => decision.reason)).toEqual(['first_failure', 'first_failure']);
  });

  it('resetBudget of one task leaves the others alone', () => {
    const history = resetBudget(exhausted(), { cluster: CLUSTER, connector: 'orders', task: 0 }, T0);
    expect(history.clusters.get(CLUSTER)?.targets.get(`${CLUSTER}/orders/0`)?.attempt).toBe(0);
    expect(history.clusters.get(CLUSTER)?.targets.get(`${CLUSTER}/orders`)?.attempt).toBe(5);
  });

  it('requestRestartNow marks the connector and its tracked tasks, and creates the record when none exists', () => {
    const marked = requestRestartNow(exhausted(), { cluster: CLUSTER, connector: 'orders' }, T0 + HOUR);
    expect([...(marked.clusters.get(CLUSTER)?.targets.values() ?? [])].map((target) => target.requestedAt)).toEqual([T0 + HOUR, T0 + HOUR]);
    const fresh = requestRestartNow(emptyHistory(), { cluster: CLUSTER, connector: 'new', task: 3 }, T0);
    expect(fresh.clusters.get(CLUSTER)?.targets.get(`${CLUSTER}/new/3`)).toMatchObject({ requestedAt: T0, attempt: 0, ref: { connector: 'new', task: 3 } });
  });

  it('silence and unsilence a connector, keeping the reason short and on one line', () => {
    const silenced = silence(emptyHistory(), { cluster: CLUSTER, connector: 'orders' }, T0 + HOUR, T0, `DB\nmigration ${'x'.repeat(500)}`);
    const entry = silenced.clusters.get(CLUSTER)?.silences.get('orders');
    expect(entry?.reason?.startsWith('DB migration x')).toBe(true);
    expect(entry?.reason?.length).toBe(200);
    expect(unsilence(silenced, { cluster: CLUSTER, connector: 'orders' }).clusters.size).toBe(0);
    expect(unsilence(silenced, { cluster: CLUSTER, connector: 'other' })).toBe(silenced);
    expect(silence(emptyHistory(), { cluster: CLUSTER, connector: 'orders' }, T0 + HOUR, T0, '  ').clusters.get(CLUSTER)?.silences.get('orders')?.reason).toBeNull();
  });

  it('retainClusters drops the history of clusters no longer configured', () => {
    const history = exhausted();
    expect(retainClusters(history, ['other']).clusters.size).toBe(0);
    expect(retainClusters(history, [CLUSTER]).clusters.get(CLUSTER)).toBe(history.clusters.get(CLUSTER));
  });
});

describe('listHistory', () => {
  it('lists targets with reasons, attempts, outcomes and silences as JSON-safe records', () => {
    const secret = failure('org.apache.kafka.connect.errors.ConnectException: connection.password=hunter2 rejected', 'java.sql.SQLException: nope');
    const run = simulate({
      policy: policyOf({ defaults: { backoff: { jitter: 0 } } }),
      start: T0,
      end: T0 + 20 * MINUTE,
      interval: POLL,
      connectorsAt: () => [connectorStatus('orders', 'running', [{ state: 'failed', failure: secret }])],
    });
    const history = silence(run.history, { cluster: CLUSTER, connector: 'orders' }, T0 + 2 * HOUR, T0 + 20 * MINUTE, 'DBA on it');
    const listing = listHistory(history, NO_CIRCUITS, {}, T0 + 21 * MINUTE);
    expect(only(listing.targets)).toEqual({
      cluster: CLUSTER,
      connector: 'orders',
      task: 0,
      state: 'failed',
      attempt: 5,
      recentRestarts: 5,
      lastRestartAt: '2026-11-24T10:15:00Z',
      failingSince: '2026-11-24T10:00:00Z',
      recoveredAt: null,
      flaps: 0,
      dryRun: false,
      restartRequestedAt: null,
      nextAttemptAt: null,
      exhausted: true,
      gaveUpAt: '2026-11-24T10:15:15Z',
      lastDecision: {
        at: '2026-11-24T10:15:15Z',
        action: 'skip',
        reason: 'budget_exhausted',
        message: 'skip: budget exhausted (5 restarts in 6h) at 2026-11-24T10:15:15Z; given up until it recovers or its budget is reset',
        rule: null,
      },
      lastOutcome: { at: '2026-11-24T10:15:00Z', result: 'restarted', message: 'ok' },
      lastFailure: { exception: 'org.apache.kafka.connect.errors.ConnectException', rootCause: 'java.sql.SQLException' },
      silencedUntil: '2026-11-24T12:00:00Z',
    });
    expect(listing.silences).toEqual([{ cluster: CLUSTER, connector: 'orders', since: '2026-11-24T10:20:00Z', until: '2026-11-24T12:00:00Z', reason: 'DBA on it' }]);
    expect(JSON.stringify(listing)).not.toContain('hunter2');
    expect(JSON.parse(JSON.stringify(listing))).toEqual(listing);
  });

  it('filters by cluster and connector, sorts, and hides expired silences', () => {
    let history = simulate({
      policy: policyOf(),
      start: T0,
      end: T0,
      interval: POLL,
      connectorsAt: () => [connectorStatus('b', 'failed', ['failed']), connectorStatus('a', 'running', ['running', 'failed'])],
    }).history;
    history = silence(history, { cluster: CLUSTER, connector: 'a' }, T0 + MINUTE, T0);
    expect(listHistory(history, NO_CIRCUITS, {}, T0).targets.map((target) => [target.connector, target.task])).toEqual([['a', 1], ['b', null], ['b', 0]]);
    expect(listHistory(history, NO_CIRCUITS, { connector: 'a' }, T0).targets).toHaveLength(1);
    expect(listHistory(history, NO_CIRCUITS, { cluster: 'other' }, T0).targets).toEqual([]);
    const circuits = new Map([
      ['prod', { open: true, failingConnectors: 6, connectors: 10 }],
      ['other', { open: false, failingConnectors: 0, connectors: 3 }],
    ]);
    expect(listHistory(history, circuits, {}, T0).circuitBreakers).toEqual([
      { cluster: 'other', open: false, failingConnectors: 0, connectors: 3 },
      { cluster: 'prod', open: true, failingConnectors: 6, connectors: 10 },
    ]);
    expect(listHistory(history, circuits, { cluster: 'prod' }, T0).circuitBreakers.map((c) => c.cluster)).toEqual(['prod']);
    expect(listHistory(history, NO_CIRCUITS, {}, T0 + 2 * MINUTE).silences).toEqual([]);
    expect(listHistory(history, NO_CIRCUITS, {}, T0).silences).toHaveLength(1);
  });
});

describe('history file format', () => {
  it('round-trips any history decide produces', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.boolean(), fc.boolean()), { minLength: 1, maxLength: 30 }), (script) => {
        const run = simulate({
          policy: policyOf({ defaults: { firstDelay: '10s' } }),
          start: T0,
          end: T0 + (script.length - 1) * POLL,
          interval: POLL,
          connectorsAt: (at) => {
            const [connectorFails, taskFails] = script[(at - T0) / POLL] ?? [false, false];
            return [connectorStatus('__proto__', connectorFails ? 'failed' : 'running', [taskFails ? 'failed' : 'running'])];
          },
        });
        const history = silence(run.history, { cluster: CLUSTER, connector: 'x' }, T0 + HOUR, T0, 'r');
        expect(encodeHistory(decodeHistory(encodeHistory(history, T0)), T0)).toBe(encodeHistory(history, T0));
      }),
      { numRuns: 100 },
    );
  });

  it.each([
    ['{"format":"something-else","version":1,"savedAt":"","clusters":[]}', /format/],
    ['{"format":"connect-sentinel/restart-history","version":2,"savedAt":"","clusters":[]}', /version/],
    ['{"format":"connect-sentinel/restart-history","version":1,"savedAt":"","clusters":[{"cluster":"a"}]}', /clusters/],
    // A silence ending past year 9999 (a 280000y silence once got stored) would throw wherever it is formatted.
    [
      '{"format":"connect-sentinel/restart-history","version":1,"savedAt":"","clusters":[{"cluster":"a","restarts":[],' +
        '"silences":[{"connector":"x","since":0,"until":8830000000000000,"reason":null}],"targets":[]}]}',
      'clusters.0.silences.0.until time out of range (after 9999-12-31)',
    ],
  ])('refuses %s', (text, problem) => {
    expect(() => decodeHistory(text)).toThrow(problem);
  });
});
