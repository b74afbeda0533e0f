// The gates a FAILED target passes before a restart, as an ordered table: the first closed gate is the reason
// reported. Each gate is a pure check of one target against its schedule and the cluster's state this poll.

import type { CircuitState, ObservedConnector, SkipReason, TargetRef } from '../domain/model.ts';
import { targetKey } from '../domain/model.ts';
import { backoffDelay } from './backoff.ts';
import type { OpenWindow } from './blackout.ts';
import type { CompiledBlackout, CompiledRule, RestartPolicy, RestartSettings } from './compile.ts';
import type { RestartReason, Silence, TargetHistory } from './history.ts';
import { pausedOrStopped, within, type Target } from './observe.ts';
import { isoSeconds, roundedDuration } from './time-text.ts';

/** What the cluster is like this poll, the same for every target. */
export interface ClusterState {
  cluster: string;
  policy: RestartPolicy;
  now: number;
  silences: ReadonlyMap<string, Silence>;
  circuit: CircuitState;
  /** The window of `blackout` open now, or null. */
  openWindow(blackout: CompiledBlackout): OpenWindow | null;
  historyWritable: boolean;
  leading: boolean;
}

/** When a target's next restart is due, and how that restart reads. */
export interface Schedule {
  dueAt: number;
  reason: RestartReason;
  /** The wording of the restart, e.g. `first failure seen`. */
  why: string;
  /** When automation gave up on the target (its budget is used up), or null. */
  gaveUpAt: number | null;
}

/** One target at the gates. */
export interface GateInput {
  target: Target;
  record: TargetHistory;
  rule: CompiledRule | undefined;
  settings: RestartSettings;
  schedule: Schedule;
  /** An operator asked for this restart. */
  requested: boolean;
  cluster: ClusterState;
}

/** Why a closed gate holds the target back. */
export interface Closed {
  message: string;
  nextAttemptAt: number | null;
  /** Automation has given up: a human is needed. */
  exhausted: boolean;
}

export interface Gate {
  reason: SkipReason;
  /** An operator's restart request passes the gates about the target; those about the cluster hold it back too. */
  about: 'target' | 'cluster';
  check(input: GateInput): Closed | undefined;
}

/**
 * Jitter is drawn per connector, not per task: a connector's tasks restarted together stay due together, so they go
 * out in one bulk call again instead of splitting into single-task calls. Connectors still spread apart.
 */
export function jitterKey(ref: TargetRef): string {
  return targetKey({ cluster: ref.cluster, connector: ref.connector });
}

/** When the budget lets the next restart happen, or null when it is not used up. */
export function budgetFreesAt(restarts: readonly number[], budget: RestartSettings['budget'], now: number): number | null {
  const inWindow = within(restarts, now - budget.window);
  if (inWindow.length < budget.maxRestarts) return null;
  return (inWindow[inWindow.length - budget.maxRestarts] ?? now) + budget.window;
}

export function scheduleOf(record: TargetHistory, settings: RestartSettings, ref: TargetRef, requested: boolean, now: number): Schedule {
  if (requested) return { dueAt: now, reason: 'requested', why: 'requested by an operator', gaveUpAt: null };
  // Given up is sticky: a sliding window would let one more restart through every window, for ever.
  const gaveUpAt = record.gaveUpAt ?? (budgetFreesAt(record.restarts, settings.budget, now) === null ? null : now);
  const failingSince = record.failingSince ?? now;
  if (record.attempt === 0) {
    const delayed = settings.firstDelay > 0;
    return {
      dueAt: failingSince + settings.firstDelay,
      reason: delayed ? 'first_delay_elapsed' : 'first_failure',
      why: delayed ? `failing for ${roundedDuration(now - failingSince)}, first delay elapsed` : 'first failure seen',
      gaveUpAt,
    };
  }
  const delay = backoffDelay(settings.backoff, record.attempt, jitterKey(ref));
  const flapping = record.flaps > 0 ? `; flapping, failed ${record.flaps} time${record.flaps === 1 ? '' : 's'} before recovering` : '';
  return {
    dueAt: (record.lastRestartAt ?? failingSince) + delay,
    reason: 'backoff_elapsed',
    why: `attempt ${record.attempt + 1} after a backoff of ${roundedDuration(delay)}${flapping}`,
    gaveUpAt,
  };
}

/**
 * Many connectors failing at once points to a shared cause (brokers, network, a database) that restarts cannot fix.
 * The breaker counts connectors with FAILED work, the instance or a task, not instances: then one connector whose
 * tasks all fail never holds back an unrelated one, and 30 FAILED connector instances weigh 30. Tasks of a paused or
 * stopped connector do not count. A cluster of fewer than `minConnectors` never trips it.
 */
