// Every metric connect-sentinel exports, in one place: the renderer, the prom-client registrations and the docs test
// all read it, so a name, type or label list can only change here. Names and labels are a contract (dashboards,
// alerts and users depend on them).

export type MetricType = 'gauge' | 'counter';

/** `stable`: changes only in a major release. `experimental`: may change in a minor release. */
export type Stability = 'stable' | 'experimental';

export interface MetricDefinition {
  readonly name: string;
  readonly type: MetricType;
  readonly help: string;
  /** Every label a series may carry, identifying labels first. */
  readonly labels: readonly string[];
  /** Labels some series leave out (an empty label equals an absent one in Prometheus, so absent it is). */
  readonly optionalLabels: readonly string[];
  /** `poll`: rendered from the cluster view once per poll. `self`: the exporter's own prom-client metrics. */
  readonly source: 'poll' | 'self';
  readonly stability: Stability;
}

/** Added to the help of every metric rendered from a poll, as the exporter guidelines ask of cached data. */
const CACHED = 'From the last poll of the cluster (cached between polls).';

function pollMetric(
  name: string,
  labels: readonly string[],
  help: string,
  extra: { optionalLabels?: readonly string[]; stability?: Stability } = {},
): MetricDefinition {
  return {
    name,
    type: 'gauge',
    help: `${help} ${CACHED}`,
    labels,
    optionalLabels: extra.optionalLabels ?? [],
    source: 'poll',
    stability: extra.stability ?? 'stable',
  };
}

function selfMetric(
  name: string,
  type: MetricType,
  labels: readonly string[],
  help: string,
  extra: { optionalLabels?: readonly string[]; stability?: Stability } = {},
): MetricDefinition {
  return {
    name,
    type,
    help,
    labels,
    optionalLabels: extra.optionalLabels ?? [],
    source: 'self',
    stability: extra.stability ?? 'stable',
  };
}

const CLUSTER = ['connect_cluster'] as const;
const CONNECTOR = ['connect_cluster', 'connector'] as const;
const TASK = ['connect_cluster', 'connector', 'task'] as const;
/** Auto-restart targets: a connector instance (no `task` label) or one of its tasks. */
const TARGET = { optionalLabels: ['task'] } as const;

