// The auto-restart policy: from one poll's view of a cluster and what happened before, which failed targets to
// restart now, which to leave alone and why. Pure: no clock, no I/O, no randomness; the same input gives the same
// output. Work is linear in the connectors of the view plus the cluster's history entries.
//
// One poll, in three steps: observe each target into its history (observe.ts); pass each FAILED one through the
// gates (gates.ts: stale_data and disabled come first, here, since they remember nothing); give the cluster's
// restart slots to the targets that passed and group their calls (allocate.ts). dry_run is the last word.

import type { CircuitState, ClusterRestartView, ClusterView, RestartCalls, RestartTargetView, SkipReason, TargetRef } from '../domain/model.ts';
import { allocateSlots, callsFor, recordRestart, type Candidate } from './allocate.ts';
import { backoffDelay } from './backoff.ts';
import type { OpenWindow } from './blackout.ts';
import { ruleFor, type CompiledBlackout, type RestartPolicy } from './compile.ts';
import { budgetFreesAt, circuitState, firstClosedGate, jitterKey, scheduleOf, type ClusterState } from './gates.ts';
import { clusterHistory, newTargetHistory, withCluster, type DecisionRecord, type RestartHistory, type RestartReason, type TargetHistory } from './history.ts';
import { failureClasses, observeFailed, observeNotFailed, targetsOf, within, type Target } from './observe.ts';
import { isoSeconds, roundedDuration } from './time-text.ts';

export { REQUEST_TTL_MS } from './observe.ts';

/** A target absent from trusted polls for this long is forgotten (deleted connectors, removed tasks). */
export const GONE_GRACE_MS = 3_600_000;

export interface DecideInput {
  view: ClusterView;
  history: RestartHistory;
  policy: RestartPolicy;
  now: number;
  /** The poller trusted this poll (see PollCycle.trusted). */
  trusted: boolean;
  /** Unix ms of the poll behind `view`: only entries with this `observedAt` are fresh. Default: `now`. */
  polledAt?: number;
  /** false while the history store cannot write: no restart is sent that could not be recorded. Default: true. */
  historyWritable?: boolean;
  /** false on a replica that does not lead (src/ha): it decides as the leader would, and sends nothing. Default: true. */
  leading?: boolean;
}

export interface RestartDecision {
  ref: TargetRef;
  key: string;
  action: 'restart' | 'skip';
  reason: RestartReason | SkipReason;
  /** One sentence for humans, e.g. `skip: backoff until 2026-11-24T10:32:00Z (attempt 3, delay 4m)`. */
  message: string;
  /** The rule that matched (user or `builtin-…`); null when the defaults applied. */
  rule: string | null;
  /** A restart's place in the escalation (1 = first); for a skip, the number the next restart would get. */
  attempt: number;
  /** Unix ms of the next planned attempt; null when none is planned (never, silenced, circuit open, …). */
  nextAttemptAt: number | null;
  /** FAILED and automation has given up: a human is needed (budget exhausted, or a rule says never). */
  exhausted: boolean;
  /**
   * How a restart is (or in dry-run would be) sent: `bulk` is one `restart?includeTasks=true&onlyFailed=true` for
   * every failed instance of the connector, `connector` the connector instance alone, `task` one task. null for skips.
   */
  via: 'bulk' | 'connector' | 'task' | null;
  /** Class names of the failure ('' when unknown); never the trace. */
  exception: string;
  rootCause: string;
  /**
   * The action or reason differs from this target's previous decision: worth an info-level log line. Never set for
   * `disabled` and `stale_data`, which are not remembered (the poller logs outages itself).
   */
  changed: boolean;
}

export interface DecideResult {
  decisions: RestartDecision[];
  history: RestartHistory;
  view: ClusterRestartView;
}

/** A decision before decide() adds what it knows about the target. */
type DecisionFields = Omit<RestartDecision, 'ref' | 'key' | 'changed' | 'exception' | 'rootCause'>;

function skipped(reason: SkipReason, fields: { message: string; attempt: number; nextAttemptAt?: number | null; exhausted?: boolean; rule?: string | null }): DecisionFields {
  return { action: 'skip', reason, message: fields.message, rule: fields.rule ?? null, attempt: fields.attempt, nextAttemptAt: fields.nextAttemptAt ?? null, exhausted: fields.exhausted ?? false, via: null };
}

/** Calls when the worker's version is unknown: try the bulk call, and read its answer's shape. */
const UNKNOWN_CALLS: RestartCalls = { plan: undefined, bulkSafe: true };