export function circuitState(connectors: readonly ObservedConnector[], policy: RestartPolicy): CircuitState {
  let failing = 0;
  for (const { status } of connectors) {
    if (status.state === 'failed' || (!pausedOrStopped(status) && status.tasks.some((task) => task.state === 'failed'))) failing += 1;
  }
  const { failedConnectorShare, minConnectors } = policy.circuitBreaker;
  const open = connectors.length >= minConnectors && failing >= failedConnectorShare * connectors.length;
  return { open, failingConnectors: failing, connectors: connectors.length };
}

const closed = (message: string, nextAttemptAt: number | null = null, exhausted = false): Closed => ({ message, nextAttemptAt, exhausted });

/** In order: the first closed gate is the reason reported (docs/auto-restart.md, "The decision, step by step"). */
export const GATES: readonly Gate[] = [
  {
    reason: 'silenced',
    about: 'target',
    check: ({ target, cluster }) => {
      const silence = cluster.silences.get(target.ref.connector);
      if (silence === undefined) return undefined;
      return closed(`skip: silenced until ${isoSeconds(silence.until)}${silence.reason === null ? '' : ` (${silence.reason})`}`);
    },
  },
  {
    reason: 'policy_never',
    about: 'target',
    check: ({ rule, target }) => {
      if (rule?.action !== 'never') return undefined;
      const rootCause = target.failure?.rootCause ?? '';
      return closed(`skip: rule "${rule.name}" says never (${rootCause === '' ? 'exception class unknown' : `root cause ${rootCause}`})`, null, true);
    },
  },
  {
    reason: 'gone',
    about: 'target',
    check: ({ record, schedule }) => {
      if (schedule.gaveUpAt === null || record.lastOutcome?.result !== 'gone') return undefined;
      const at = isoSeconds(record.lastOutcome.at);
      return closed(`skip: Connect answered 404 to its restart at ${at} (a status left behind?); given up until it recovers or its budget is reset`, null, true);
    },
  },
  {
    reason: 'budget_exhausted',
    about: 'target',
    check: ({ settings, schedule }) => {
      if (schedule.gaveUpAt === null) return undefined;
      const { maxRestarts, window } = settings.budget;
      return closed(
        `skip: budget exhausted (${maxRestarts} restarts in ${roundedDuration(window)}) at ${isoSeconds(schedule.gaveUpAt)}; given up until it recovers or its budget is reset`,
        null,
        true,
      );
    },
  },
  {
    reason: 'backoff',
    about: 'target',
    check: ({ record, schedule, cluster: { now } }) => {
      if (now >= schedule.dueAt) return undefined;
      const message =
        record.attempt === 0
          ? `skip: first delay until ${isoSeconds(schedule.dueAt)} (failing since ${isoSeconds(record.failingSince ?? now)})`
          : `skip: backoff until ${isoSeconds(schedule.dueAt)} (attempt ${record.attempt + 1}, delay ${roundedDuration(schedule.dueAt - (record.lastRestartAt ?? now))})`;
      return closed(message, schedule.dueAt);
    },
  },
  {
    reason: 'blackout',
    about: 'cluster',
    check: ({ target, schedule, cluster }) => {
      for (const blackout of cluster.policy.blackouts) {
        if (!blackout.appliesTo(cluster.cluster, target.ref.connector)) continue;
        const open = cluster.openWindow(blackout);
        if (open !== null) return closed(`skip: blackout "${blackout.name}" until ${isoSeconds(open.closesAt)}`, Math.max(schedule.dueAt, open.closesAt));
      }
      return undefined;
    },
  },
  {
    reason: 'circuit_open',
    about: 'cluster',
    check: ({ record, settings, cluster: { circuit, policy, now } }) => {
      if (!circuit.open) return undefined;
      const share = Math.round(policy.circuitBreaker.failedConnectorShare * 100);
      // Held back for longer than its budget window, a target counts as given up: a human must look, and it pages.
      const heldTooLong = record.failingSince !== null && now - record.failingSince >= settings.budget.window;
      const message =
        `skip: circuit breaker open (${circuit.failingConnectors} of ${circuit.connectors} connectors have FAILED work, threshold ${share}%)` +
        (heldTooLong ? `; held back since ${isoSeconds(record.failingSince ?? now)}, longer than its budget window` : '');
      return closed(message, null, heldTooLong);
    },
  },
  {
    reason: 'history_unavailable',
    about: 'cluster',
    check: ({ cluster }) =>
      cluster.historyWritable ? undefined : closed('skip: restart history cannot be written; no restart is sent that could not be recorded'),
  },
  {
    reason: 'standby',
    about: 'cluster',
    check: ({ cluster }) => (cluster.leading ? undefined : closed('skip: standby; the replica that leads sends the restart', cluster.now)),
  },
];

/** The first gate that holds the target back, and why; undefined when every gate is open. */
export function firstClosedGate(input: GateInput): { reason: SkipReason; closed: Closed } | undefined {
  for (const gate of GATES) {
    if (input.requested && gate.about === 'target') continue;
    const result = gate.check(input);
    if (result !== undefined) return { reason: gate.reason, closed: result };
  }
  return undefined;
}
