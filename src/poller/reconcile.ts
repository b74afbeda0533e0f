// Pure: folds one poll outcome into what connect-sentinel believes about a cluster.
// Kafka Connect routinely answers with lists that are empty or partial (a worker that is starting, a connector whose
// status is not written yet), so a connector vanishing from one response is not proof that it was deleted.

import type { ClusterView, ConnectorStatus, ObservedConnector, StatusPoll } from '../domain/model.ts';

export interface TrustOptions {
  /** Consecutive trusted polls a connector must be absent before it is treated as deleted. */
  absentPollsBeforeDelete: number;
  /** A response that loses more than this share of the known connectors at once is suspect ... */
  suspectShrinkShare: number;
  /** ... when at least this many connectors were known. */
  suspectMinKnown: number;
  /** A suspect shrink that nothing confirms (no /health before Kafka 3.9) is believed after this many polls. */
  suspectConfirmPolls: number;
}

export const DEFAULT_TRUST_OPTIONS: TrustOptions = {
  absentPollsBeforeDelete: 3,
  suspectShrinkShare: 0.5,
  suspectMinKnown: 4,
  suspectConfirmPolls: 10,
};

/** A connector's states and the times since which it has been in them, as seen before (the shape of an observed entry). */
export interface PriorStates {
  readonly state: string;
  readonly since: number;
  readonly tasks: readonly { readonly id: number; readonly state: string }[];
  /** In the order of `tasks`. */
  readonly taskSince: readonly number[];
}

export interface ReconcileState {
  view: ClusterView;
  /**
   * States saved by an earlier run of connect-sentinel (state-clocks.ts), for connectors not seen yet in this run: a
   * connector found in the same state keeps its clock. Emptied by the first poll that answers.
   */
  remembered: ReadonlyMap<string, PriorStates>;
  /** Per known connector: consecutive trusted polls it was missing from the response. */
  absentPolls: ReadonlyMap<string, number>;
  /** Consecutive polls whose response looked like a shrink nobody confirmed. */
  suspectPolls: number;
}

export type PollOutcome =
  | {
      ok: true;
      poll: StatusPoll;
      /** `GET /health` said the worker completed startup (true), is starting or stuck (false), or was not asked/unsupported (undefined). */
      workerHealthy?: boolean | undefined;
    }
  | { ok: false };

export interface ReconcileResult {
  state: ReconcileState;
  /** The restarter may act on this poll's fresh entries. */
  trusted: boolean;
  /** The response was held back as a suspect shrink (for a single log line on the transition). */
  suspect: boolean;
  /** Connectors dropped as deleted in this poll. */
  deleted: string[];
  /** Some connector or task changed state, appeared or was deleted: the state clocks are worth saving. */
  statesChanged: boolean;
}

export function initialState(cluster: string, remembered: ReadonlyMap<string, PriorStates> = new Map()): ReconcileState {
  return {
    view: { cluster, up: false, pollDurationSeconds: 0, lastSuccessTimestampSeconds: null, plugins: [], connectors: [] },
    remembered,
    absentPolls: new Map(),
    suspectPolls: 0,
  };
}

/** A response that lost a large share of the known connectors at once: typical of a worker that is still starting. */
export function isSuspectShrink(knownCount: number, poll: StatusPoll, options: TrustOptions): boolean {
  if (knownCount < options.suspectMinKnown) return false;
  const present = poll.connectors.length + poll.missingStatus.length;
  return present < knownCount * (1 - options.suspectShrinkShare);
}

