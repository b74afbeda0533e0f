// Restart dynamics: a restart request decides its outcome from the target's script at once, and the status shows it
// later: when a test calls settle() (manual mode) or after a delay (auto mode, the demo).

import { taskSite, type ConnectorRecord, type InstanceRecord, type RestartScript, type SimCluster } from './cluster.ts';

export type RestartMode = 'manual' | 'auto';

interface Transition {
  connector: string;
  /** undefined for the connector instance. */
  task: number | undefined;
  /** The trace to fail with; undefined: the instance recovers. */
  failWith: string | undefined;
  timer: NodeJS.Timeout | undefined;
}

export class RestartEngine {
  readonly #cluster: SimCluster;
  readonly #mode: RestartMode;
  readonly #delayMs: number;
  readonly #pending = new Map<string, Transition>();

  constructor(cluster: SimCluster, mode: RestartMode, delayMs: number) {
    this.#cluster = cluster;
    this.#mode = mode;
    this.#delayMs = delayMs;
  }

  get pending(): number {
    return this.#pending.size;
  }

  /**
   * Restarts one instance. With `showRestarting` (the KIP-745 path) the status says RESTARTING until it settles;
   * the old endpoints write nothing in between.
   */
  restart(record: ConnectorRecord, task: number | undefined, showRestarting: boolean): void {
    const instance = task === undefined ? record.status : record.tasks.get(task);
    if (instance === undefined) return;
    const failWith = this.#outcome(record, task, instance);
    if (showRestarting) this.#cluster.setInstance(record, task, 'RESTARTING', undefined);
    const key = `${record.name}\u0000${task ?? ''}`;
    clearTimeout(this.#pending.get(key)?.timer);
    const transition: Transition = { connector: record.name, task, failWith, timer: undefined };
    if (this.#mode === 'auto') {
      transition.timer = setTimeout(() => {
        this.#pending.delete(key);
        this.#apply(transition);
      }, this.#delayMs);
      transition.timer.unref();
    }
    this.#pending.set(key, transition);
  }

  /** Applies every pending transition now; returns how many there were. */
  settle(): number {
    const transitions = [...this.#pending.values()];
    this.#pending.clear();
    for (const transition of transitions) {
      clearTimeout(transition.timer);
      this.#apply(transition);
    }
    return transitions.length;
  }

  close(): void {
    for (const transition of this.#pending.values()) clearTimeout(transition.timer);
    this.#pending.clear();
  }

  /** Consumes one step of the script: the trace to fail with again, or undefined to recover. */
  #outcome(record: ConnectorRecord, task: number | undefined, instance: InstanceRecord): string | undefined {
    const script: RestartScript | undefined = instance.restart;
    if (script === undefined || 'recoverAfterRestart' in script) return undefined;
    if ('failuresLeft' in script) {
      if (script.failuresLeft <= 0) return undefined;
      script.failuresLeft--;
    }
    const site = task === undefined ? 'connector' : taskSite(record);
    const failure = script.failure ?? (instance.lastTrace === undefined ? this.#cluster.defaultFailure(record, task !== undefined) : { trace: instance.lastTrace });
    return this.#cluster.traceOf(failure, site);
  }

  #apply(transition: Transition): void {
    const record = this.#cluster.record(transition.connector);
    // The connector may have been deleted, stopped or shrunk meanwhile: then there is nothing left to settle.
    if (record === undefined) return;
    const instance = transition.task === undefined ? record.status : record.tasks.get(transition.task);
    if (instance === undefined) return;
    if (transition.failWith !== undefined) {
      this.#cluster.setInstance(record, transition.task, 'FAILED', transition.failWith);
    } else {
      this.#cluster.setInstance(record, transition.task, recoveredState(record, transition.task), undefined);
    }
  }
}

/** What a healthy restart ends in: the target state decides. */
function recoveredState(record: ConnectorRecord, task: number | undefined): string {
  if (record.target === 'PAUSED') return 'PAUSED';
  if (record.target === 'STOPPED' && task === undefined) return 'STOPPED';
  return 'RUNNING';
}
