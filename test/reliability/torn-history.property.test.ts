// A history file torn or damaged in any way is noticed, never half-read: every cut of a real file fails to decode,
// any corrupted byte either fails with one of the codec's own messages or still decodes to a well-formed history,
// and the store recovers the previous copy from a file cut anywhere.

import fc from 'fast-check';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeHistory, encodeHistory } from '../../src/restart/history-codec.ts';
import { emptyHistory, newTargetHistory, withCluster, type RestartHistory } from '../../src/restart/history.ts';
import { BACKUP_FILE, HISTORY_FILE, openHistoryStore } from '../../src/restart/history-file.ts';
import { targetKey, type TargetRef } from '../../src/domain/model.ts';
import { captureLog } from '../support/log-capture.ts';

const T0 = Date.UTC(2026, 10, 24, 10);

/** A history with restarts, a pending call, an outcome and a silence, as a busy cluster leaves it. */
function busyHistory(connectors: number): RestartHistory {
  const targets = new Map();
  for (let i = 0; i < connectors; i++) {
    const ref: TargetRef = { cluster: 'prod', connector: `jdbc-${i}`, task: i % 3 };
    targets.set(targetKey(ref), {
      ...newTargetHistory(ref, T0, false),
      attempt: 2,
      restarts: [T0 - 120_000, T0 - 60_000],
      lastRestartAt: T0 - 60_000,
      failingSince: T0 - 180_000,
      lastState: 'failed',
      pending: i % 2 === 0 ? { at: T0 - 60_000, previousLastRestartAt: T0 - 120_000, requested: false } : null,
      lastFailure: { exception: 'org.apache.kafka.connect.errors.ConnectException', rootCause: 'java.net.ConnectException' },
      lastOutcome: i % 2 === 0 ? null : { at: T0 - 60_000, result: 'restarted' as const, message: 'task restarted' },
    });
  }
  const silences = new Map([['jdbc-0', { since: T0, until: T0 + 3_600_000, reason: 'db migration' }]]);
  return withCluster(emptyHistory(), 'prod', { targets, restarts: [T0 - 60_000], silences });
}

const OWN_MESSAGES = /^(the file is not JSON|not a restart history file)/;

describe('a damaged history file (properties)', () => {
  const text = encodeHistory(busyHistory(4), T0);

  it('every cut of a real file short of its last newline fails to decode: a torn write is never half-read', () => {
    const body = text.trimEnd();
    for (let cut = 0; cut < body.length; cut++) {
      expect(() => decodeHistory(text.slice(0, cut)), `cut at ${cut}`).toThrow(OWN_MESSAGES);
    }
    expect(encodeHistory(decodeHistory(body), T0)).toBe(text);
  });

  it('any corrupted byte fails with the codec\'s own message, or still decodes to a history that encodes back the same', () => {
    fc.assert(
      fc.property(fc.nat({ max: text.length - 1 }), fc.integer({ min: 0, max: 255 }), (at, byte) => {
        const damaged = Buffer.from(text);
        damaged[at] = byte;
        let decoded: RestartHistory;
        try {
          decoded = decodeHistory(damaged.toString('utf8'));
        } catch (err) {
          expect(err).toBeInstanceOf(Error);
          expect((err as Error).message).toMatch(OWN_MESSAGES);
          return;
        }
        // A byte that still decodes (inside a message, a digit) gives a history that is well-formed throughout.
        expect(encodeHistory(decodeHistory(encodeHistory(decoded, T0)), T0)).toBe(encodeHistory(decoded, T0));
      }),
      { numRuns: 1000 },
    );
  });

  it('the store, opened on a file cut anywhere, moves it aside, says so, and loads the previous copy', async () => {
    const previous = busyHistory(2);
    const current = busyHistory(5);
    const currentText = encodeHistory(current, T0);
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: currentText.length - 2 }), async (cut) => {
        const dir = await mkdtemp(join(tmpdir(), 'cs-torn-'));
        try {
          await writeFile(join(dir, BACKUP_FILE), encodeHistory(previous, T0));
          await writeFile(join(dir, HISTORY_FILE), currentText.slice(0, cut));
          const log = captureLog('info');
          const store = await openHistoryStore({ dataDir: dir, logger: log.logger, now: () => T0 });
          try {
            expect(encodeHistory(store.current(), T0)).toBe(encodeHistory(previous, T0));
            expect(log.matching('is damaged')).toHaveLength(1);
            expect(log.matching('using the previous copy')).toHaveLength(1);
          } finally {
            await store.close();
          }
        } finally {
          await rm(dir, { recursive: true, force: true });
        }
      }),
      { numRuns: 30 },
    );
  });
});
