// The auto-restart policy: from one poll's view of a cluster and what happened before, which failed targets to
// restart now, which to leave alone and why. Pure: no clock, no I/O, no randomness; the same input gives the same
// output. Work is linear in the connectors of the view plus the cluster's history entries.
//
// Gates, in order (the first that applies is the reason reported):
//   stale_data / disabled            the data or the switch forbids acting at all
//   silenced, policy_never,          about the target; an operator's restart request skips these four
//   budget_exhausted, backoff
//   blackout, circuit_open,          about the cluster and connect-sentinel; they hold back even a request
//   history_unavailable, rate_limited
//   dry_run                          everything passed: reported, recorded, not sent

import type {
  CircuitState,
  ClusterRestartView,
  ClusterView,
  ConnectorStatus,
  Failure,
  ObservedConnector,
  RestartTargetView,
  SkipReason,
  TargetRef,
} from '../domain/model.ts';
import { targetKey } from '../domain/model.ts';
import { bulkRestartStartsDuplicates, parseWorkerVersion, supports } from '../connect/kafka-version.ts';
import { backoffDelay } from './backoff.ts';
import type { OpenWindow } from './blackout.ts';
import { ruleFor, type CompiledBlackout, type CompiledRule, type RestartPolicy, type RestartSettings } from './compile.ts';
import {
  clusterHistory,
  newTargetHistory,
  withCluster,
  type DecisionRecord,
  type RestartHistory,
  type RestartReason,
  type TargetHistory,
} from './history.ts';
import { isoSeconds, roundedDuration } from './time-text.ts';

/** A target absent from trusted polls for this long is forgotten (deleted connectors, removed tasks). */
export const GONE_GRACE_MS = 3_600_000;
/** An operator's restart request waits this long for a poll that sees the target FAILED. */
export const REQUEST_TTL_MS = 15 * 60_000;
/** `lastSeenAt` of a quiet target is refreshed this coarsely, so a steady cluster leaves the history unchanged. */
const SEEN_REFRESH_MS = 60_000;

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
  /** The cluster's connector allow/deny lists; the poller applies them already. Default: every connector. */
  watches?: (connector: string) => boolean;
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

interface Target {
  ref: TargetRef;
  key: string;
  kind: 'connector' | 'task';
  state: string;
  failure: Failure | undefined;
  connector: ConnectorStatus;
  /** The connector is PAUSED or STOPPED: its instance and tasks are left alone. */
  intentional: boolean;
}

interface Candidate {
  target: Target;
  record: TargetHistory;
  rule: CompiledRule | undefined;
  settings: RestartSettings;
  reason: RestartReason;
  /** The wording of the restart, e.g. `first failure seen`. */
  why: string;
}

/** Paused or stopped is someone's decision: its FAILED tasks are neither restarted nor counted by the breaker. */
function pausedOrStopped(connector: ConnectorStatus): boolean {
  return connector.state === 'paused' || connector.state === 'stopped';
}

