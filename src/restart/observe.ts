// Observing the history: the targets of a connector, and how one fresh observation of a target folds into what is
// remembered about it. Pure, like the rest of the policy.

import type { ConnectorStatus, Failure, TargetRef } from '../domain/model.ts';
import { targetKey } from '../domain/model.ts';
import type { RestartPolicy } from './compile.ts';
import type { TargetHistory } from './history.ts';

/** An operator's restart request waits this long for a poll that sees the target FAILED. */
export const REQUEST_TTL_MS = 15 * 60_000;
/** `lastSeenAt` of a quiet target is refreshed this coarsely, so a steady cluster leaves the history unchanged. */
const SEEN_REFRESH_MS = 60_000;

/** A connector instance or one of its tasks, as this poll shows it. */
export interface Target {
  ref: TargetRef;
  key: string;
  kind: 'connector' | 'task';
  state: string;
  failure: Failure | undefined;
  connector: ConnectorStatus;
  /** The connector is PAUSED or STOPPED: its instance and tasks are left alone. */
  intentional: boolean;
}

/** Paused or stopped is someone's decision: its FAILED tasks are neither restarted nor counted by the breaker. */
export function pausedOrStopped(connector: ConnectorStatus): boolean {
  return connector.state === 'paused' || connector.state === 'stopped';
}

export function targetsOf(cluster: string, connector: ConnectorStatus): Target[] {
  const intentional = pausedOrStopped(connector);
  const base = { connector, intentional };
  const ref: TargetRef = { cluster, connector: connector.name };
  return [
    { ...base, ref, key: targetKey(ref), kind: 'connector', state: connector.state, failure: connector.failure },
    ...connector.tasks.map((task): Target => {
      const taskRef: TargetRef = { cluster, connector: connector.name, task: task.id };
      return { ...base, ref: taskRef, key: targetKey(taskRef), kind: 'task', state: task.state, failure: task.failure };
    }),
  ];
}

/** The times after `since`; the same array when none is dropped, so unchanged histories keep their identity. */
export function within(times: readonly number[], since: number): readonly number[] {
  const kept = times.filter((time) => time > since);
  return kept.length === times.length ? times : kept;
}

export function failureClasses(failure: Failure | undefined): { exception: string; rootCause: string } {
  return { exception: failure?.exception ?? '', rootCause: failure?.rootCause ?? '' };
}

/** Returns `record` itself when nothing in `changes` differs, so unchanged targets keep their identity. */
function patch(record: TargetHistory, changes: Partial<TargetHistory>): TargetHistory {
  for (const [key, value] of Object.entries(changes)) {
    if (!Object.is(record[key as keyof TargetHistory], value)) return { ...record, ...changes };
  }
  return record;
}

/** Folds a fresh FAILED observation into the target's history. */
export function observeFailed(stored: TargetHistory, target: Target, policy: RestartPolicy, now: number): TargetHistory {
  let record = settle(stored, now);
  if (record.dryRun !== policy.dryRun) {
    // A schedule made in the other mode says nothing about this one: start afresh.
    record = { ...record, attempt: 0, restarts: [], lastRestartAt: null, retries: 0, flaps: 0, dryRun: policy.dryRun, gaveUpAt: null };
  }
  const newFailure = record.failingSince === null;
  // Failing again after a restart, before recovery was confirmed: flapping.
  const flapped = newFailure && record.attempt > 0 && record.recoveredAt === null && record.lastRestartAt !== null;
  return patch(record, {
    failingSince: newFailure ? now : record.failingSince,
    healthyPolls: 0,
    recoveredAt: null,
    flaps: record.flaps + (flapped ? 1 : 0),
    lastState: 'failed',
    lastSeenAt: refreshSeen(record, now),
    lastFailure: sameFailure(record.lastFailure, target.failure) ? record.lastFailure : failureClasses(target.failure),
    restarts: within(record.restarts, now - policy.longestBudgetWindow),
    requestedAt: expireRequest(record.requestedAt, now),
  });
}

/** Folds a fresh non-FAILED observation in; undefined when nothing is left worth remembering. */
export function observeNotFailed(stored: TargetHistory, target: Target, policy: RestartPolicy, now: number): TargetHistory | undefined {
  const record = settle(stored, now);
  const running = target.state === 'running' && !target.intentional;
  const healthyPolls = running ? Math.min(record.healthyPolls + 1, policy.recovery.healthyPolls) : 0;
  const recoveredAt = record.recoveredAt ?? (running && healthyPolls >= policy.recovery.healthyPolls ? now : null);
  const reset = recoveredAt !== null && now - recoveredAt >= policy.recovery.resetAfter;
  const next = patch(record, {
    failingSince: null,
    healthyPolls,
    recoveredAt: running ? recoveredAt : null,
    attempt: reset ? 0 : record.attempt,
    retries: reset ? 0 : record.retries,
    flaps: reset ? 0 : record.flaps,
    lastState: target.state,
    lastSeenAt: refreshSeen(record, now),
    restarts: within(record.restarts, now - policy.longestBudgetWindow),
    // Never for paused or stopped connectors: a pending request is dropped with them.
    requestedAt: target.intentional ? null : expireRequest(record.requestedAt, now),
    // A confirmed recovery ends giving up: the next failure is restarted again.
    gaveUpAt: recoveredAt !== null && running ? null : record.gaveUpAt,
  });
  const nothingToRemember = next.attempt === 0 && next.restarts.length === 0 && next.requestedAt === null && next.pending === null;
  return nothingToRemember ? undefined : next;
}

/** A restart whose outcome never arrived (the process stopped mid-call) counts as done. */
function settle(record: TargetHistory, now: number): TargetHistory {
  if (record.pending === null) return record;
  const message = 'outcome not recorded (connect-sentinel stopped during the call?); counted as a restart';
  return { ...record, pending: null, retries: 0, lastOutcome: { at: Math.min(record.pending.at, now), result: 'restarted', message } };
}

function refreshSeen(record: TargetHistory, now: number): number {
  return now - record.lastSeenAt >= SEEN_REFRESH_MS || now < record.lastSeenAt ? now : record.lastSeenAt;
}

function expireRequest(requestedAt: number | null, now: number): number | null {
  return requestedAt !== null && now - requestedAt > REQUEST_TTL_MS ? null : requestedAt;
}

function sameFailure(known: TargetHistory['lastFailure'], failure: Failure | undefined): boolean {
  return known !== null && known.exception === (failure?.exception ?? '') && known.rootCause === (failure?.rootCause ?? '');
}