export function decide(input: DecideInput): DecideResult {
  const { view, policy, now } = input;
  const cluster = view.cluster;
  const polledAt = input.polledAt ?? now;
  const part = clusterHistory(input.history, cluster);

  const targets = new Map(part.targets);
  const windows = new Map<CompiledBlackout, OpenWindow | null>();
  const state: ClusterState = {
    cluster,
    policy,
    now,
    silences: new Map([...part.silences].filter(([, silence]) => silence.until > now)),
    circuit: circuitState(view.connectors, policy),
    openWindow: (blackout) => {
      if (!windows.has(blackout)) windows.set(blackout, blackout.openAt(now));
      return windows.get(blackout) ?? null;
    },
    historyWritable: input.historyWritable ?? true,
    leading: input.leading ?? true,
  };

  const decisions: RestartDecision[] = [];
  const candidates: Candidate[] = [];
  const seen = new Set<string>();
  /** Connectors with history: only they and connectors with a FAILED instance need a closer look. */
  const tracked = new Set<string>();
  for (const record of part.targets.values()) tracked.add(record.ref.connector);
  /** Targets with a decision or a history entry, in view order: decisions and the restart view follow it. */
  const involved: Target[] = [];
  const order = new Map<string, number>();
  /** Keys of every fresh FAILED target per connector: a bulk call restarts all of them. */
  const failedByConnector = new Map<string, string[]>();

  /**
   * Reports a decision; `record` (when given) remembers it. Without a record (`disabled`, `stale_data`) nothing is
   * remembered, so the decision is never marked changed: it would be logged at every poll.
   */
  const report = (target: Target, record: TargetHistory | undefined, fields: DecisionFields): RestartDecision => {
    const previous = record?.lastDecision;
    const decision: RestartDecision = {
      ref: target.ref,
      key: target.key,
      ...fields,
      ...failureClasses(target.failure),
      changed: record !== undefined && (previous === null || previous === undefined || previous.action !== fields.action || previous.reason !== fields.reason),
    };
    decisions.push(decision);
    if (record !== undefined) targets.set(target.key, withDecision(record, decision, now));
    return decision;
  };

  /** A FAILED target of this poll: through the gates, to a skip or a candidate for a slot. */
  const atTheGates = (target: Target, record: TargetHistory): void => {
    const rule = ruleFor(policy, {
      cluster,
      connector: target.ref.connector,
      connectorClass: target.connector.connectorClass,
      kind: target.kind,
      exception: target.failure?.exception ?? '',
      rootCause: target.failure?.rootCause ?? '',
      trace: target.failure?.trace ?? '',
    });
    const settings = rule?.settings ?? policy.defaults;
    const requested = record.requestedAt !== null;
    const schedule = scheduleOf(record, settings, target.ref, requested, now);
    const held = firstClosedGate({ target, record, rule, settings, schedule, requested, cluster: state });
    if (held === undefined) {
      candidates.push({ target, record, rule, settings, reason: schedule.reason, why: schedule.why });
      return;
    }
    report(target, record, skipped(held.reason, { ...held.closed, rule: rule?.name ?? null, attempt: record.attempt + 1 }));
  };

  for (const observed of view.connectors) {
    const { status } = observed;
    // The common case, a healthy connector nobody remembers, costs one pass over its task states.
    if (!tracked.has(status.name) && status.state !== 'failed' && !status.tasks.some((task) => task.state === 'failed')) continue;
    const fresh = input.trusted && observed.observedAt === polledAt;
    for (const target of targetsOf(cluster, status)) {
      if (fresh) seen.add(target.key);
      const stored = targets.get(target.key);
      const failed = target.state === 'failed' && !target.intentional;
      if (failed || stored !== undefined) {
        order.set(target.key, involved.length);
        involved.push(target);
      }
      const nextAttempt = (stored?.attempt ?? 0) + 1;
      if (failed && !policy.enabled) {
        report(target, undefined, skipped('disabled', { message: 'skip: auto-restart is disabled', attempt: nextAttempt }));
      } else if (failed && !fresh) {
        const why = input.trusted ? `last seen ${isoSeconds(observed.observedAt)}` : 'this poll was not trusted';
        // Keep what was last decided for the gauges, so a short outage does not flap alerts.
        const last = stored?.lastDecision;
        report(target, undefined, skipped('stale_data', { message: `skip: stale data (${why})`, attempt: nextAttempt, nextAttemptAt: last?.nextAttemptAt ?? null, exhausted: last?.exhausted ?? false }));
      } else if (failed) {
        const keys = failedByConnector.get(target.ref.connector) ?? [];
        keys.push(target.key);
        failedByConnector.set(target.ref.connector, keys);
        const record = observeFailed(stored ?? newTargetHistory(target.ref, now, policy.dryRun), target, policy, now);
        targets.set(target.key, record);
        atTheGates(target, record);
      } else if (fresh && stored !== undefined) {
        const record = observeNotFailed(stored, target, policy, now);
        if (record === undefined) targets.delete(target.key);
        else targets.set(target.key, record);
      }
    }
  }

  const rateRestarts = [...within(part.restarts, now - policy.rateLimit.window)];
  const { granted, waiting } = allocateSlots(candidates, Math.max(0, policy.rateLimit.maxRestarts - rateRestarts.length), now);
  for (const { target, record, rule } of waiting) {
    const nextSlot = (rateRestarts[0] ?? now) + policy.rateLimit.window;
    const { maxRestarts, window } = policy.rateLimit;
    const message = `skip: cluster rate limit (${maxRestarts} restarts in ${roundedDuration(window)}); next slot at ${isoSeconds(nextSlot)}`;
    report(target, record, skipped('rate_limited', { message, nextAttemptAt: nextSlot, rule: rule?.name ?? null, attempt: record.attempt + 1 }));
  }
  const restarting: RestartDecision[] = [];
  for (const candidate of granted) {
    rateRestarts.push(now);
    const updated = recordRestart(candidate.record, candidate, policy, now);
    restarting.push(
      report(candidate.target, updated, {
        action: policy.dryRun ? 'skip' : 'restart',
        reason: policy.dryRun ? 'dry_run' : candidate.reason,
        message: policy.dryRun ? `skip: dry run, would restart (${candidate.why})` : `restart: ${candidate.why}`,
        rule: candidate.rule?.name ?? null,
        attempt: updated.attempt,
        // The restart that spends the last of the budget is the last one: if it fails again, automation gives up.
        nextAttemptAt:
          budgetFreesAt(updated.restarts, candidate.settings.budget, now) === null
            ? now + backoffDelay(candidate.settings.backoff, Math.max(1, updated.attempt), jitterKey(candidate.target.ref))
            : null,
        exhausted: false,
        via: null,
      }),
    );
  }
  const via = callsFor(
    restarting.map((decision) => ({ key: decision.key, connector: decision.ref.connector, task: decision.ref.task })),
    failedByConnector,
    view.restartCalls ?? UNKNOWN_CALLS,
  );
  for (const decision of restarting) decision.via = via.get(decision.key) ?? null;
  decisions.sort((a, b) => (order.get(a.key) ?? 0) - (order.get(b.key) ?? 0));

  // Forget targets gone from the cluster; only a trusted poll can say what is gone.
  if (input.trusted) {
    for (const [key, record] of targets) {
      if (!seen.has(key) && now - record.lastSeenAt >= GONE_GRACE_MS) targets.delete(key);
    }
  }

  const restartTimes = sameTimes(rateRestarts, part.restarts) ? part.restarts : rateRestarts;
  const unchanged =
    targets.size === part.targets.size &&
    [...targets].every(([key, record]) => part.targets.get(key) === record) &&
    state.silences.size === part.silences.size &&
    restartTimes === part.restarts;
  const history = unchanged ? input.history : withCluster(input.history, cluster, { targets, restarts: restartTimes, silences: state.silences });
  return { decisions, history, view: restartView(cluster, involved, targets, decisions, state.circuit) };
}

