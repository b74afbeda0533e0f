import { describe, expect, it } from 'vitest';
import type { ConnectorStatus, StatusPoll } from '../../src/domain/model.ts';
import {
  DEFAULT_TRUST_OPTIONS,
  initialState,
  reconcile,
  type PollOutcome,
  type ReconcileState,
} from '../../src/poller/reconcile.ts';

function connector(name: string, state: ConnectorStatus['state'] = 'running'): ConnectorStatus {
  return { name, type: 'sink', connectorClass: 'x.Sink', state, workerId: 'w1:8083', tasks: [] };
}

function ok(names: string[], missingStatus: string[] = [], workerHealthy?: boolean): PollOutcome {
  const poll: StatusPoll = { connectors: names.map((n) => connector(n)), mode: 'expanded', missingStatus, workerUrl: 'http://w1:8083' };
  return { ok: true, poll, workerHealthy };
}

/** Runs a sequence of outcomes, one poll a second, and returns every result. */
function run(outcomes: PollOutcome[], start: ReconcileState = initialState('c1')) {
  let state = start;
  return outcomes.map((outcome, i) => {
    const result = reconcile(state, outcome, { now: 1_000_000 + i * 1000, durationSeconds: 0.25 });
    state = result.state;
    return result;
  });
}

const names = (r: { state: ReconcileState }) => r.state.view.connectors.map((c) => c.status.name);

describe('reconcile', () => {
  it('marks the cluster up with the poll time and fresh entries on success', () => {
    const [r] = run([ok(['b', 'a'])]);
    expect(r!.state.view.up).toBe(true);
    expect(r!.state.view.lastSuccessTimestampSeconds).toBe(1000);
    expect(r!.state.view.pollDurationSeconds).toBe(0.25);
    expect(names(r!)).toEqual(['a', 'b']);
    expect(r!.state.view.connectors.every((c) => c.observedAt === 1_000_000)).toBe(true);
    expect(r!.trusted).toBe(true);
  });

  it('keeps the last view, marks the cluster down and distrusts the poll when it fails', () => {
    const [, r] = run([ok(['a']), { ok: false }]);
    expect(r!.state.view.up).toBe(false);
    expect(r!.trusted).toBe(false);
    expect(names(r!)).toEqual(['a']);
    expect(r!.state.view.connectors[0]!.observedAt).toBe(1_000_000);
    expect(r!.state.view.lastSuccessTimestampSeconds).toBe(1000);
  });

  it('deletes a connector only after it is absent from enough consecutive polls', () => {
    const results = run([ok(['a', 'b']), ok(['a']), ok(['a']), ok(['a'])]);
    expect(results.map(names)).toEqual([['a', 'b'], ['a', 'b'], ['a', 'b'], ['a']]);
    expect(results[3]!.deleted).toEqual(['b']);
    // The kept entry is stale: still the observation of the first poll.
    expect(results[2]!.state.view.connectors.find((c) => c.status.name === 'b')!.observedAt).toBe(1_000_000);
  });

  it('resets the absence count when the connector comes back', () => {
    const results = run([ok(['a', 'b']), ok(['a']), ok(['a', 'b']), ok(['a']), ok(['a'])]);
    expect(results.map(names).at(-1)).toEqual(['a', 'b']);
  });

  it('never deletes a connector the cluster still names but has no status for', () => {
    const results = run([ok(['a', 'b']), ...Array.from({ length: 10 }, () => ok(['a'], ['b']))]);
    expect(names(results.at(-1)!)).toEqual(['a', 'b']);
    expect(results.every((r) => r.deleted.length === 0)).toBe(true);
  });

  it('does not count failed polls as absence', () => {
    const results = run([ok(['a', 'b']), ok(['a']), { ok: false }, { ok: false }, ok(['a'])]);
    expect(names(results.at(-1)!)).toEqual(['a', 'b']);
  });

  it('holds back an empty list from a starting worker and distrusts it', () => {
    const results = run([ok(['a', 'b', 'c', 'd']), ok([]), ok([]), ok([])]);
    for (const r of results.slice(1)) {
      expect(r.suspect).toBe(true);
      expect(r.trusted).toBe(false);
      expect(names(r)).toEqual(['a', 'b', 'c', 'd']);
    }
  });

  it('believes a large shrink at once when /health confirms the worker completed startup', () => {
    const results = run([ok(['a', 'b', 'c', 'd']), ok(['a'], [], true), ok(['a'], [], true), ok(['a'], [], true)]);
    expect(results[1]!.suspect).toBe(false);
    expect(names(results.at(-1)!)).toEqual(['a']);
  });

  it('believes an unconfirmed large shrink after suspectConfirmPolls polls', () => {
    const n = DEFAULT_TRUST_OPTIONS.suspectConfirmPolls;
    const outcomes = [ok(['a', 'b', 'c', 'd']), ...Array.from({ length: n + DEFAULT_TRUST_OPTIONS.absentPollsBeforeDelete }, () => ok([]))];
    const results = run(outcomes);
    expect(results[n - 1]!.suspect).toBe(true);
    expect(results[n]!.suspect).toBe(false);
    expect(names(results.at(-1)!)).toEqual([]);
  });

  it('treats small clusters losing connectors as ordinary absence, not as a suspect shrink', () => {
    const results = run([ok(['a', 'b']), ok([])]);
    expect(results[1]!.suspect).toBe(false);
    expect(results[1]!.trusted).toBe(true);
  });
});