export function reconcile(
  previous: ReconcileState,
  outcome: PollOutcome,
  context: { now: number; durationSeconds: number; options?: TrustOptions },
): ReconcileResult {
  const options = context.options ?? DEFAULT_TRUST_OPTIONS;
  const base = { ...previous.view, pollDurationSeconds: context.durationSeconds };

  if (!outcome.ok) {
    return { state: { ...previous, view: { ...base, up: false } }, trusted: false, suspect: false, deleted: [], statesChanged: false };
  }

  const { poll } = outcome;
  const known = previous.view.connectors;
  const suspectShape = isSuspectShrink(known.length, poll, options) && outcome.workerHealthy !== true;
  const suspectPolls = suspectShape ? previous.suspectPolls + 1 : 0;
  const heldBack = suspectShape && suspectPolls < options.suspectConfirmPolls;

  const knownByName = new Map<string, ObservedConnector>();
  for (const entry of known) knownByName.set(entry.status.name, entry);
  const fresh = new Map<string, ObservedConnector>();
  let statesChanged = false;
  for (const status of poll.connectors) {
    const before = knownByName.get(status.name);
    const entry = observe(status, before === undefined ? previous.remembered.get(status.name) : priorOf(before), context.now);
    if (before === undefined || entry.stateSince !== before.stateSince || entry.taskStateSince !== before.taskStateSince) statesChanged = true;
    fresh.set(status.name, entry);
  }
  const missingStatus = new Set(poll.missingStatus);
  const remembered = new Map<string, PriorStates>();
  for (const name of missingStatus) {
    const saved = previous.remembered.get(name);
    if (saved !== undefined && !knownByName.has(name)) remembered.set(name, saved);
  }

  const connectors: ObservedConnector[] = [...fresh.values()];
  const absentPolls = new Map<string, number>();
  const deleted: string[] = [];
  for (const entry of known) {
    const name = entry.status.name;
    if (fresh.has(name)) continue;
    // Named by the cluster but without a readable status: it exists, we just cannot see it this time.
    if (missingStatus.has(name) || heldBack) {
      connectors.push(entry);
      const count = previous.absentPolls.get(name);
      if (count !== undefined) absentPolls.set(name, count);
      continue;
    }
    const count = (previous.absentPolls.get(name) ?? 0) + 1;
    if (count >= options.absentPollsBeforeDelete) {
      deleted.push(name);
      statesChanged = true;
      continue;
    }
    absentPolls.set(name, count);
    connectors.push(entry);
  }
  connectors.sort((a, b) => (a.status.name < b.status.name ? -1 : a.status.name > b.status.name ? 1 : 0));

  return {
    state: {
      view: {
        ...base,
        up: true,
        lastSuccessTimestampSeconds: context.now / 1000,
        connectors,
      },
      remembered,
      absentPolls,
      suspectPolls,
    },
    trusted: !heldBack,
    suspect: heldBack,
    deleted,
    statesChanged,
  };
}

/** The states an observed entry holds, as the next poll (or the state clocks file) reads them. */
export function priorOf(entry: ObservedConnector): PriorStates {
  return { state: entry.status.state, since: entry.stateSince, tasks: entry.status.tasks, taskSince: entry.taskStateSince };
}

/**
 * The connector as seen at `now`: a connector or task in the state it had before keeps its clock, anything else
 * starts one. The task clocks are the previous array itself when none changed, so a renderer can compare cheaply.
 */
function observe(status: ConnectorStatus, prior: PriorStates | undefined, now: number): ObservedConnector {
  const stateSince = prior !== undefined && prior.state === status.state ? prior.since : now;
  const taskStateSince: number[] = [];
  let same = prior !== undefined && prior.tasks.length === status.tasks.length;
  for (let index = 0; index < status.tasks.length; index += 1) {
    const task = status.tasks[index]!;
    // Tasks are sorted by id, so the task at the same index is nearly always the same task.
    let at = prior?.tasks[index]?.id === task.id ? index : -1;
    if (at === -1 && prior !== undefined) at = prior.tasks.findIndex((each) => each.id === task.id);
    const since = at !== -1 && prior!.tasks[at]!.state === task.state ? prior!.taskSince[at]! : now;
    if (same && (at !== index || since !== prior!.taskSince[index])) same = false;
    taskStateSince.push(since);
  }
  return { status, observedAt: now, stateSince, taskStateSince: same ? prior!.taskSince : taskStateSince };
}