function targetsOf(cluster: string, connector: ConnectorStatus): Target[] {
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

/** Returns `record` itself when nothing in `patch` differs, so unchanged targets keep their identity. */
function patch(record: TargetHistory, changes: Partial<TargetHistory>): TargetHistory {
  for (const [key, value] of Object.entries(changes)) {
    if (!Object.is(record[key as keyof TargetHistory], value)) return { ...record, ...changes };
  }
  return record;
}

function sameTimes(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((value, i) => value === b[i]);
}

function within(times: readonly number[], since: number): readonly number[] {
  const kept = times.filter((time) => time > since);
  return kept.length === times.length ? times : kept;
}

function ruleName(rule: CompiledRule | undefined): string | null {
  return rule === undefined ? null : rule.name;
}

function failureClasses(failure: Failure | undefined): { exception: string; rootCause: string } {
  return { exception: failure?.exception ?? '', rootCause: failure?.rootCause ?? '' };
}

/**
 * Many connectors failing at once points to a shared cause (brokers, network, a database) that restarts cannot fix.
 * The breaker counts connectors with FAILED work, the instance or a task, not instances: then one connector whose
 * tasks all fail never holds back an unrelated one, and 30 FAILED connector instances weigh 30. Tasks of a paused or
 * stopped connector do not count. A cluster of fewer than `minConnectors` never trips it.
 */
function circuitState(connectors: readonly ObservedConnector[], policy: RestartPolicy): CircuitState {
  let failing = 0;
  for (const { status } of connectors) {
    if (status.state === 'failed' || (!pausedOrStopped(status) && status.tasks.some((task) => task.state === 'failed'))) failing += 1;
  }
  const { failedConnectorShare, minConnectors } = policy.circuitBreaker;
  const open = connectors.length >= minConnectors && failing >= failedConnectorShare * connectors.length;
  return { open, failingConnectors: failing, connectors: connectors.length };
}

export function decide(input: DecideInput): DecideResult {
  const { view, policy, now } = input;
  const cluster = view.cluster;
  const polledAt = input.polledAt ?? now;
  const historyWritable = input.historyWritable ?? true;
  const leading = input.leading ?? true;
  const watches = input.watches ?? (() => true);
  const part = clusterHistory(input.history, cluster);

  const targets = new Map(part.targets);
  const silences = new Map([...part.silences].filter(([, silence]) => silence.until > now));
  const rateWindowStart = now - policy.rateLimit.window;
  const rateRestarts = [...within(part.restarts, rateWindowStart)];
  const connectors = view.connectors.filter((observed) => watches(observed.status.name));
  const circuit = circuitState(connectors, policy);
  const windows = new Map<CompiledBlackout, OpenWindow | null>();
  const openWindow = (blackout: CompiledBlackout): OpenWindow | null => {
    if (!windows.has(blackout)) windows.set(blackout, blackout.openAt(now));
    return windows.get(blackout) ?? null;
  };
  const planSupported = view.worker === undefined ? undefined : supports(parseWorkerVersion(view.worker.version), 'restartPlan');
  const bulkSafe = view.worker === undefined || !bulkRestartStartsDuplicates(view.worker.version);

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
  const emit = (target: Target, record: TargetHistory | undefined, decision: DecisionFields) => {
    const previous = record?.lastDecision;
    const full: RestartDecision = {
      ref: target.ref,
      key: target.key,
      ...decision,
      ...failureClasses(target.failure),
      changed: record !== undefined && (previous === null || previous === undefined || previous.action !== decision.action || previous.reason !== decision.reason),
    };
    decisions.push(full);
    if (record !== undefined) targets.set(target.key, withDecision(record, full, now));
    return full;
  };

  for (const observed of connectors) {
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
      if (failed) {
        if (!policy.enabled) {
          emit(target, undefined, skip('disabled', 'skip: auto-restart is disabled', null, false, stored));
          continue;
        }
        if (!fresh) {
          const why = input.trusted ? `last seen ${isoSeconds(observed.observedAt)}` : 'this poll was not trusted';
          // Keep what was last decided for the gauges, so a short outage does not flap alerts.
          const last = stored?.lastDecision;
          emit(target, undefined, skip('stale_data', `skip: stale data (${why})`, last?.nextAttemptAt ?? null, last?.exhausted ?? false, stored));
          continue;
        }
        const list = failedByConnector.get(target.ref.connector) ?? [];
        list.push(target.key);
        failedByConnector.set(target.ref.connector, list);
        const record = observeFailed(stored ?? newTargetHistory(target.ref, now, policy.dryRun), target, policy, now);
        targets.set(target.key, record);
        const gated = gate(target, record);
        if (gated.kind === 'skip') emit(target, record, gated.decision);
        else candidates.push(gated.candidate);
      } else if (fresh && stored !== undefined) {
        const record = observeNotFailed(stored, target, policy, now);
        if (record === undefined) targets.delete(target.key);
        else targets.set(target.key, record);
      }
    }
  }

  function gate(target: Target, record: TargetHistory): { kind: 'skip'; decision: DecisionFields } | { kind: 'candidate'; candidate: Candidate } {
    const subject = {
      cluster,
      connector: target.ref.connector,
      connectorClass: target.connector.connectorClass,
      kind: target.kind,
      exception: target.failure?.exception ?? '',
      rootCause: target.failure?.rootCause ?? '',
      trace: target.failure?.trace ?? '',
    };
    const rule = ruleFor(policy, subject);
    const settings = rule?.settings ?? policy.defaults;
    const name = ruleName(rule);
    const nextAttempt = record.attempt + 1;
    const requested = record.requestedAt !== null;
    let dueAt = now;
    let reason: RestartReason = 'requested';
    let why = 'requested by an operator';

    if (!requested) {
      const silence = silences.get(target.ref.connector);
      if (silence !== undefined) {
        const note = silence.reason === null ? '' : ` (${silence.reason})`;
        return { kind: 'skip', decision: skip('silenced', `skip: silenced until ${isoSeconds(silence.until)}${note}`, null, false, record, name, nextAttempt) };
      }
      if (rule?.action === 'never') {
        const cause = subject.rootCause === '' ? 'exception class unknown' : `root cause ${subject.rootCause}`;
        return { kind: 'skip', decision: skip('policy_never', `skip: rule "${rule.name}" says never (${cause})`, null, true, record, name, nextAttempt) };
      }
      if (record.attempt === 0) {
        dueAt = (record.failingSince ?? now) + settings.firstDelay;
        reason = settings.firstDelay > 0 ? 'first_delay_elapsed' : 'first_failure';
        why = settings.firstDelay > 0 ? `failing for ${roundedDuration(now - (record.failingSince ?? now))}, first delay elapsed` : 'first failure seen';
      } else {
        const delay = backoffDelay(settings.backoff, record.attempt, jitterKey(target.ref));
        dueAt = (record.lastRestartAt ?? record.failingSince ?? now) + delay;
        reason = 'backoff_elapsed';
        const flapping = record.flaps > 0 ? `; flapping, failed ${record.flaps} time${record.flaps === 1 ? '' : 's'} before recovering` : '';
        why = `attempt ${nextAttempt} after a backoff of ${roundedDuration(delay)}${flapping}`;
      }
      // Given up is sticky: a sliding window would let one more restart through every window, for ever.
      const gaveUpAt = record.gaveUpAt ?? (budgetFreesAt(record.restarts, settings.budget, now) === null ? null : now);
      if (gaveUpAt !== null && record.lastOutcome?.result === 'gone') {
        const message = `skip: Connect answered 404 to its restart at ${isoSeconds(record.lastOutcome.at)} (a status left behind?); given up until it recovers or its budget is reset`;
        return { kind: 'skip', decision: skip('gone', message, null, true, record, name, nextAttempt) };
      }
      if (gaveUpAt !== null) {
        const { maxRestarts, window } = settings.budget;
        const message =
          `skip: budget exhausted (${maxRestarts} restarts in ${roundedDuration(window)}) at ${isoSeconds(gaveUpAt)}; ` +
          'given up until it recovers or its budget is reset';
        return { kind: 'skip', decision: skip('budget_exhausted', message, null, true, record, name, nextAttempt) };
      }
      if (now < dueAt) {
        const message =
          record.attempt === 0
            ? `skip: first delay until ${isoSeconds(dueAt)} (failing since ${isoSeconds(record.failingSince ?? now)})`
            : `skip: backoff until ${isoSeconds(dueAt)} (attempt ${nextAttempt}, delay ${roundedDuration(dueAt - (record.lastRestartAt ?? now))})`;
        return { kind: 'skip', decision: skip('backoff', message, dueAt, false, record, name, nextAttempt) };
      }
    }
    for (const blackout of policy.blackouts) {
      if (!blackout.appliesTo(cluster, target.ref.connector)) continue;
      const open = openWindow(blackout);
      if (open !== null) {
        const message = `skip: blackout "${blackout.name}" until ${isoSeconds(open.closesAt)}`;
        return { kind: 'skip', decision: skip('blackout', message, Math.max(dueAt, open.closesAt), false, record, name, nextAttempt) };
      }
    }
    if (circuit.open) {
      const share = Math.round(policy.circuitBreaker.failedConnectorShare * 100);
      // Held back for longer than its budget window, a target counts as given up: a human must look, and it pages.
      const heldTooLong = record.failingSince !== null && now - record.failingSince >= settings.budget.window;
      const message =
        `skip: circuit breaker open (${circuit.failingConnectors} of ${circuit.connectors} connectors have FAILED work, threshold ${share}%)` +
        (heldTooLong ? `; held back since ${isoSeconds(record.failingSince ?? now)}, longer than its budget window` : '');
      return { kind: 'skip', decision: skip('circuit_open', message, null, heldTooLong, record, name, nextAttempt) };
    }
    if (!historyWritable) {
      const message = 'skip: restart history cannot be written; no restart is sent that could not be recorded';
      return { kind: 'skip', decision: skip('history_unavailable', message, null, false, record, name, nextAttempt) };
    }
    if (!leading) {
      const message = 'skip: standby; the replica that leads sends the restart';
      return { kind: 'skip', decision: skip('standby', message, now, false, record, name, nextAttempt) };
    }
    return { kind: 'candidate', candidate: { target, record, rule, settings, reason, why } };
  }

  // Who gets the cluster's remaining restarts: operator requests, then the targets with the fewest attempts (so that
  // when slots are short every target gets its turn, not the same few until they are exhausted), then the
  // longest-failing.
  candidates.sort(
    (a, b) =>
      Number(b.reason === 'requested') - Number(a.reason === 'requested') ||
      a.record.attempt - b.record.attempt ||
      (a.record.failingSince ?? now) - (b.record.failingSince ?? now) ||
      (a.target.key < b.target.key ? -1 : a.target.key > b.target.key ? 1 : 0),
  );
  const slots = Math.max(0, policy.rateLimit.maxRestarts - rateRestarts.length);
  const restarting: RestartDecision[] = [];
  candidates.forEach((candidate, i) => {
    const { target, record, rule } = candidate;
    if (i >= slots) {
      const oldest = rateRestarts[0] ?? now;
      const { maxRestarts, window } = policy.rateLimit;
      const message = `skip: cluster rate limit (${maxRestarts} restarts in ${roundedDuration(window)}); next slot at ${isoSeconds(oldest + window)}`;
      emit(target, record, skip('rate_limited', message, oldest + window, false, record, ruleName(rule), record.attempt + 1));
      return;
    }
    rateRestarts.push(now);
    const updated = recordRestart(record, candidate, policy, now);
    const decision = emit(target, updated, {
      action: policy.dryRun ? 'skip' : 'restart',
      reason: policy.dryRun ? 'dry_run' : candidate.reason,
      message: policy.dryRun ? `skip: dry run, would restart (${candidate.why})` : `restart: ${candidate.why}`,
      rule: ruleName(rule),
      attempt: updated.attempt,
      // The restart that spends the last of the budget is the last one: if it fails again, automation gives up.
      nextAttemptAt:
        budgetFreesAt(updated.restarts, candidate.settings.budget, now) === null
          ? now + backoffDelay(candidate.settings.backoff, Math.max(1, updated.attempt), jitterKey(target.ref))
          : null,
      exhausted: false,
      via: null,
    });
    restarting.push(decision);
  });
  assignVia(restarting, failedByConnector, planSupported, bulkSafe);
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
    silences.size === part.silences.size &&
    restartTimes === part.restarts;
  const history = unchanged ? input.history : withCluster(input.history, cluster, { targets, restarts: restartTimes, silences });
  return { decisions, history, view: restartView(cluster, involved, targets, decisions, circuit) };
}

