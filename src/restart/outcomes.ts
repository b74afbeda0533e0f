// Folds what the restart calls returned into the history. decide() recorded each restart before its call was sent
// (write-ahead); here a call that restarted nothing gives the attempt back.

import type { TargetRef } from '../domain/model.ts';
import { clusterHistory, withCluster, type OutcomeResult, type RestartHistory, type TargetHistory } from './history.ts';

/**
 * Calls answered with a rebalance (409), a server error or a timeout are retried at the next poll without costing
 * an attempt, but only so often: every third such answer in a row counts as an attempt, so a cluster stuck in a
 * rebalance still walks the backoff and the budget instead of being asked every poll for ever.
 */
export const RETRIES_PER_ATTEMPT = 3;

export interface RestartOutcome {
  ref: TargetRef;
  key: string;
  /**
   * `restarted`: Connect accepted the restart. `not_needed`: the restart plan left the target alone (it had recovered).
   * `retry`: 409, 5xx or unreachable; tried again at the next poll. `unconfirmed`: the call timed out, or Connect
   * answered 500 "Request timed out" (it carries the request out later); counted as a restart. `gone`: 404, the
   * connector or task no longer exists; counted, and automation gives up on the target. `failed`: any other answer.
   */
  result: OutcomeResult;
  /** For logs and the history API; holds Connect's (truncated) message at most, never a body or a credential. */
  message: string;
}

function giveBack(record: TargetHistory): TargetHistory {
  const pending = record.pending;
  if (pending === null) return record;
  let restarts = record.restarts;
  if (!pending.requested) {
    const index = restarts.lastIndexOf(pending.at);
    if (index !== -1) restarts = [...restarts.slice(0, index), ...restarts.slice(index + 1)];
  }
  return {
    ...record,
    attempt: pending.requested ? record.attempt : Math.max(0, record.attempt - 1),
    restarts,
    lastRestartAt: pending.previousLastRestartAt,
    // An operator's request stays in force until a restart actually happens.
    requestedAt: pending.requested ? pending.at : record.requestedAt,
    pending: null,
  };
}

function apply(record: TargetHistory, outcome: RestartOutcome, now: number): TargetHistory {
  const lastOutcome = { at: now, result: outcome.result, message: outcome.message };
  switch (outcome.result) {
    case 'gone':
      // A 404: the connector or task no longer exists. A ghost task (a status left behind after tasks.max was
      // lowered, Kafka 2.5.0 and older) answers 404 to every restart: give up on it, as on a spent budget, instead of
      // asking again and using the cluster's rate limit. A connector deleted since the poll ends its history anyway.
      return { ...record, pending: null, retries: 0, lastOutcome, gaveUpAt: record.gaveUpAt ?? now };
    case 'restarted':
    case 'failed':
    // A call whose answer never came, or that Connect timed out but still carries out: a restart that may well have
    // happened. Given back, it made every later failure a first one again (no backoff, no budget, never exhausted).
    case 'unconfirmed':
      // A call Connect refused for good (401, 403, 400) counts, so a misconfigured sentinel cannot hammer Connect.
      return { ...record, pending: null, retries: 0, lastOutcome };
    case 'not_needed':
      return { ...giveBack(record), retries: 0, lastOutcome };
    case 'retry': {
      const retries = record.retries + 1;
      if (retries >= RETRIES_PER_ATTEMPT) return { ...record, pending: null, retries: 0, lastOutcome };
      return { ...giveBack(record), retries, lastOutcome };
    }
  }
}

export function applyOutcomes(history: RestartHistory, outcomes: readonly RestartOutcome[], now: number): RestartHistory {
  const byCluster = new Map<string, RestartOutcome[]>();
  for (const outcome of outcomes) {
    const list = byCluster.get(outcome.ref.cluster) ?? [];
    list.push(outcome);
    byCluster.set(outcome.ref.cluster, list);
  }
  let next = history;
  for (const [cluster, list] of byCluster) {
    const part = clusterHistory(next, cluster);
    const targets = new Map(part.targets);
    for (const outcome of list) {
      const record = targets.get(outcome.key);
      if (record === undefined) continue;
      targets.set(outcome.key, apply(record, outcome, now));
    }
    next = withCluster(next, cluster, { ...part, targets });
  }
  return next;
}
