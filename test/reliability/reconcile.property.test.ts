// Properties of the poller's reconcile over arbitrary sequences of polls: Kafka Connect's answers come and go (empty
// lists, partial statuses, outages), and what connect-sentinel believes must follow a few simple rules regardless.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ConnectorStatus } from '../../src/domain/model.ts';
import { initialState, reconcile, type PollOutcome, type TrustOptions } from '../../src/poller/reconcile.ts';

const NAMES = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'];

function connector(name: string): ConnectorStatus {
  return { name, type: 'source', connectorClass: 'x.Source', state: 'running', workerId: 'w', tasks: [] };
}

/** Each name is listed with a status, named without one, or absent. */
const pollArb: fc.Arbitrary<PollOutcome> = fc.oneof(
  { weight: 5, arbitrary: fc.tuple(fc.array(fc.constantFrom('present', 'missing', 'absent'), { minLength: NAMES.length, maxLength: NAMES.length }), fc.constantFrom(true, false, undefined)).map(
    ([fates, workerHealthy]): PollOutcome => ({
      ok: true,
      poll: {
        connectors: NAMES.filter((_, i) => fates[i] === 'present').map(connector),
        missingStatus: NAMES.filter((_, i) => fates[i] === 'missing'),
        mode: 'expanded',
        workerUrl: 'http://w',
      },
      workerHealthy,
    }),
  ) },
  { weight: 1, arbitrary: fc.constant<PollOutcome>({ ok: false }) },
);

const optionsArb: fc.Arbitrary<TrustOptions> = fc.record({
  absentPollsBeforeDelete: fc.integer({ min: 1, max: 4 }),
  suspectShrinkShare: fc.double({ min: 0.1, max: 0.9, noNaN: true }),
  suspectMinKnown: fc.integer({ min: 1, max: 6 }),
  suspectConfirmPolls: fc.integer({ min: 1, max: 5 }),
});

describe('reconcile (properties)', () => {
  it('follows a simple model: never throws, deletes only after enough trusted absences, never what the cluster names', () => {
    fc.assert(
      fc.property(fc.array(pollArb, { maxLength: 40 }), optionsArb, (outcomes, options) => {
        let state = initialState('prod');
        /** The model: known connectors and their consecutive trusted absences. */
        const absences = new Map<string, number>();
        let untrustedRun = 0;
        outcomes.forEach((outcome, i) => {
          const result = reconcile(state, outcome, { now: 1_000_000 + i * 1000, durationSeconds: 0.1, options });
          state = result.state;

          if (!outcome.ok) {
            expect(result.trusted).toBe(false);
            expect(result.deleted).toEqual([]);
            expect(state.view.up).toBe(false);
            return;
          }
          expect(state.view.up).toBe(true);
          const present = new Set(outcome.poll.connectors.map((c) => c.name));
          const named = new Set([...present, ...outcome.poll.missingStatus]);
          for (const name of result.deleted) expect(named.has(name)).toBe(false);

          // A held-back answer lasts at most suspectConfirmPolls − 1 polls in a row: it is believed in the end.
          untrustedRun = result.trusted ? 0 : untrustedRun + 1;
          expect(untrustedRun).toBeLessThan(options.suspectConfirmPolls);

          const expectedDeleted: string[] = [];
          for (const [name, count] of [...absences]) {
            if (present.has(name)) absences.delete(name);
            else if (outcome.poll.missingStatus.includes(name) || !result.trusted) continue;
            else if (count + 1 >= options.absentPollsBeforeDelete) {
              absences.delete(name);
              expectedDeleted.push(name);
            } else absences.set(name, count + 1);
          }
          for (const name of present) if (!absences.has(name)) absences.set(name, 0);

          expect([...result.deleted].sort()).toEqual(expectedDeleted.sort());
          const viewNames = state.view.connectors.map((c) => c.status.name);
          expect(viewNames).toEqual([...absences.keys()].sort());
          // Fresh entries carry this poll's time; kept ones an older one.
          for (const entry of state.view.connectors) {
            expect(entry.observedAt === 1_000_000 + i * 1000).toBe(present.has(entry.status.name));
          }
        });
      }),
      { numRuns: 500 },
    );
  });
});
