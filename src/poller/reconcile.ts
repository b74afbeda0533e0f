// Pure: folds one poll outcome into what connect-sentinel believes about a cluster.
// Kafka Connect routinely answers with lists that are empty or partial (a worker that is starting, a connector whose
// status is not written yet), so a connector vanishing from one response is not proof that it was deleted.

import type { ClusterView, ObservedConnector, StatusPoll } from '../domain/model.ts';

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

export interface ReconcileState {
  view: ClusterView;
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
}

export function initialState(cluster: string): ReconcileState {
  return {
    view: { cluster, up: false, pollDurationSeconds: 0, lastSuccessTimestampSeconds: null, plugins: [], connectors: [] },
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
    return { state: { ...previous, view: { ...base, up: false } }, trusted: false, suspect: false, deleted: [] };
  }

  const { poll } = outcome;
  const known = previous.view.connectors;
  const suspectShape = isSuspectShrink(known.length, poll, options) && outcome.workerHealthy !== true;
  const suspectPolls = suspectShape ? previous.suspectPolls + 1 : 0;
  const heldBack = suspectShape && suspectPolls < options.suspectConfirmPolls;

  const fresh = new Map<string, ObservedConnector>();
  for (const status of poll.connectors) fresh.set(status.name, { status, observedAt: context.now });
  const missingStatus = new Set(poll.missingStatus);

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
      absentPolls,
      suspectPolls,
    },
    trusted: !heldBack,
    suspect: heldBack,
    deleted,
  };
}
