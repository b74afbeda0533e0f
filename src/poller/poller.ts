// The imperative shell around one cluster: polls on a timer, never overlapping, and hands each result on.
// Everything it decides about trust is in reconcile.ts; this file only does I/O, timing and logging.

import type { Logger } from 'pino';
import type { ClusterView, PluginInfo, StatusPoll, WorkerInfo } from '../domain/model.ts';
import { restartCallsOf } from '../connect/kafka-version.ts';
import { ConnectHttpError, errorSummary } from '../errors.ts';
import {
  DEFAULT_TRUST_OPTIONS,
  initialState,
  isSuspectShrink,
  reconcile,
  type PollOutcome,
  type PriorStates,
  type ReconcileState,
} from './reconcile.ts';

/** What the poller needs from a Kafka Connect cluster (the Connect client, adapted in app.ts). */
export interface ClusterSource {
  pollStatus(signal: AbortSignal): Promise<StatusPoll>;
  getWorkerInfo(signal: AbortSignal): Promise<WorkerInfo>;
  getPlugins(signal: AbortSignal): Promise<PluginInfo[]>;
  /** true: startup completed; false: starting or stuck; undefined: the cluster has no /health (before 3.9). */
  isWorkerHealthy(signal: AbortSignal): Promise<boolean | undefined>;
}

export interface PollCycle {
  view: ClusterView;
  /** Unix ms of this poll; fresh entries carry it as `observedAt`. */
  polledAt: number;
  /** The restarter may act on this poll. */
  trusted: boolean;
  /** Connectors dropped in this poll as deleted from Kafka Connect. */
  deleted: string[];
  /** Some state clock started or ended in this poll (see ObservedConnector.stateSince). */
  statesChanged: boolean;
  /** Why the poll failed; undefined when it succeeded. */
  error?: unknown;
}

export interface ClusterPollerOptions {
  cluster: string;
  source: ClusterSource;
  /** The connector allow/deny lists: connectors it rejects are not watched at all. */
  watches: (connector: string) => boolean;
  intervalMs: number;
  /**
   * Added once, to the wait after the first poll: clusters started together poll at once (so readiness comes fast),
   * then spread over the interval instead of decoding and rendering all at the same moment on the one event loop.
   */
  phaseMs?: number;
  pluginsIntervalMs: number;
  /** Unix ms. */
  now: () => number;
  /** Monotonic ms, for durations. */
  monotonicNow: () => number;
  logger: Logger;
  onPoll: (cycle: PollCycle) => void | Promise<void>;
  /** Carried over from the poller this one replaces (config reload), so nothing is forgotten. */
  initial?: ReconcileState;
  /** For a first poller: the state clocks an earlier run of connect-sentinel saved. */
  remembered?: ReadonlyMap<string, PriorStates>;
}

export class ClusterPoller {
  readonly #options: ClusterPollerOptions;
  readonly #logger: Logger;
  #state: ReconcileState;
  #timer: NodeJS.Timeout | undefined;
  #abort = new AbortController();
  #running: Promise<void> | undefined;
  #stopped = false;
  #needWorkerInfo = true;
  #pluginsPolledAt = -Infinity;
  #wasUp: boolean | undefined;
  #wasSuspect = false;

  constructor(options: ClusterPollerOptions) {
    this.#options = options;
    this.#logger = options.logger;
    this.#state = options.initial ?? initialState(options.cluster, options.remembered);
  }

  get view(): ClusterView {
    return this.#state.view;
  }

  /** Everything the poller believes about the cluster, to hand to a replacement after a reload. */
  get state(): ReconcileState {
    return this.#state;
  }


  start(): void {
    this.#stopped = false;
    this.#schedule(0, this.#options.phaseMs ?? 0);
  }

