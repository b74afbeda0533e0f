// Builders for restart tests: views, failures, policies, and a poll-by-poll simulation with a scripted clock.

import { firstObserved, type ClusterView, type ConnectorStatus, type Failure, type TaskStatus } from '../../src/domain/model.ts';
import { restartCallsOf } from '../../src/connect/kafka-version.ts';
import { compilePolicy, type RestartPolicy } from '../../src/restart/compile.ts';
import { restartSectionSchema } from '../../src/config/restart-section.ts';
import { emptyHistory, type RestartHistory } from '../../src/restart/history.ts';
import { applyOutcomes, type RestartOutcome } from '../../src/restart/outcomes.ts';
import { decide, type DecideInput, type DecideResult, type RestartDecision } from '../../src/restart/policy.ts';

export const T0 = Date.parse('2026-11-24T10:00:00Z');
export const SECOND = 1000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;
export const CLUSTER = 'prod';

/** A Java trace as Connect reports it: first line, a frame, and `Caused by:` sections. */
export function javaTrace(lines: readonly string[]): string {
  return `${lines.map((line, i) => (i === 0 ? line : `Caused by: ${line}`)).join('\n\tat org.example.Frame.run(Frame.java:1)\n')}\n\tat java.lang.Thread.run(Thread.java:829)\n`;
}

/** A failure from `Class: message` lines, outermost first. */
export function failure(...lines: string[]): Failure {
  const classOf = (line: string) => line.split(': ')[0] ?? '';
  return { exception: classOf(lines[0] ?? ''), rootCause: classOf(lines[lines.length - 1] ?? ''), trace: javaTrace(lines) };
}

export const TRANSIENT = failure(
  'org.apache.kafka.connect.errors.ConnectException: Error while polling for records',
  'java.net.SocketTimeoutException: Read timed out',
);

export type TaskSpec = TaskStatus['state'] | { state: TaskStatus['state']; failure?: Failure };

export function connectorStatus(
  name: string,
  state: ConnectorStatus['state'],
  tasks: readonly TaskSpec[] = [],
  options: { failure?: Failure; connectorClass?: string } = {},
): ConnectorStatus {
  return {
    name,
    type: 'source',
    connectorClass: options.connectorClass ?? 'io.example.SourceConnector',
    state,
    workerId: 'w1:8083',
    ...(state === 'failed' ? { failure: options.failure ?? TRANSIENT } : {}),
    tasks: tasks.map((spec, id) => {
      const { state: taskState, failure: taskFailure } = typeof spec === 'string' ? { state: spec, failure: undefined } : spec;
      return {
        id,
        state: taskState,
        workerId: 'w1:8083',
        ...(taskState === 'failed' ? { failure: taskFailure ?? TRANSIENT } : {}),
      };
    }),
  };
}

export function viewOf(
  connectors: readonly ConnectorStatus[],
  observedAt: number,
  options: { cluster?: string; version?: string; staleAt?: number; stale?: readonly string[] } = {},
): ClusterView {
  return {
    cluster: options.cluster ?? CLUSTER,
    up: true,
    pollDurationSeconds: 0.1,
    lastSuccessTimestampSeconds: Math.floor(observedAt / 1000),
    ...(options.version === undefined
      ? {}
      : { worker: { version: options.version, commit: 'abc', kafkaClusterId: 'k1' }, restartCalls: restartCallsOf(options.version) }),
    plugins: [],
    connectors: connectors.map((status) =>
      firstObserved(status, options.stale?.includes(status.name) ? (options.staleAt ?? observedAt - MINUTE) : observedAt),
    ),
  };
}

/** A compiled policy from a partial `restart:` section; enabled unless the section says otherwise. */
export function policyOf(section: Record<string, unknown> = {}): RestartPolicy {
  return compilePolicy(restartSectionSchema.parse({ enabled: true, ...section }));
}

export function decideAt(
  policy: RestartPolicy,
  connectors: readonly ConnectorStatus[],
  now: number,
  history: RestartHistory = emptyHistory(),
  extra: Partial<DecideInput> = {},
): DecideResult {
  return decide({ view: viewOf(connectors, now), history, policy, now, trusted: true, ...extra });
}

export function only<T>(items: readonly T[]): T {
  if (items.length !== 1) throw new Error(`expected exactly one item, got ${items.length}`);
  return items[0] as T;
}

/** Outcomes as a well-behaved Connect would report them: every restart accepted. */
export function accepted(decisions: readonly RestartDecision[]): RestartOutcome[] {
  return decisions
    .filter((decision) => decision.action === 'restart')
    .map((decision) => ({ ref: decision.ref, key: decision.key, result: 'restarted' as const, message: 'ok' }));
}

export interface SimulatedPoll {
  at: number;
  result: DecideResult;
}

/**
 * Polls every `interval` from `start` to `end` (inclusive); `connectorsAt(t)` scripts what Connect shows. Restarts
 * are accepted unless `outcomes` says otherwise; the history carries over as in the real poll loop.
 */
export function simulate(options: {
  policy: RestartPolicy;
  start: number;
  end: number;
  interval: number;
  connectorsAt: (at: number, restartsSoFar: number) => readonly ConnectorStatus[];
  outcomes?: (decisions: readonly RestartDecision[], at: number) => RestartOutcome[];
  history?: RestartHistory;
}): { polls: SimulatedPoll[]; history: RestartHistory; restarts: RestartDecision[] } {
  let history = options.history ?? emptyHistory();
  const polls: SimulatedPoll[] = [];
  const restarts: RestartDecision[] = [];
  for (let at = options.start; at <= options.end; at += options.interval) {
    const result = decideAt(options.policy, options.connectorsAt(at, restarts.length), at, history);
    const made = result.decisions.filter((decision) => decision.action === 'restart' || decision.reason === 'dry_run');
    restarts.push(...made);
    history = applyOutcomes(result.history, (options.outcomes ?? accepted)(result.decisions, at), at);
    polls.push({ at, result });
  }
  return { polls, history, restarts };
}
