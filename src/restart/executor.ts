// Sends the restarts decide() chose and reports what came of each. Nothing throws out of here: every failure
// becomes an outcome, a metric and one log line. Skips and dry-run decisions are only counted and logged.

import type { Logger } from 'pino';
import { SKIP_REASONS, type ConnectorRestartOutcome, type ConnectorStatus, type RestartApi, type SkipReason, type TargetRef } from '../domain/model.ts';
import { isSentinelError, ConnectHttpError, ConnectUnreachableError, forwardMayHaveArrived } from '../errors.ts';
import { forEachLimited } from '../connect/concurrency.ts';
import type { RestartOutcome } from './outcomes.ts';
import type { RestartDecision } from './policy.ts';
import { isoSeconds } from './time-text.ts';

export interface RestartMetrics {
  /** Connect accepted a restart of this target. */
  restart(ref: TargetRef): void;
  /** A restart call for this target failed (including the ones retried at the next poll). */
  restartFailure(ref: TargetRef): void;
  skipped(cluster: string, connector: string, reason: SkipReason): void;
}

export interface ExecutorDeps {
  api: RestartApi;
  /** The cluster's child logger: it carries `connect_cluster`. */
  logger: Logger;
  metrics: RestartMetrics;
  signal?: AbortSignal;
  /** Connectors restarted at the same time; calls for one connector always go one after the other. Default 4. */
  concurrency?: number;
}

const DEFAULT_CONCURRENCY = 4;

/** What Kafka Connect 2.5 answers (500) to the restart of a task whose status outlived it. */
const GHOST_TASK_ANSWER = '"uriTemplate" parameter is null.';

function isSkipReason(reason: string): reason is SkipReason {
  return (SKIP_REASONS as readonly string[]).includes(reason);
}

/** How one error of a restart call reads as an outcome for the targets it covered. */
function outcomeOfError(error: unknown): Pick<RestartOutcome, 'result' | 'message'> {
  if (error instanceof ConnectHttpError) {
    if (error.status === 404) return { result: 'gone', message: error.message };
    // Kafka 2.5 and older keep the status of a task removed by a lower tasks.max. Restarting that ghost makes Connect
    // forward the call to the task's owner, which does not exist, and fail with this 500 (seen on real 2.5.0).
    if (error.status === 500 && error.context.endpoint === 'task_restart' && error.connectMessage === GHOST_TASK_ANSWER) {
      return { result: 'gone', message: `${error.message} (a task with no owner: the status of a task that no longer exists)` };
    }
    // Connect answers 500 "Request timed out" after 90 s, yet still carries the request out later.
    if (error.status === 500 && error.connectMessage?.startsWith('Request timed out') === true) {
      return { result: 'unconfirmed', message: `${error.message}; Connect still carries it out: counted as a restart` };
    }
    // A follower that got no answer from the leader (Kafka 4.3 gives up after 30 s) says so with this 500, and the
    // leader carries the request out later. Only a connection that could not be made means it never arrived.
    if (error.status === 500 && forwardMayHaveArrived(error.connectMessage)) {
      return { result: 'unconfirmed', message: `${error.message}; the other worker may have it: counted as a restart` };
    }
    return { result: error.retriable ? 'retry' : 'failed', message: error.message };
  }
  if (error instanceof ConnectUnreachableError) {
    // A request that timed out was sent: Connect may have acted on it. One refused or aborted never arrived.
    if (error.timeout) return { result: 'unconfirmed', message: `${error.message}; it may have reached Connect: counted as a restart` };
    return { result: 'retry', message: error.message };
  }
  // A 2xx whose body could not be read: Connect accepted the restart, only the plan is unknown.
  if (isSentinelError(error, 'CS_ERR_CONNECT_DECODE') || isSentinelError(error, 'CS_ERR_CONNECT_TOO_LARGE')) {
    return { result: 'restarted', message: `restart accepted; the restart plan could not be read (${error.message})` };
  }
  return { result: 'failed', message: `restart call failed: ${error instanceof Error ? error.message : String(error)}` };
}

function outcome(decision: RestartDecision, result: RestartOutcome['result'], message: string): RestartOutcome {
  return { ref: decision.ref, key: decision.key, result, message };
}

/** What the 202 plan says about one target: RESTARTING means it will restart. */
function fromPlan(decision: RestartDecision, plan: ConnectorStatus): RestartOutcome {
  const task = decision.ref.task;
  const state = task === undefined ? plan.state : plan.tasks.find((entry) => entry.id === task)?.state;
  if (state === undefined) return outcome(decision, 'gone', `the restart plan has no task ${task}`);
  if (state === 'restarting') return outcome(decision, 'restarted', 'restart accepted (plan: RESTARTING)');
  return outcome(decision, 'not_needed', `nothing to restart: the plan shows it ${state.toUpperCase()}`);
}

