// The herder's single request thread, as REST callers see it: queued requests wait while it is busy (a startup, a
// stuck connector, a blocked rebalance) and time out with a 500 whose message depends on the version.

import type { Faults } from './faults.ts';
import type { KafkaProfile } from './version.ts';

interface Waiter {
  /** The herder takes the request (true), or the simulator closes first (false). */
  settle(taken: boolean): void;
}

export class Herder {
  readonly #faults: Faults;
  readonly #profile: KafkaProfile;
  readonly #waiters = new Set<Waiter>();

  constructor(faults: Faults, profile: KafkaProfile) {
    this.#faults = faults;
    this.#profile = profile;
  }

  get busy(): boolean {
    return this.#faults.herderStageNow !== undefined;
  }

  /**
   * Answers with `work()` once the herder takes the request. A request that waits longer than `timeoutMs` is answered
   * with `timedOut()`, and its `work()` still runs once the herder is free, with nobody to hear the answer: Connect
   * carries out the requests it timed out (seen on real 3.9 and 4.3 workers, test/kafka/real-connect.test.ts).
   */
  run<T>(timeoutMs: number, work: () => T | Promise<T>, timedOut: () => T): Promise<T> {
    if (!this.busy) return Promise.resolve(work());
    return new Promise<T>((resolve, reject) => {
      let answered = false;
      const timer = setTimeout(() => {
        answered = true;
        resolve(timedOut());
      }, timeoutMs);
      this.#waiters.add({
        settle: (taken) => {
          clearTimeout(timer);
          if (!taken) {
            if (!answered) resolve(timedOut());
            return;
          }
          const result = Promise.resolve().then(work);
          if (answered) result.catch(() => undefined);
          else result.then(resolve, reject);
        },
      });
    });
  }

  /** Lets waiting requests through if the herder is free now. */
  wake(): void {
    if (this.busy) return;
    this.#finish(true);
  }

  /** Ends every wait unanswered so far as a timeout, and drops the work of all (the simulator is closing). */
  close(): void {
    this.#finish(false);
  }

  /** `Stage.summarize()`: "The worker is currently …, which began at <Instant>." */
  stageSummary(): string | undefined {
    const stage = this.#faults.herderStageNow;
    return stage === undefined ? undefined : `The worker is currently ${stage.description}, which began at ${javaInstant(stage.since)}.`;
  }

  /** The 500 message of a queued request that waited too long: stage details from 3.7 (KAFKA-15563). */
  timeoutMessage(): string {
    const summary = this.stageSummary();
    return this.#profile.has('stagedTimeouts') && summary !== undefined ? `Request timed out. ${summary}` : 'Request timed out';
  }

  #finish(taken: boolean): void {
    const waiters = [...this.#waiters];
    this.#waiters.clear();
    for (const waiter of waiters) waiter.settle(taken);
  }
}

/** Java's `Instant.toString()`: ISO-8601 in UTC, the fraction left out when it is zero. */
export function javaInstant(unixMs: number): string {
  return new Date(unixMs).toISOString().replace('.000Z', 'Z');
}