export const METRICS = {
  // Per cluster, from each poll.
  up: pollMetric('kafka_connect_up', CLUSTER, '1 if the last poll of the Kafka Connect cluster succeeded, else 0.'),
  pollDuration: pollMetric('kafka_connect_poll_duration_seconds', CLUSTER, 'Duration of the last poll of the Kafka Connect cluster in seconds.'),
  lastPollSuccess: pollMetric(
    'kafka_connect_last_poll_success_timestamp_seconds',
    CLUSTER,
    'Unix time of the last successful poll of the Kafka Connect cluster; absent before the first one.',
  ),
  clusterInfo: pollMetric(
    'kafka_connect_cluster_info',
    [...CLUSTER, 'version', 'commit', 'kafka_cluster_id'],
    'Kafka Connect version, commit and Kafka cluster id of the worker that answered; always 1.',
  ),
  pluginInfo: pollMetric(
    'kafka_connect_plugin_info',
    [...CLUSTER, 'class', 'type', 'version'],
    'Connector plugin installed on the cluster; always 1.',
  ),
  // Per connector.
  connectorInfo: pollMetric(
    'kafka_connect_connector_info',
    [...CONNECTOR, 'type', 'connector_class'],
    'Connector type (source, sink or unknown) and class; always 1.',
  ),
  connectorState: pollMetric(
    'kafka_connect_connector_state',
    [...CONNECTOR, 'state'],
    'Connector state as a state set: 1 for the current state, 0 for the others; all 0 for a state Kafka Connect added later.',
  ),
  connectorStateSince: pollMetric(
    'kafka_connect_connector_state_since_timestamp_seconds',
    [...CONNECTOR, 'state'],
    'Unix time of the first poll that saw the connector in its current state (the state label). Kept across restarts of connect-sentinel, so alerts on its age survive gaps in the data.',
    { stability: 'experimental' },
  ),
  connectorWorkerInfo: pollMetric(
    'kafka_connect_connector_worker_info',
    [...CONNECTOR, 'worker_id'],
    'Worker the connector instance runs on (or last ran on, while unassigned); always 1.',
    { stability: 'experimental' },
  ),
  connectorFailureInfo: pollMetric(
    'kafka_connect_connector_failure_info',
    [...CONNECTOR, 'exception', 'root_cause'],
    'Exception class and root cause class of a FAILED connector, parsed from its trace; 1, present only while FAILED.',
  ),
  // Per task.
  taskState: pollMetric(
    'kafka_connect_task_state',
    [...TASK, 'state'],
    'Task state as a state set: 1 for the current state, 0 for the others; all 0 for a state Kafka Connect added later.',
  ),
  taskStateSince: pollMetric(
    'kafka_connect_task_state_since_timestamp_seconds',
    [...TASK, 'state'],
    'Unix time of the first poll that saw the task in its current state (the state label). Kept across restarts of connect-sentinel, so alerts on its age survive gaps in the data.',
    { stability: 'experimental' },
  ),
  taskInfo: pollMetric(
    'kafka_connect_task_info',
    [...TASK, 'worker_id'],
    'Worker the task runs on (or last ran on, while unassigned); always 1.',
  ),
  taskFailureInfo: pollMetric(
    'kafka_connect_task_failure_info',
    [...TASK, 'exception', 'root_cause'],
    'Exception class and root cause class of a FAILED task, parsed from its trace; 1, present only while FAILED.',
  ),
  // Auto-restart, rendered from the restart view at each poll.
  autorestartExhausted: pollMetric(
    'kafka_connect_autorestart_exhausted',
    TASK,
    'Auto-restart has given up on a FAILED connector or task (budget exhausted or policy never); 1, present only then. A connector has no task label.',
    TARGET,
  ),
  autorestartNextAttempt: pollMetric(
    'kafka_connect_autorestart_next_attempt_timestamp_seconds',
    TASK,
    'Unix time of the next planned auto-restart of a FAILED connector or task; present only while one is planned. A connector has no task label.',
    TARGET,
  ),
  autorestartLastDecision: pollMetric(
    'kafka_connect_autorestart_last_decision_info',
    [...TASK, 'action', 'reason', 'rule'],
    'What auto-restart decided about a FAILED connector or task at the last poll: restart or skip, the reason and the rule that matched (empty for the defaults); 1. A connector has no task label.',
    { ...TARGET, stability: 'experimental' },
  ),
  autorestartLastRestart: pollMetric(
    'kafka_connect_autorestart_last_restart_timestamp_seconds',
    TASK,
    'Unix time of the last restart request auto-restart sent for a connector or task, from the restart history (kept across restarts of connect-sentinel). A connector has no task label.',
    { ...TARGET, stability: 'experimental' },
  ),
  autorestartCircuitOpen: pollMetric(
    'kafka_connect_autorestart_circuit_open',
    CLUSTER,
    '1 while the auto-restart circuit breaker of the cluster is open and no restart is sent, else 0.',
  ),

  // The exporter's own metrics (prom-client).
  restRequests: selfMetric(
    'kafka_connect_exporter_rest_requests_total',
    'counter',
    [...CLUSTER, 'endpoint', 'code'],
    'Requests to the Kafka Connect REST API by endpoint and HTTP status code, or timeout, error or too_large when no usable response came.',
  ),
  polls: selfMetric(
    'kafka_connect_exporter_polls_total',
    'counter',
    CLUSTER,
    'Polls of the Kafka Connect cluster, failed ones included: with poll_errors_total, the share of polls that fail.',
    { stability: 'experimental' },
  ),
  pollInterval: selfMetric(
    'kafka_connect_exporter_poll_interval_seconds',
    'gauge',
    CLUSTER,
    'The configured poll interval of the Kafka Connect cluster in seconds, so that staleness alerts follow it.',
    { stability: 'experimental' },
  ),
  pollErrors: selfMetric(
    'kafka_connect_exporter_poll_errors_total',
    'counter',
    [...CLUSTER, 'reason'],
    'Polls of the Kafka Connect cluster that failed, or whose answer was held back as untrusted, by reason.',
    { stability: 'experimental' },
  ),
  autorestartRestarts: selfMetric(
    'kafka_connect_autorestart_restarts_total',
    'counter',
    TASK,
    'Restart requests auto-restart sent for a connector or task, failed ones included. A connector has no task label.',
    TARGET,
  ),
  autorestartRestartFailures: selfMetric(
    'kafka_connect_autorestart_restart_failures_total',
    'counter',
    TASK,
    'Restart requests auto-restart sent that Kafka Connect refused or that failed. A connector has no task label.',
    TARGET,
  ),
  autorestartSkipped: selfMetric(
    'kafka_connect_autorestart_skipped_total',
    'counter',
    [...CONNECTOR, 'reason'],
    'Times auto-restart left a FAILED connector or one of its tasks alone, by reason.',
  ),
  buildInfo: selfMetric(
    'kafka_connect_exporter_build_info',
    'gauge',
    ['version', 'nodejs_version'],
    'connect-sentinel version and the Node.js version running it; always 1.',
  ),
  configReloadSuccessful: selfMetric(
    'kafka_connect_exporter_config_last_reload_successful',
    'gauge',
    [],
    '1 if the last configuration load or reload succeeded, else 0.',
  ),
  configReloadSuccessTimestamp: selfMetric(
    'kafka_connect_exporter_config_last_reload_success_timestamp_seconds',
    'gauge',
    [],
    'Unix time of the last successful configuration load or reload.',
  ),
  tlsVerificationDisabled: selfMetric(
    'kafka_connect_exporter_tls_verification_disabled',
    'gauge',
    ['connect_cluster'],
    "1 if the cluster's worker certificates are not verified (tls.insecureSkipVerify), else 0: an impostor could answer.",
    { stability: 'experimental' },
  ),
  autorestartMode: selfMetric(
    'kafka_connect_autorestart_mode',
    'gauge',
    ['mode'],
    'The configured auto-restart mode as a state set: 1 for the current one of off, dry_run and on, 0 for the others.',
    { stability: 'experimental' },
  ),
  historyWritable: selfMetric(
    'kafka_connect_exporter_history_writable',
    'gauge',
    [],
    '1 if restart history can be persisted to the data directory, else 0; absent when auto-restart keeps no history.',
  ),
  leader: selfMetric(
    'kafka_connect_exporter_leader',
    'gauge',
    [],
    '1 while this replica leads and may send restarts, else 0. A single instance (no ha section) always leads.',
    { stability: 'experimental' },
  ),
  leaderGeneration: selfMetric(
    'kafka_connect_exporter_leader_generation',
    'gauge',
    [],
    'The consumer group generation this replica last joined (ha); the same on every replica of a generation, 0 without ha.',
    { stability: 'experimental' },
  ),
  historyWriteFailures: selfMetric(
    'kafka_connect_exporter_history_write_failures_total',
    'counter',
    [],
    'Writes of restart history to the data directory that failed.',
  ),
} as const satisfies Record<string, MetricDefinition>;

