// The domain model every module shares: what connect-sentinel knows about a Kafka Connect cluster.
// Pure data, no I/O. The wire format lives in src/connect; this is what the wire decodes into.

/** Connector states as Kafka Connect reports them (lower case, as metric label values). */
export const CONNECTOR_STATES = ['unassigned', 'running', 'paused', 'failed', 'restarting', 'stopped'] as const;
export type ConnectorState = (typeof CONNECTOR_STATES)[number];

/** Task states; STOPPED exists only for connectors (KIP-875). */
export const TASK_STATES = ['unassigned', 'running', 'paused', 'failed', 'restarting'] as const;
export type TaskState = (typeof TASK_STATES)[number];

/** A state string from the wire that is none of the known ones: all state-set series are 0 for it. */
export const UNKNOWN_STATE = 'unknown';

export type ConnectorType = 'source' | 'sink' | 'unknown';

/** Why a connector or task failed, parsed from the Java stack trace Connect reports. */
export interface Failure {
  /** Class of the trace's first line, e.g. `org.apache.kafka.connect.errors.ConnectException`; '' when unparseable. */
  exception: string;
  /** Class of the deepest `Caused by:`; equals `exception` when there is no cause. */
  rootCause: string;
  /** The full trace. Kept for the restart policy and the status API; never a metric label, never logged at info. */
  trace: string;
}

export interface TaskStatus {
  id: number;
  state: TaskState | typeof UNKNOWN_STATE;
  workerId: string;
  failure?: Failure;
}

export interface ConnectorStatus {
  name: string;
  type: ConnectorType;
  /** `connector.class` from the connector config ('' when unknown). The rest of the config is never kept: it holds credentials. */
  connectorClass: string;
  state: ConnectorState | typeof UNKNOWN_STATE;
  workerId: string;
  failure?: Failure;
  /** Sorted by id; ids can have gaps. */
  tasks: TaskStatus[];
}

/** `GET /` of a worker. */
export interface WorkerInfo {
  version: string;
  commit: string;
  kafkaClusterId: string;
}

/** How restart calls may go to a cluster, decoded once from its worker's version (src/connect/kafka-version.ts). */
export interface RestartCalls {
  /** `?includeTasks&onlyFailed` answers with a plan (KIP-745, Kafka 3.0); undefined when the version is unknown. */
  plan: boolean | undefined;
  /** A bulk restart starts each task once (false on 3.0.0 to 3.0.2 and 3.1.0: KAFKA-13719). */
  bulkSafe: boolean;
}

/** One entry of `GET /connector-plugins`. */
export interface PluginInfo {
  class: string;
  type: string;
  version: string;
}

/** The outcome of one status poll of one cluster, as the client decoded it. */
export interface StatusPoll {
  connectors: ConnectorStatus[];
  /** `expanded`: one `?expand=status&expand=info` request. `per-connector`: pre-2.3 fallback, one `/status` per connector. */
  mode: 'expanded' | 'per-connector';
  /** Connectors named by the cluster whose status could not be read in this poll (404 "No status found", errors). */
  missingStatus: string[];
  /** The worker URL that answered. */
  workerUrl: string;
}

/** What the restart executor needs from Connect; implemented by the Connect client. */
export type ConnectorRestartOutcome =
  /** 202 (Kafka 3.0+): the restart plan, with RESTARTING on the instances that will restart. */
  | { kind: 'planned'; plan: ConnectorStatus }
  /** 204: the connector alone was restarted (the flags are ignored before 3.0, so tasks were not). */
  | { kind: 'connector-only' };

export interface RestartApi {
  restartConnector(
    connector: string,
    options: { includeTasks: boolean; onlyFailed: boolean },
    signal?: AbortSignal,
  ): Promise<ConnectorRestartOutcome>;
  restartTask(connector: string, task: number, signal?: AbortSignal): Promise<void>;
}

/** Identifies what a restart decision is about: a connector, or one of its tasks. */
export interface TargetRef {
  cluster: string;
  connector: string;
  /** Absent for the connector instance itself. */
  task?: number;
}

/** Stable string key of a target, used in restart history and the API. */
export function targetKey(ref: TargetRef): string {
  return ref.task === undefined
    ? `${ref.cluster}/${ref.connector}`
    : `${ref.cluster}/${ref.connector}/${ref.task}`;
}

/**
 * What connect-sentinel currently believes about one cluster, handed by the poller to the metrics renderer,
 * the restarter and the status API once per poll.
 */
export interface ClusterView {
  cluster: string;
  /** The last poll succeeded and its data was trusted. */
  up: boolean;
  pollDurationSeconds: number;
  /** Unix seconds of the last successful poll; null before the first one. */
  lastSuccessTimestampSeconds: number | null;
  worker?: WorkerInfo;
  /** From `worker`'s version; absent while it is unknown, when restarts rely on the answers' shapes. */
  restartCalls?: RestartCalls;
  plugins: PluginInfo[];
  /**
   * The connectors as last seen. When a poll fails or looks untrustworthy (a starting worker's empty list),
   * this keeps the previous view: `observedAt` then says how old each entry is.
   */
  connectors: ObservedConnector[];
}

export interface ObservedConnector {
  status: ConnectorStatus;
  /** Unix ms of the poll whose response contained this connector. The restarter acts only on fresh entries. */
  observedAt: number;
  /**
   * Unix ms of the first poll that saw the connector in its current state. Connect reports no such time, so this is
   * what connect-sentinel saw; it is kept across restarts of connect-sentinel (src/poller/state-clocks.ts).
   */
  stateSince: number;
  /** The same for each task, in the order of `status.tasks`. */
  taskStateSince: readonly number[];
}

/** An entry first seen at `at`: every state clock starts then (views built outside the poller, such as the demo's). */
export function firstObserved(status: ConnectorStatus, at: number): ObservedConnector {
  return { status, observedAt: at, stateSince: at, taskStateSince: status.tasks.map(() => at) };
}

/** Why auto-restart did not restart a failed target. A bounded set: it is a metric label. */
export const SKIP_REASONS = [
  'backoff',
  'budget_exhausted',
  'policy_never',
  'gone',
  'blackout',
  'circuit_open',
  'rate_limited',
  'dry_run',
  'silenced',
  'disabled',
  'stale_data',
  'history_unavailable',
  'standby',
] as const;
export type SkipReason = (typeof SKIP_REASONS)[number];

/** Auto-restart state per target, rendered as gauges once per poll. */
export interface RestartTargetView {
  ref: TargetRef;
  /** FAILED and automation has given up (budget exhausted or the policy says never). */
  exhausted: boolean;
  /** Unix ms of the next planned attempt; null when none is planned. */
  nextAttemptAt: number | null;
  /** What auto-restart decided at this poll, and why; absent for a target it did not decide on. */
  decision?: { action: 'restart' | 'skip'; reason: string; rule: string | null };
}

/** The circuit breaker of a cluster: connectors with FAILED work (the instance or a task) among those watched. */
export interface CircuitState {
  open: boolean;
  failingConnectors: number;
  connectors: number;
}

export interface ClusterRestartView {
  cluster: string;
  circuit: CircuitState;
  targets: RestartTargetView[];
  /** Every target of the history that auto-restart sent a restart for (not in dry-run), and when it last did. */
  lastRestarts: Array<{ ref: TargetRef; at: number }>;
}
