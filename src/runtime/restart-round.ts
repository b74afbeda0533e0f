// One cluster's restart round after a poll: decide with the write-ahead record, send, fold the outcomes in. Only the
// steps that read and write the shared history run in the serial queue; the restart calls run outside it, so a
// cluster whose restart calls are slow never holds back another cluster's round.

import type { Logger } from 'pino';
import type { RestartApi } from '../domain/model.ts';
import type { SelfMetrics } from '../metrics/self.ts';
import type { PollCycle } from '../poller/poller.ts';
import type { RestartPolicy } from '../restart/compile.ts';
import { executeDecisions } from '../restart/executor.ts';
import { forgetConnectors } from '../restart/history.ts';
import { applyOutcomes } from '../restart/outcomes.ts';
import { decide, type DecideResult } from '../restart/policy.ts';
import type { HistoryWriter } from './history-writer.ts';

export interface RestartRoundDeps {
  history: HistoryWriter;
  selfMetrics: SelfMetrics;
  policy: () => RestartPolicy;
  now: () => number;
  /** Aborted by close(): a restart call left hanging must not hold up shutdown. */
  closing: AbortSignal;
}

export async function restartRound(deps: RestartRoundDeps, cycle: PollCycle, api: RestartApi, logger: Logger): Promise<DecideResult> {
  const { history, selfMetrics, now, closing } = deps;
  const { store } = history;
  const policy = deps.policy();
  const { result, sends, written, leading } = await history.serially(async () => {
    history.show();
    // A follower decides as the leader would, to show the same state, but records and sends nothing.
    const leading = store.leading;
    // A store that failed is retried at every poll, even when nothing changed: otherwise an unchanged history
    // would never be written again and auto-restart would stay off after the disk recovered.
    if (leading && !store.writable) await history.persist(history.recorded());
    const before = history.recorded();
    const decided = decide({
      view: cycle.view,
      history: forgetConnectors(before, cycle.view.cluster, cycle.deleted),
      policy,
      now: now(),
      polledAt: cycle.polledAt,
      trusted: cycle.trusted,
      historyWritable: store.writable,
      leading,
    });
    // While auto-restart is disabled no restart can happen: per-target counters would be thousands of zeros.
    if (policy.enabled) for (const decision of decided.decisions) selfMetrics.watchTarget(decision.ref);
    // Write-ahead: a restart is recorded before it is sent, so a crash never forgets a restart that happened.
    const ok = !leading || decided.history === before ? true : await history.persist(decided.history);
    return { result: decided, sends: decided.decisions.some((d) => d.action === 'restart'), written: ok, leading };
  });
  if (sends && !written) {
    if (store.leading) logger.error('Restart history cannot be written; not restarting anything until it can');
    else logger.warn('This replica no longer leads (another replica took over): not sending the restarts it decided');
  } else if (leading) {
    // Only the leader logs and counts its decisions: a follower's would repeat them once per replica.
    const answered = await executeDecisions(result.decisions, { api, logger, metrics: selfMetrics, signal: closing });
    // A call cut short by close() may have reached Connect: it stays pending and counts as a restart at the next
    // start, so stopping never makes a restart happen twice.
    const outcomes = closing.aborted ? answered.filter((o) => o.result !== 'retry') : answered;
    // Folded into the history as it is now: other clusters' rounds may have changed it meanwhile.
    if (outcomes.length > 0) await history.serially(() => history.persist(applyOutcomes(history.recorded(), outcomes, now())));
  }
  return result;
}
