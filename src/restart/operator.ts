// What an operator can do to auto-restart, as pure history transforms (the HTTP API applies them and saves), and the
// JSON view of the history for `GET /api/v1/restarts`. A ref without a task means the connector: its instance and
// every task auto-restart currently tracks.

import type { CircuitState, TargetRef } from '../domain/model.ts';
import { targetKey } from '../domain/model.ts';
import {
  clusterHistory,
  newTargetHistory,
  withCluster,
  type ClusterHistory,
  type RestartHistory,
  type TargetHistory,
} from './history.ts';
import { isoSeconds } from './time-text.ts';

const MAX_SILENCE_REASON_LENGTH = 200;

/** The keys a ref covers: one task, or the connector instance and its tracked tasks. */
function coveredKeys(part: ClusterHistory, ref: TargetRef): string[] {
  const own = targetKey(ref);
  if (ref.task !== undefined) return [own];
  const keys = [own];
  for (const [key, record] of part.targets) {
    if (record.ref.connector === ref.connector && record.ref.task !== undefined) keys.push(key);
  }
  return keys;
}

function updateTargets(
  history: RestartHistory,
  ref: TargetRef,
  change: (record: TargetHistory | undefined, key: string) => TargetHistory | undefined,
): RestartHistory {
  const part = clusterHistory(history, ref.cluster);
  const targets = new Map(part.targets);
  for (const key of coveredKeys(part, ref)) {
    const next = change(targets.get(key), key);
    if (next === undefined) targets.delete(key);
    else targets.set(key, next);
  }
  return withCluster(history, ref.cluster, { ...part, targets });
}

/** Forgets the attempts and the budget spent: the next poll that sees the target FAILED may restart it at once. */
export function resetBudget(history: RestartHistory, ref: TargetRef, now: number): RestartHistory {
  return updateTargets(history, ref, (record) =>
    record === undefined
      ? undefined
      : {
          ...record,
          attempt: 0,
          restarts: [],
          lastRestartAt: null,
          retries: 0,
          flaps: 0,
          gaveUpAt: null,
          // A new failure episode starts now, so a firstDelay is honoured again.
          failingSince: record.failingSince === null ? null : now,
        },
  );
}

/**
 * The next poll that sees the target FAILED restarts it, whatever its backoff, budget, silence or `never` rule say;
 * blackouts, the circuit breaker, the cluster rate limit, dry-run and `enabled: false` still hold it back, and a
 * PAUSED or STOPPED connector is never restarted. The request lapses after REQUEST_TTL_MS (15 minutes) if no poll
 * sees the target FAILED by then. It counts toward the rate limit, not toward the target's attempts or budget.
 */
export function requestRestartNow(history: RestartHistory, ref: TargetRef, now: number): RestartHistory {
  return updateTargets(history, ref, (record, key) =>
    record === undefined
      ? key === targetKey(ref)
        ? { ...newTargetHistory(ref, now, false), requestedAt: now }
        : undefined
      : { ...record, requestedAt: now },
  );
}

/** Auto-restart leaves the connector and its tasks alone until `until` (Unix ms); they are not reported exhausted. */
export function silence(
  history: RestartHistory,
  target: { cluster: string; connector: string },
  until: number,
  now: number,
  reason?: string,
): RestartHistory {
  const part = clusterHistory(history, target.cluster);
  const silences = new Map(part.silences);
  // eslint-disable-next-line no-control-regex
  const cleaned = reason?.replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ').trim().slice(0, MAX_SILENCE_REASON_LENGTH);
  silences.set(target.connector, { since: now, until, reason: cleaned === undefined || cleaned === '' ? null : cleaned });
  return withCluster(history, target.cluster, { ...part, silences });
}

export function unsilence(history: RestartHistory, target: { cluster: string; connector: string }): RestartHistory {
  const part = clusterHistory(history, target.cluster);
  if (!part.silences.has(target.connector)) return history;
  const silences = new Map(part.silences);
  silences.delete(target.connector);
  return withCluster(history, target.cluster, { ...part, silences });
}

