// Allocating the cluster's restart slots among the targets that passed every gate, and grouping the restarts of one
// connector into as few calls as Connect allows.

import type { RestartCalls } from '../domain/model.ts';
import type { CompiledRule, RestartPolicy, RestartSettings } from './compile.ts';
import type { RestartReason, TargetHistory } from './history.ts';
import type { Target } from './observe.ts';

/** A target that passed every gate. */
export interface Candidate {
  target: Target;
  record: TargetHistory;
  rule: CompiledRule | undefined;
  settings: RestartSettings;
  reason: RestartReason;
  /** The wording of the restart, e.g. `first failure seen`. */
  why: string;
}

/**
 * Who gets the cluster's remaining restarts: operator requests, then the targets with the fewest attempts (so that
 * when slots are short every target gets its turn, not the same few until they are exhausted), then the
 * longest-failing, then by key. The first `slots` restart; the others wait for the rate limit.
 */
export function allocateSlots(candidates: readonly Candidate[], slots: number, now: number): { granted: Candidate[]; waiting: Candidate[] } {
  const ordered = [...candidates].sort(
    (a, b) =>
      Number(b.reason === 'requested') - Number(a.reason === 'requested') ||
      a.record.attempt - b.record.attempt ||
      (a.record.failingSince ?? now) - (b.record.failingSince ?? now) ||
      (a.target.key < b.target.key ? -1 : a.target.key > b.target.key ? 1 : 0),
  );
  return { granted: ordered.slice(0, slots), waiting: ordered.slice(slots) };
}

/** Write-ahead: the restart is in the history before its call is sent, so a crash can only over-count it. */
export function recordRestart(record: TargetHistory, candidate: Candidate, policy: RestartPolicy, now: number): TargetHistory {
  const requested = candidate.reason === 'requested';
  return {
    ...record,
    // An operator's restart counts toward the rate limit, not toward the target's escalation or budget.
    attempt: requested ? record.attempt : record.attempt + 1,
    restarts: requested ? record.restarts : [...record.restarts, now],
    lastRestartAt: now,
    requestedAt: null,
    pending: policy.dryRun ? null : { at: now, previousLastRestartAt: record.lastRestartAt, requested },
  };
}

/**
 * How each restart goes out. One KIP-745 call covers a connector when it restarts every failed instance of it and at
 * least one task (it restarts all FAILED instances, so a task still in backoff would be restarted too). Otherwise the
 * connector instance and each task go alone: before Kafka 3.0, whose restart ignores the flags, and on the versions
 * with KAFKA-13719, whose bulk restart starts duplicates.
 */
export function callsFor(
  restarting: ReadonlyArray<{ key: string; connector: string; task: number | undefined }>,
  failedByConnector: ReadonlyMap<string, readonly string[]>,
  calls: RestartCalls,
): Map<string, 'bulk' | 'connector' | 'task'> {
  const byConnector = new Map<string, Array<(typeof restarting)[number]>>();
  for (const restart of restarting) {
    const group = byConnector.get(restart.connector) ?? [];
    group.push(restart);
    byConnector.set(restart.connector, group);
  }
  const via = new Map<string, 'bulk' | 'connector' | 'task'>();
  for (const [connector, group] of byConnector) {
    const failed = failedByConnector.get(connector) ?? [];
    const hasTask = group.some((restart) => restart.task !== undefined);
    const bulk = calls.bulkSafe && calls.plan !== false && hasTask && group.length === failed.length;
    for (const restart of group) via.set(restart.key, bulk ? 'bulk' : restart.task === undefined ? 'connector' : 'task');
  }
  return via;
}
