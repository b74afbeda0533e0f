// Faults a test or scenario switches at runtime (docs/connect-rest-api.md §4, §5.3, §5.4).

export interface Clock {
  now(): number;
}

/**
 * A worker's startup (§5.4): `refused` before Jetty listens (connections are closed at once), `html404` while the
 * REST resources are not registered, `reading` while the herder reads the internal topics, then `ready`.
 */
export type StartupPhase = 'refused' | 'html404' | 'reading' | 'ready';

export const STARTUP_PHASES: readonly StartupPhase[] = ['refused', 'html404', 'reading', 'ready'];

export interface FaultListener {
  /** The startup phase or the herder's state changed: waiting requests may proceed, connections may need closing. */
  changed(): void;
}

export class Faults {
  /** A rebalance is pending: forwarded operations get 409, the 3.5+ queued GETs 500. */
  rebalance = false;
  /** What the blocked herder reports doing (3.7+ timeout messages and /health). */
  herderStage = 'ensuring membership in the cluster';
  /** While `reading`: the connectors read so far, listed and with statuses; the rest are not known yet. */
  startupVisible: string[] = [];
  /** Left out of the next `GET /connectors` response only, then cleared. */
  omitFromList: string[] = [];
  /** Error bodies carry `"message":null`, as for exceptions without a message. */
  messageNull = false;
  /** Added before every response. */
  latencyMs = 0;

  readonly #clock: Clock;
  readonly #listener: FaultListener;
  #herderBlocked = false;
  #blockedSince = 0;
  #startupPhase: StartupPhase = 'ready';
  #phaseSince = 0;

  constructor(clock: Clock, listener: FaultListener) {
    this.#clock = clock;
    this.#listener = listener;
  }

  /** The herder thread is stuck: queued requests wait `queuedTimeoutMs`, then 500 "Request timed out…". */
  get herderBlocked(): boolean {
    return this.#herderBlocked;
  }

  set herderBlocked(blocked: boolean) {
    if (blocked && !this.#herderBlocked) this.#blockedSince = this.#clock.now();
    this.#herderBlocked = blocked;
    this.#listener.changed();
  }

  get startupPhase(): StartupPhase {
    return this.#startupPhase;
  }

  set startupPhase(phase: StartupPhase) {
    if (phase !== this.#startupPhase) this.#phaseSince = this.#clock.now();
    this.#startupPhase = phase;
    this.#listener.changed();
  }

  /** The herder's current stage and when it began, while it cannot take requests. */
  get herderStageNow(): { description: string; since: number } | undefined {
    if (this.#startupPhase === 'reading') {
      return { description: 'initializing and reading to the end of internal topics', since: this.#phaseSince };
    }
    return this.#herderBlocked ? { description: this.herderStage, since: this.#blockedSince } : undefined;
  }

  reset(): void {
    this.rebalance = false;
    this.herderStage = 'ensuring membership in the cluster';
    this.startupVisible = [];
    this.omitFromList = [];
    this.messageNull = false;
    this.latencyMs = 0;
    this.#herderBlocked = false;
    this.#startupPhase = 'ready';
    this.#listener.changed();
  }
}