  /** Stops the timer and aborts the request in flight; resolves when the current cycle has ended. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    this.#abort.abort();
    await this.#running;
  }

  /** Runs one poll cycle now. Never throws: failures become `up = 0` and a log line. */
  pollOnce(): Promise<void> {
    this.#running ??= this.#cycle().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  #schedule(delayMs: number, phaseMs = 0): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => {
      const started = this.#options.monotonicNow();
      void this.pollOnce().then(() => {
        const elapsed = this.#options.monotonicNow() - started;
        this.#schedule(Math.max(0, this.#options.intervalMs - elapsed) + phaseMs);
      });
    }, delayMs);
  }

  async #cycle(): Promise<void> {
    const { source, now, monotonicNow } = this.#options;
    const signal = this.#abort.signal;
    const started = monotonicNow();
    const polledAt = now();

    let outcome: PollOutcome;
    let error: unknown;
    try {
      const poll = this.#filter(await source.pollStatus(signal));
      const workerHealthy = isSuspectShrink(this.#state.view.connectors.length, poll, DEFAULT_TRUST_OPTIONS)
        ? await source.isWorkerHealthy(signal).catch(() => undefined)
        : undefined;
      outcome = { ok: true, poll, workerHealthy };
    } catch (err) {
      outcome = { ok: false };
      error = err;
      if (this.#wasUp !== false && !signal.aborted) {
        this.#logger.warn({ err: errorSummary(err) }, pollFailureMessage(err));
      }
    }
    if (signal.aborted) return;

    const result = reconcile(this.#state, outcome, {
      now: polledAt,
      durationSeconds: (monotonicNow() - started) / 1000,
    });
    this.#state = result.state;
    this.#logTransitions(result.state.view.up, result.suspect, result.deleted);

    if (result.state.view.up) await this.#refreshClusterDetails(signal, polledAt);
    try {
      const cycle: PollCycle = {
        view: this.#state.view,
        polledAt,
        trusted: result.trusted,
        deleted: result.deleted,
        statesChanged: result.statesChanged,
      };
      await this.#options.onPoll(error === undefined ? cycle : { ...cycle, error });
    } catch (err) {
      this.#logger.error({ err: errorSummary(err) }, 'Handling a poll result failed');
    }
  }

  #filter(poll: StatusPoll): StatusPoll {
    const { watches } = this.#options;
    return {
      ...poll,
      connectors: poll.connectors.filter((c) => watches(c.name)),
      missingStatus: poll.missingStatus.filter(watches),
    };
  }

  /** `GET /` at the first success and after every outage (a worker may come back upgraded); plugins at a slow pace. */
  async #refreshClusterDetails(signal: AbortSignal, polledAt: number): Promise<void> {
    const { source } = this.#options;
    if (this.#needWorkerInfo) {
      try {
        const worker = await source.getWorkerInfo(signal);
        this.#state = { ...this.#state, view: { ...this.#state.view, worker, restartCalls: restartCallsOf(worker.version) } };
        this.#needWorkerInfo = false;
      } catch (err) {
        this.#logger.debug({ err: errorSummary(err) }, 'Reading the worker version failed; will retry');
      }
    }
    if (polledAt - this.#pluginsPolledAt >= this.#options.pluginsIntervalMs) {
      try {
        const plugins = await source.getPlugins(signal);
        this.#state = { ...this.#state, view: { ...this.#state.view, plugins } };
        this.#pluginsPolledAt = polledAt;
      } catch (err) {
        this.#logger.debug({ err: errorSummary(err) }, 'Reading connector plugins failed; will retry');
      }
    }
  }

  #logTransitions(up: boolean, suspect: boolean, deleted: string[]): void {
    if (up && this.#wasUp === false) {
      this.#logger.info('Kafka Connect is reachable again');
      this.#needWorkerInfo = true;
    }
    this.#wasUp = up;
    if (suspect !== this.#wasSuspect) {
      if (suspect) {
        this.#logger.warn('Kafka Connect listed far fewer connectors than known (a worker may be starting); keeping the last known state');
      } else {
        this.#logger.info('Kafka Connect connector list is trusted again');
      }
      this.#wasSuspect = suspect;
    }
    if (deleted.length > 0) this.#logger.info({ connectors: deleted.slice(0, 20), count: deleted.length }, 'Connectors deleted from Kafka Connect');
  }
}

/** A rejected login never heals by itself, so it is named as such (naming the settings to check, never their values). */
function pollFailureMessage(err: unknown): string {
  if (err instanceof ConnectHttpError && err.status === 401) {
    return 'Kafka Connect authentication failed (HTTP 401): check the cluster\'s basicAuth or bearerTokenFile; keeping the last known state';
  }
  if (err instanceof ConnectHttpError && err.status === 403) {
    return 'Kafka Connect denied access (HTTP 403): check the permissions of the cluster\'s credentials; keeping the last known state';
  }
  return 'Polling Kafka Connect failed; keeping the last known state';
}