async function restartTask(api: RestartApi, decision: RestartDecision, signal: AbortSignal): Promise<RestartOutcome> {
  try {
    await api.restartTask(decision.ref.connector, decision.ref.task ?? 0, signal);
    return outcome(decision, 'restarted', 'task restarted');
  } catch (error) {
    const { result, message } = outcomeOfError(error);
    return outcome(decision, result, message);
  }
}

/** All calls for one connector: the bulk call (with the pre-3.0 fallback), the connector alone, single tasks. */
async function restartConnectorGroup(api: RestartApi, group: readonly RestartDecision[], signal: AbortSignal): Promise<RestartOutcome[]> {
  const connector = group[0]?.ref.connector ?? '';
  const bulk = group.filter((decision) => decision.via === 'bulk');
  const alone = group.filter((decision) => decision.via === 'connector');
  const tasks = group.filter((decision) => decision.via === 'task');
  const outcomes: RestartOutcome[] = [];

  const call = async (covered: readonly RestartDecision[], includeTasks: boolean): Promise<ConnectorRestartOutcome | undefined> => {
    try {
      return await api.restartConnector(connector, { includeTasks, onlyFailed: true }, signal);
    } catch (error) {
      const { result, message } = outcomeOfError(error);
      outcomes.push(...covered.map((decision) => outcome(decision, result, message)));
      return undefined;
    }
  };

  if (bulk.length > 0) {
    const answer = await call(bulk, true);
    if (answer?.kind === 'planned') outcomes.push(...bulk.map((decision) => fromPlan(decision, answer.plan)));
    if (answer?.kind === 'connector-only') {
      // Before Kafka 3.0 the flags are ignored: the connector instance restarted, its tasks did not.
      for (const decision of bulk) {
        if (decision.ref.task === undefined) outcomes.push(outcome(decision, 'restarted', 'connector restarted'));
        else outcomes.push(await restartTask(api, decision, signal));
      }
    }
  }
  for (const decision of alone) {
    const answer = await call([decision], false);
    if (answer?.kind === 'planned') outcomes.push(fromPlan(decision, answer.plan));
    if (answer?.kind === 'connector-only') outcomes.push(outcome(decision, 'restarted', 'connector restarted'));
  }
  for (const decision of tasks) outcomes.push(await restartTask(api, decision, signal));
  return outcomes;
}

/** Outcomes of a call that did not come back with a restart plan or a 204. */
function isFailure(result: RestartOutcome['result']): boolean {
  return result === 'retry' || result === 'failed' || result === 'unconfirmed';
}

function logDecision(logger: Logger, decision: RestartDecision, result?: RestartOutcome): void {
  const fields = {
    connector: decision.ref.connector,
    task: decision.ref.task ?? null,
    action: decision.action,
    reason: decision.reason,
    rule: decision.rule,
    attempt: decision.attempt,
    next_attempt: decision.nextAttemptAt === null ? null : isoSeconds(decision.nextAttemptAt),
    exhausted: decision.exhausted,
    exception: decision.exception,
    root_cause: decision.rootCause,
    ...(result === undefined ? {} : { outcome: result.result }),
  };
  if (result !== undefined) {
    const level = isFailure(result.result) ? 'warn' : 'info';
    logger[level](fields, `${decision.message}: ${result.message}`);
  } else if (decision.reason === 'dry_run' || decision.changed) {
    logger.info(fields, decision.message);
  } else {
    logger.debug(fields, decision.message);
  }
}

export async function executeDecisions(decisions: readonly RestartDecision[], deps: ExecutorDeps): Promise<RestartOutcome[]> {
  const { api, logger, metrics } = deps;
  const byConnector = new Map<string, RestartDecision[]>();
  for (const decision of decisions) {
    if (decision.action === 'skip') {
      if (isSkipReason(decision.reason)) metrics.skipped(decision.ref.cluster, decision.ref.connector, decision.reason);
      logDecision(logger, decision);
      continue;
    }
    const group = byConnector.get(decision.ref.connector) ?? [];
    group.push(decision);
    byConnector.set(decision.ref.connector, group);
  }

  const outcomes: RestartOutcome[] = [];
  const groups = [...byConnector.values()];
  await forEachLimited(
    groups,
    deps.concurrency ?? DEFAULT_CONCURRENCY,
    async (group, signal) => {
      outcomes.push(...(await restartConnectorGroup(api, group, signal)));
    },
    deps.signal,
  );

  const byKey = new Map(outcomes.map((entry) => [entry.key, entry]));
  const ordered: RestartOutcome[] = [];
  for (const decision of decisions) {
    if (decision.action !== 'restart') continue;
    const answered = byKey.get(decision.key);
    const result = answered ?? outcome(decision, 'failed', 'no restart call was made');
    ordered.push(result);
    // Every request sent counts, failed ones too (the failure counter is a subset, for a failure ratio).
    if (answered !== undefined) metrics.restart(decision.ref);
    if (isFailure(result.result)) metrics.restartFailure(decision.ref);
    logDecision(logger, decision, result);
  }
  return ordered;
}