function sameTimes(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((value, i) => value === b[i]);
}

function withDecision(record: TargetHistory, decision: RestartDecision, now: number): TargetHistory {
  const last = record.lastDecision;
  if (
    last !== null &&
    decision.action !== 'restart' &&
    decision.reason !== 'dry_run' &&
    last.action === decision.action &&
    last.reason === decision.reason &&
    last.message === decision.message &&
    last.nextAttemptAt === decision.nextAttemptAt &&
    last.exhausted === decision.exhausted
  ) {
    return record;
  }
  const entry: DecisionRecord = {
    at: now,
    action: decision.action,
    reason: decision.reason,
    message: decision.message,
    rule: decision.rule,
    nextAttemptAt: decision.nextAttemptAt,
    exhausted: decision.exhausted,
  };
  const gaveUpAt = record.gaveUpAt ?? (decision.reason === 'budget_exhausted' ? now : null);
  return { ...record, lastDecision: entry, gaveUpAt };
}

function restartView(
  cluster: string,
  involved: readonly Target[],
  targets: ReadonlyMap<string, TargetHistory>,
  decisions: readonly RestartDecision[],
  circuit: CircuitState,
): ClusterRestartView {
  const decided = new Map(decisions.map((decision) => [decision.key, decision]));
  const views: RestartTargetView[] = [];
  for (const target of involved) {
    const decision = decided.get(target.key);
    if (decision !== undefined) {
      views.push({
        ref: target.ref,
        exhausted: decision.exhausted,
        nextAttemptAt: decision.nextAttemptAt,
        decision: { action: decision.action, reason: decision.reason, rule: decision.rule },
      });
    } else if (targets.has(target.key)) {
      views.push({ ref: target.ref, exhausted: false, nextAttemptAt: null });
    }
  }
  const lastRestarts: ClusterRestartView['lastRestarts'] = [];
  for (const record of targets.values()) {
    if (record.lastRestartAt !== null && !record.dryRun) lastRestarts.push({ ref: record.ref, at: record.lastRestartAt });
  }
  return { cluster, circuit, targets: views, lastRestarts };
}