export type MetricKey = keyof typeof METRICS;

/** The per-poll families with a line per connector or per task, in exposition order. */
export const CONNECTOR_FAMILIES = [
  'connectorInfo',
  'connectorState',
  'connectorStateSince',
  'connectorWorkerInfo',
  'connectorFailureInfo',
  'taskState',
  'taskStateSince',
  'taskInfo',
  'taskFailureInfo',
] as const satisfies readonly MetricKey[];

export type ConnectorFamily = (typeof CONNECTOR_FAMILIES)[number];

/** The families rendered once per poll per cluster, in exposition order. */
export const POLL_FAMILIES = [
  'up',
  'pollDuration',
  'lastPollSuccess',
  'clusterInfo',
  'pluginInfo',
  ...CONNECTOR_FAMILIES,
  'autorestartExhausted',
  'autorestartNextAttempt',
  'autorestartLastDecision',
  'autorestartLastRestart',
  'autorestartCircuitOpen',
] as const satisfies readonly MetricKey[];

export type PollFamily = (typeof POLL_FAMILIES)[number];

/** Why a poll failed or was not trusted: a bounded set, it is a metric label. */
export const POLL_ERROR_REASONS = ['unreachable', 'timeout', 'http', 'decode', 'too_large', 'limit', 'untrusted', 'internal', 'other'] as const;
export type PollErrorReason = (typeof POLL_ERROR_REASONS)[number];

/** The modes of auto-restart: off (the default), dry_run (decides and reports, sends nothing) and on. */
export const AUTORESTART_MODES = ['off', 'dry_run', 'on'] as const;
export type AutorestartMode = (typeof AUTORESTART_MODES)[number];

export const ALL_METRICS: readonly MetricDefinition[] = Object.values(METRICS);