export interface RestartRecordJson {
  cluster: string;
  connector: string;
  /** null for the connector instance. */
  task: number | null;
  state: string;
  attempt: number;
  /** Restarts still inside the longest budget window. */
  recentRestarts: number;
  lastRestartAt: string | null;
  failingSince: string | null;
  recoveredAt: string | null;
  flaps: number;
  dryRun: boolean;
  restartRequestedAt: string | null;
  nextAttemptAt: string | null;
  exhausted: boolean;
  /** When automation gave up on it for a spent budget; it stays so until recovery or a reset. */
  gaveUpAt: string | null;
  lastDecision: { at: string; action: string; reason: string; message: string; rule: string | null } | null;
  lastOutcome: { at: string; result: string; message: string } | null;
  /** Exception class names only. */
  lastFailure: { exception: string; rootCause: string } | null;
  silencedUntil: string | null;
}

export interface SilenceJson {
  cluster: string;
  connector: string;
  since: string;
  until: string;
  reason: string | null;
}

export interface CircuitBreakerJson extends CircuitState {
  cluster: string;
}

export interface RestartListing {
  /** Per cluster, as of its last poll: whether the circuit breaker holds restarts back, and how close it is. */
  circuitBreakers: CircuitBreakerJson[];
  targets: RestartRecordJson[];
  silences: SilenceJson[];
}

function iso(ms: number | null): string | null {
  return ms === null ? null : isoSeconds(ms);
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** JSON-safe history for the API: class names, reasons and times; never a trace or a config. */
export function listHistory(
  history: RestartHistory,
  circuits: ReadonlyMap<string, CircuitState>,
  filter: { cluster?: string | undefined; connector?: string | undefined },
  now: number,
): RestartListing {
  const targets: RestartRecordJson[] = [];
  const silences: SilenceJson[] = [];
  for (const [cluster, part] of history.clusters) {
    if (filter.cluster !== undefined && cluster !== filter.cluster) continue;
    const activeSilence = (connector: string) => {
      const found = part.silences.get(connector);
      return found !== undefined && found.until > now ? found : undefined;
    };
    for (const record of part.targets.values()) {
      if (filter.connector !== undefined && record.ref.connector !== filter.connector) continue;
      const decision = record.lastDecision;
      targets.push({
        cluster,
        connector: record.ref.connector,
        task: record.ref.task ?? null,
        state: record.lastState,
        attempt: record.attempt,
        recentRestarts: record.restarts.length,
        lastRestartAt: iso(record.lastRestartAt),
        failingSince: iso(record.failingSince),
        recoveredAt: iso(record.recoveredAt),
        flaps: record.flaps,
        dryRun: record.dryRun,
        restartRequestedAt: iso(record.requestedAt),
        nextAttemptAt: record.failingSince === null ? null : iso(decision?.nextAttemptAt ?? null),
        exhausted: record.failingSince !== null && (decision?.exhausted ?? false),
        gaveUpAt: iso(record.gaveUpAt),
        lastDecision:
          decision === null
            ? null
            : { at: isoSeconds(decision.at), action: decision.action, reason: decision.reason, message: decision.message, rule: decision.rule },
        lastOutcome: record.lastOutcome === null ? null : { ...record.lastOutcome, at: isoSeconds(record.lastOutcome.at) },
        lastFailure: record.lastFailure,
        silencedUntil: iso(activeSilence(record.ref.connector)?.until ?? null),
      });
    }
    for (const [connector, entry] of part.silences) {
      if (entry.until <= now || (filter.connector !== undefined && connector !== filter.connector)) continue;
      silences.push({ cluster, connector, since: isoSeconds(entry.since), until: isoSeconds(entry.until), reason: entry.reason });
    }
  }
  targets.sort(
    (a, b) => compareText(a.cluster, b.cluster) || compareText(a.connector, b.connector) || (a.task ?? -1) - (b.task ?? -1),
  );
  silences.sort((a, b) => compareText(a.cluster, b.cluster) || compareText(a.connector, b.connector));
  const circuitBreakers = [...circuits]
    .filter(([cluster]) => filter.cluster === undefined || cluster === filter.cluster)
    .map(([cluster, circuit]) => ({ cluster, ...circuit }))
    .sort((a, b) => compareText(a.cluster, b.cluster));
  return { circuitBreakers, targets, silences };
}
