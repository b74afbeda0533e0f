// What auto-restart remembers between polls (and across process restarts, via store.ts): immutable values,
// replaced as a whole by decide(), applyOutcomes() and the operator actions. Only troubled targets are kept:
// a target that is healthy with nothing left to remember is dropped, so the size follows the failures, not the
// number of connectors. Maps, not objects, because connector names are arbitrary strings (`__proto__` included).

import type { SkipReason, TargetRef } from '../domain/model.ts';

/** Why a restart was decided. */
export const RESTART_REASONS = ['first_failure', 'first_delay_elapsed', 'backoff_elapsed', 'requested'] as const;
export type RestartReason = (typeof RESTART_REASONS)[number];

/** What came of a restart call. */
export const OUTCOME_RESULTS = ['restarted', 'not_needed', 'retry', 'unconfirmed', 'gone', 'failed'] as const;
export type OutcomeResult = (typeof OUTCOME_RESULTS)[number];

export interface DecisionRecord {
  at: number;
  action: 'restart' | 'skip';
  reason: RestartReason | SkipReason;
  message: string;
  rule: string | null;
  nextAttemptAt: number | null;
  exhausted: boolean;
}

export interface OutcomeRecord {
  at: number;
  result: OutcomeResult;
  message: string;
}

/** A restart recorded before its call was sent (write-ahead), until its outcome is known. */
export interface PendingRestart {
  at: number;
  /** lastRestartAt before this restart, to give the attempt back if the call must be retried. */
  previousLastRestartAt: number | null;
  /** An operator's request: it counted toward neither the attempt number nor the budget. */
  requested: boolean;
}

export interface TargetHistory {
  ref: TargetRef;
  /** Restarts in the current escalation; drives the backoff. Back to 0 once healthy for `recovery.resetAfter`. */
  attempt: number;
  /** Unix ms of the restarts still inside the longest budget window, oldest first. */
  restarts: readonly number[];
  lastRestartAt: number | null;
  /** The first fresh poll of the current failure; null while the target is not FAILED. */
  failingSince: number | null;
  /** Consecutive fresh polls that saw the target RUNNING. */
  healthyPolls: number;
  /** When recovery was confirmed (healthyPolls reached `recovery.healthyPolls` after a failure); else null. */
  recoveredAt: number | null;
  /** Failures before a confirmed recovery: the target is flapping. */
  flaps: number;
  /** The last fresh poll that listed the target, and the state it showed. */
  lastSeenAt: number;
  lastState: string;
  /** The schedule was made in dry-run mode: it describes what would have happened, and is dropped when the mode changes. */
  dryRun: boolean;
  /** Unix ms of an operator's restart request still waiting for a poll that sees the target FAILED. */
  requestedAt: number | null;
  /** Restart calls in a row that came back `retry` (409, 5xx, timeout) and were not counted. */
  retries: number;
  pending: PendingRestart | null;
  /** Class names only: never the trace or its message. */
  lastFailure: { exception: string; rootCause: string } | null;
  lastDecision: DecisionRecord | null;
  lastOutcome: OutcomeRecord | null;
  /**
   * When automation gave up on the target because its budget ran out. Sticky: it stays given up (no restarts, still
   * exhausted) until recovery is confirmed or an operator resets the budget, however the budget window slides.
   */
  gaveUpAt: number | null;
}

export interface Silence {
  since: number;
  until: number;
  reason: string | null;
}

export interface ClusterHistory {
  /** By targetKey. */
  targets: ReadonlyMap<string, TargetHistory>;
  /** Unix ms of each restart call within the cluster rate-limit window, oldest first. */
  restarts: readonly number[];
  /** By connector name; a silence covers the connector and its tasks. */
  silences: ReadonlyMap<string, Silence>;
}

export interface RestartHistory {
  clusters: ReadonlyMap<string, ClusterHistory>;
}

const EMPTY_CLUSTER_HISTORY: ClusterHistory = { targets: new Map(), restarts: [], silences: new Map() };

export function emptyHistory(): RestartHistory {
  return { clusters: new Map() };
}

export function newTargetHistory(ref: TargetRef, now: number, dryRun: boolean): TargetHistory {
  return {
    ref,
    attempt: 0,
    restarts: [],
    lastRestartAt: null,
    failingSince: null,
    healthyPolls: 0,
    recoveredAt: null,
    flaps: 0,
    lastSeenAt: now,
    lastState: 'unknown',
    dryRun,
    requestedAt: null,
    retries: 0,
    pending: null,
    lastFailure: null,
    lastDecision: null,
    lastOutcome: null,
    gaveUpAt: null,
  };
}

export function clusterHistory(history: RestartHistory, cluster: string): ClusterHistory {
  return history.clusters.get(cluster) ?? EMPTY_CLUSTER_HISTORY;
}

/** A new history with one cluster's part replaced (an empty part is removed). */
export function withCluster(history: RestartHistory, cluster: string, part: ClusterHistory): RestartHistory {
  const clusters = new Map(history.clusters);
  if (part.targets.size === 0 && part.restarts.length === 0 && part.silences.size === 0) clusters.delete(cluster);
  else clusters.set(cluster, part);
  return { clusters };
}

/** Drops the history of clusters no longer configured (call after a config reload). */
export function retainClusters(history: RestartHistory, clusters: Iterable<string>): RestartHistory {
  const keep = new Set(clusters);
  return { clusters: new Map([...history.clusters].filter(([name]) => keep.has(name))) };
}

/**
 * Ends the history of connectors the poller saw deleted, instance and tasks: one re-created under the same name is a
 * new connector, not an old one whose budget is spent. Silences stay: they are an operator's word, with their own end.
 */
export function forgetConnectors(history: RestartHistory, cluster: string, connectors: readonly string[]): RestartHistory {
  if (connectors.length === 0) return history;
  const part = clusterHistory(history, cluster);
  const gone = new Set(connectors);
  const targets = new Map([...part.targets].filter(([, record]) => !gone.has(record.ref.connector)));
  return targets.size === part.targets.size ? history : withCluster(history, cluster, { ...part, targets });
}
