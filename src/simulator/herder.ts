// The herder's single request thread, as REST callers see it: queued requests wait while it is busy (a startup, a
// stuck connector, a blocked rebalance) and time out with a 500 whose message depends on the version.

import type { Faults } from './faults.ts';
import type { KafkaProfile } from './version.ts';

interface Waiter {
  resolve(free: boolean): void;
  timer: NodeJS.Timeout;
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

  /** True once the herder takes the request; false when `timeoutMs` passes first. */
  turn(timeoutMs: number): Promise<boolean> {
    if (!this.busy) return Promise.resolve(true);
    return new Promise((resolve) => {
      const waiter: Waiter = {
        resolve,
        timer: setTimeout(() => {
          this.#waiters.delete(waiter);
          resolve(false);
        }, timeoutMs),
      };
      this.#waiters.add(waiter);
    });
  }

  /** Lets waiting requests through if the herder is free now. */
  wake(): void {
    if (this.busy) return;
    this.#finish(true);
  }

  /** Ends every wait as a timeout (the simulator is closing). */
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

  #finish(free: boolean): void {
    for (const waiter of this.#waiters) {
      clearTimeout(waiter.timer);
      waiter.resolve(free);
    }
    this.#waiters.clear();
  }
}

/** Java's `Instant.toString()`: ISO-8601 in UTC, the fraction left out when it is zero. */
export function javaInstant(unixMs: number): string {
  return new Date(unixMs).toISOString().replace('.000Z', 'Z');
}