/**
 * Jitter is drawn per connector, not per task: a connector's tasks restarted together stay due together, so they go
 * out in one bulk call again instead of splitting into single-task calls. Connectors still spread apart.
 */
function jitterKey(ref: TargetRef): string {
  return targetKey({ cluster: ref.cluster, connector: ref.connector });
}

/** A decision before decide() adds what it knows about the target. */
type DecisionFields = Omit<RestartDecision, 'ref' | 'key' | 'changed' | 'exception' | 'rootCause'>;

function skip(
  reason: SkipReason,
  message: string,
  nextAttemptAt: number | null,
  exhausted: boolean,
  record: TargetHistory | undefined,
  rule: string | null = null,
  attempt = (record?.attempt ?? 0) + 1,
): DecisionFields {
  return { action: 'skip', reason, message, rule, attempt, nextAttemptAt, exhausted, via: null };
}

/** When the budget lets the next restart happen, or null when it is not used up. */
function budgetFreesAt(restarts: readonly number[], budget: RestartSettings['budget'], now: number): number | null {
  const inWindow = within(restarts, now - budget.window);
  if (inWindow.length < budget.maxRestarts) return null;
  return (inWindow[inWindow.length - budget.maxRestarts] ?? now) + budget.window;
}

/** Folds a fresh FAILED observation into the target's history. */
function observeFailed(stored: TargetHistory, target: Target, policy: RestartPolicy, now: number): TargetHistory {
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
function observeNotFailed(stored: TargetHistory, target: Target, policy: RestartPolicy, now: number): TargetHistory | undefined {
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

/** Write-ahead: the restart is in the history before its call is sent, so a crash can only over-count it. */
function recordRestart(record: TargetHistory, candidate: Candidate, policy: RestartPolicy, now: number): TargetHistory {
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

/**
 * One KIP-745 call covers a connector when it restarts every failed instance of it and at least one task (it
 * restarts all FAILED instances, so a task still in backoff would be restarted too). Otherwise the connector
 * instance and each task go alone. Before Kafka 3.0 the flags are ignored, so tasks always go alone there.
 */
function assignVia(
  restarting: RestartDecision[],
  failedByConnector: ReadonlyMap<string, readonly string[]>,
  planSupported: boolean | undefined,
  bulkSafe: boolean,
): void {
  const byConnector = new Map<string, RestartDecision[]>();
  for (const decision of restarting) {
    const group = byConnector.get(decision.ref.connector) ?? [];
    group.push(decision);
    byConnector.set(decision.ref.connector, group);
  }
  for (const [connector, group] of byConnector) {
    const failed = failedByConnector.get(connector) ?? [];
    const hasTask = group.some((decision) => decision.ref.task !== undefined);
    const bulk = bulkSafe && planSupported !== false && hasTask && group.length === failed.length;
    for (const decision of group) decision.via = bulk ? 'bulk' : decision.ref.task === undefined ? 'connector' : 'task';
  }
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
