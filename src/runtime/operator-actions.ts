// The operator actions of the API (restart now, reset a budget, silence): checked against what the cluster has now
// and against the policy in effect, recorded through the history, and refused on a replica that does not lead.

import type { Logger } from 'pino';
import type { CircuitState, ClusterView, TargetRef } from '../domain/model.ts';
import { SentinelError } from '../errors.ts';
import type { RestartControl } from '../http/server.ts';
import type { RestartPolicy } from '../restart/compile.ts';
import type { RestartHistory } from '../restart/history.ts';
import { listHistory, requestRestartNow, resetBudget, silence, unsilence } from '../restart/operator.ts';
import type { HistoryWriter } from './history-writer.ts';

export interface OperatorDeps {
  history: HistoryWriter;
  /** The watched clusters' views, by name. */
  views: () => ReadonlyMap<string, ClusterView>;
  circuits: () => ReadonlyMap<string, CircuitState>;
  /** The policy the restart rounds decide with: an action and a decision never disagree on it. */
  policy: () => RestartPolicy;
  now: () => number;
  logger: Logger;
}

export function operatorActions(deps: OperatorDeps): RestartControl {
  const { history, now, logger } = deps;

  /** Operator actions act on connectors the cluster currently has; anything else is a 404. */
  const requireTarget = (ref: { cluster: string; connector: string; task?: number }): void => {
    const view = deps.views().get(ref.cluster);
    if (!view) throw new SentinelError('CS_ERR_API_NOT_FOUND', `unknown cluster "${ref.cluster}"`);
    const connector = view.connectors.find((c) => c.status.name === ref.connector);
    if (!connector) throw new SentinelError('CS_ERR_API_NOT_FOUND', `cluster "${ref.cluster}" has no connector "${ref.connector}"`);
    if (ref.task !== undefined && !connector.status.tasks.some((t) => t.id === ref.task)) {
      throw new SentinelError('CS_ERR_API_NOT_FOUND', `connector "${ref.connector}" has no task ${ref.task}`);
    }
  };

  const record = (describe: string, change: (h: RestartHistory) => RestartHistory) =>
    history.serially(async () => {
      if (!history.store.leading) {
        throw new SentinelError('CS_ERR_NOT_LEADER', `${describe} was not recorded: this replica does not lead; send it to the replica whose kafka_connect_exporter_leader is 1`);
      }
      if (!(await history.persist(change(history.recorded())))) {
        throw new SentinelError('CS_ERR_STORE_IO', `${describe} was not recorded: restart history cannot be written`);
      }
      logger.info({ action: describe }, 'Operator action recorded');
    });

  return {
    list: (filter) => listHistory(history.recorded(), deps.circuits(), filter, now()),
    restartNow: async (ref: TargetRef) => {
      requireTarget(ref);
      if (!deps.policy().enabled) {
        throw new SentinelError('CS_ERR_API_FORBIDDEN', 'auto-restart is disabled (restart.enabled: false): nothing would be sent');
      }
      await record('restart now', (h) => requestRestartNow(h, ref, now()));
    },
    resetBudget: async (ref: TargetRef) => {
      requireTarget(ref);
      await record('reset budget', (h) => resetBudget(h, ref, now()));
    },
    silence: async (target, until, reason) => {
      requireTarget(target);
      await record('silence', (h) => silence(h, target, until, now(), reason));
    },
    unsilence: async (target) => {
      if (!deps.views().has(target.cluster)) throw new SentinelError('CS_ERR_API_NOT_FOUND', `unknown cluster "${target.cluster}"`);
      await record('unsilence', (h) => unsilence(h, target));
    },
  };
}
