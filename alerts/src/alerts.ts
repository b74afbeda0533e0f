// Every alert connect-sentinel ships: expression, summary and description, from a MonitoringConfig.
// Conventions (kubernetes-mixin, node-mixin): each alert keeps every label its description prints, never applies
// rate() to a gauge, and never fires on intentionally paused or stopped work except as `info`.

import { ALERT_NAMES, type AlertName, type MonitoringConfig } from './config.ts';
import { parseDuration } from '../../src/config/duration.ts';
import { durationInWords } from './humanize.ts';
import { by, formatNumber, on, series } from './promql.ts';
import type { AlertingRule, RuleGroup } from './rules.ts';
import { givenUpBecause, label, rootCause, TARGET, targetRootCause } from './templates.ts';

export type AlertGroupName = 'connect-sentinel.exporter' | 'connect-sentinel.kafka-connect' | 'connect-sentinel.autorestart';

interface AlertDefinition {
  group: AlertGroupName;
  summary: string;
  expr: (q: QueryContext) => string;
  /**
   * The alert is about how long something has been in a state: its expression compares that state's clock with the
   * configured `for` (q.forSeconds), and the rule has no `for:`, whose clock would restart at every gap in the data.
   */
  onStateClock?: true;
  /** `forWords` is the alert's `for` in words, e.g. `15 minutes`. */
  description: (q: QueryContext, forWords: string) => string;
}

interface QueryContext {
  config: MonitoringConfig;
  /** A metric with the selector and extra matchers. */
  s: (metric: string, ...matchers: string[]) => string;
  /** `by (<group labels>, …)`. */
  by: (...labels: string[]) => string;
  /** `on (<group labels>, …)`: matches what `by` of the same labels keeps. */
  on: (...labels: string[]) => string;
  /** The alert's configured `for`, in seconds. */
  forSeconds: number;
}

/**
 * The instances (by their `instance` labels, keeping `keep`) in a state matching `state` for `q.forSeconds` or more, by the clock connect-sentinel
 * keeps in `metric` (a `…_state_since_timestamp_seconds`), which neither a restart of connect-sentinel nor a scrape gap
 * restarts. Read over the last `gapTolerance` (a subquery at the evaluation interval), so that an alert already true
 * stays true while the data is missing (the exporter restarting or down: KafkaConnectExporterDown pages for that),
 * but ends as soon as the instance is seen in another state. The oldest clock of several replicas counts.
 */
function inStateLongEnough(q: QueryContext, metric: string, instance: string[], state: string, other: string, keep: string[] = []): string {
  const age = `time() - min ${q.by(...instance, ...keep)} (${q.s(metric, state)}) >= ${formatNumber(q.forSeconds)}`;
  return `last_over_time((${age})[${q.config.thresholds.gapTolerance}:]) unless ${q.on(...instance)} ${q.s(metric, other)}`;
}

/**
 * ` unless` the connector is PAUSED or STOPPED: that is someone's decision, and KafkaConnectConnectorPaused (info) is
 * all it raises. Its tasks may still show FAILED or UNASSIGNED, and restarts made before the pause stay counted.
 */
function unlessPausedOrStopped(q: QueryContext): string {
  return ` unless ${q.on('connect_cluster', 'connector')} (max ${q.by('connect_cluster', 'connector')} (${q.s('kafka_connect_connector_state', 'state=~"paused|stopped"')}) == 1)`;
}

const CONNECTOR_SINCE = 'kafka_connect_connector_state_since_timestamp_seconds';
const TASK_SINCE = 'kafka_connect_task_state_since_timestamp_seconds';

const CLUSTER = `Kafka Connect cluster ${label('connect_cluster')}`;
const CONNECTOR = `connector ${label('connector')} on ${CLUSTER}`;
const TASK = `Task ${label('task')} of ${CONNECTOR}`;

function connectorRootCause(q: QueryContext): string {
  return rootCause('kafka_connect_connector_failure_info', [...q.config.groupLabels, 'connect_cluster', 'connector']);
}

function taskRootCause(q: QueryContext): string {
  return rootCause('kafka_connect_task_failure_info', [...q.config.groupLabels, 'connect_cluster', 'connector', 'task']);
}

const DEFINITIONS: Record<AlertName, AlertDefinition> = {
  KafkaConnectExporterDown: {
    group: 'connect-sentinel.exporter',
    summary: 'The connect-sentinel exporter is down.',
    // The absent() branch covers a target gone from service discovery; it takes `job` from the selector's equality matcher.
    expr: (q) => `sum ${q.by()} (${q.s('up')}) == 0 or absent(${q.s('up')})`,
    description: (_q, forWords) =>
      `No target of job ${label('job')} has been scraped successfully for more than ${forWords}: Kafka Connect is not watched and failed connectors and tasks are not restarted automatically.`,
  },
  KafkaConnectExporterInstanceDown: {
    group: 'connect-sentinel.exporter',
    summary: 'A connect-sentinel instance is down.',
    // One replica of several: the others still watch and restart, so a ticket; all of them down is ExporterDown's page.
    expr: (q) => `max ${q.by('instance')} (${q.s('up')}) == 0`,
    description: (_q, forWords) =>
      `connect-sentinel ${label('instance')} of job ${label('job')} has not been scraped successfully for more than ${forWords}.`,
  },
  KafkaConnectExporterConfigReloadFailed: {
    group: 'connect-sentinel.exporter',
    summary: 'The connect-sentinel configuration could not be reloaded.',
    expr: (q) => `max ${q.by('instance')} (${q.s('kafka_connect_exporter_config_last_reload_successful')}) == 0`,
    description: (_q, forWords) =>
      `connect-sentinel ${label('instance')} of job ${label('job')} has failed to reload its configuration for more than ${forWords}; it keeps running with the previous configuration.`,
  },
  KafkaConnectExporterHistoryNotWritable: {
    group: 'connect-sentinel.exporter',
    summary: 'The connect-sentinel restart history cannot be written.',
    expr: (q) => `max ${q.by('instance')} (${q.s('kafka_connect_exporter_history_writable')}) == 0`,
    description: (_q, forWords) =>
      `connect-sentinel ${label('instance')} of job ${label('job')} has been unable to write its restart history for more than ${forWords}; automatic restarts are skipped until it can.`,
  },
  KafkaConnectExporterNoLeader: {
    group: 'connect-sentinel.exporter',
    summary: 'No connect-sentinel replica leads.',
    // Replicas export 0 while another leads; all of them 0 means nobody restarts. No replica up is ExporterDown's page.
    expr: (q) => `max ${q.by()} (${q.s('kafka_connect_exporter_leader')}) == 0`,
    description: (_q, forWords) =>
      `No replica of job ${label('job')} has led for more than ${forWords}: Kafka Connect is watched, but failed connectors and tasks are not restarted automatically.`,
  },
  KafkaConnectClusterUnreachable: {
    group: 'connect-sentinel.exporter',
    summary: 'A Kafka Connect cluster cannot be reached.',
    expr: (q) => `max ${q.by('connect_cluster')} (${q.s('kafka_connect_up')}) == 0`,
    description: (_q, forWords) =>
      `Job ${label('job')} has not been able to read the status of ${CLUSTER} for more than ${forWords}; its connectors and tasks are neither watched nor restarted.`,
  },
  KafkaConnectClusterGone: {
    group: 'connect-sentinel.exporter',
    summary: 'A Kafka Connect cluster is no longer watched.',
    // Seen in the last day, no series now, while the job's exporter answers: removed from the config, by mistake or
    // not. While no exporter of the job answers, every cluster's series are gone, and that is ExporterDown's page.
    expr: (q) =>
      `max ${q.by('connect_cluster')} (max_over_time(${q.s('kafka_connect_up')}[1d])) unless ${q.on('connect_cluster')} max ${q.by('connect_cluster')} (${q.s('kafka_connect_up')})` +
      ` and ${q.on()} max ${q.by()} (${q.s('up')}) == 1`,
    description: () =>
      `Job ${label('job')} watched ${CLUSTER} within the last day and does not any more: its connectors are neither watched nor restarted. If it was removed from the config on purpose, this ends a day later.`,
  },
  KafkaConnectStaleData: {
    group: 'connect-sentinel.exporter',
    summary: 'Kafka Connect status data is stale.',
    expr: (q) => {
      const cluster = q.by('connect_cluster');
      const interval = `max ${cluster} (${q.s('kafka_connect_exporter_poll_interval_seconds')})`;
      const threshold = `clamp_min(${formatNumber(q.config.thresholds.staleDataPolls)} * ${interval}, ${formatNumber(q.config.thresholds.staleDataSeconds)})`;
      return `time() - max ${cluster} (${q.s('kafka_connect_last_poll_success_timestamp_seconds')}) > ${q.on('connect_cluster')} ${threshold}`;
    },
    description: (q) =>
      `The last successful poll of ${CLUSTER} by job ${label('job')} was {{ $value | humanizeDuration }} ago, more than ${formatNumber(q.config.thresholds.staleDataPolls)} poll intervals; dashboards and alerts show old state.`,
  },
  KafkaConnectPollErrorBudgetBurn: {
    group: 'connect-sentinel.exporter',
    summary: 'Polls of a Kafka Connect cluster fail often enough to use up their error budget.',
    expr: (q) => {
      const budget = 1 - q.config.thresholds.pollSuccessObjective;
      const cluster = q.by('connect_cluster');
      const failedShare = (window: string) =>
        `sum ${cluster} (rate(${q.s('kafka_connect_exporter_poll_errors_total')}[${window}])) / sum ${cluster} (rate(${q.s('kafka_connect_exporter_polls_total')}[${window}]))`;
      // Multi-window: the long window says the burn is real, the short one that it is still going on.
      const burning = (long: string, short: string, rate: number) =>
        `(${failedShare(long)} > ${formatNumber(rate * budget)} and ${failedShare(short)} > ${formatNumber(rate * budget)})`;
      return `${burning('1h', '5m', 14.4)} or ${burning('6h', '30m', 6)}`;
    },
    description: (q) =>
      `{{ $value | humanizePercentage }} of the polls of ${CLUSTER} by job ${label('job')} failed over the last hour or six: at that rate the error budget of a ${formatNumber(q.config.thresholds.pollSuccessObjective * 100)}% poll-success objective is gone within days.`,
  },
  KafkaConnectRestErrors: {
    group: 'connect-sentinel.exporter',
    summary: 'Kafka Connect REST requests are failing.',
    expr: (q) => {
      const window = q.config.thresholds.restErrorWindow;
      const requests = (...m: string[]) =>
        `sum ${q.by('connect_cluster')} (rate(${q.s('kafka_connect_exporter_rest_requests_total', ...m)}[${window}]))`;
      return `${requests('code!~"2.."')} / ${requests()} > ${formatNumber(q.config.thresholds.restErrorRatio)}`;
    },
    description: (q) =>
      `{{ $value | humanizePercentage }} of the REST requests job ${label('job')} sent to ${CLUSTER} in the last ${durationInWords(q.config.thresholds.restErrorWindow)} failed (error status, timeout or connection error).`,
  },
  KafkaConnectConnectorFailed: {
    group: 'connect-sentinel.kafka-connect',
    summary: 'A Kafka Connect connector has failed.',
    onStateClock: true,
    expr: (q) => inStateLongEnough(q, CONNECTOR_SINCE, ['connect_cluster', 'connector'], 'state="failed"', 'state!="failed"'),
    description: (q, forWords) =>
      `Connector ${label('connector')} on ${CLUSTER} has been FAILED for more than ${forWords}.${connectorRootCause(q)}`,
  },
  KafkaConnectTaskFailed: {
    group: 'connect-sentinel.kafka-connect',
    summary: 'A Kafka Connect task has failed.',
    onStateClock: true,
    expr: (q) =>
      inStateLongEnough(q, TASK_SINCE, ['connect_cluster', 'connector', 'task'], 'state="failed"', 'state!="failed"') + unlessPausedOrStopped(q),
    description: (q, forWords) => `${TASK} has been FAILED for more than ${forWords}.${taskRootCause(q)}`,
  },
  KafkaConnectConnectorUnassigned: {
    group: 'connect-sentinel.kafka-connect',
    summary: 'A Kafka Connect connector has no worker.',
    onStateClock: true,
    expr: (q) => inStateLongEnough(q, CONNECTOR_SINCE, ['connect_cluster', 'connector'], 'state="unassigned"', 'state!="unassigned"'),
    description: (_q, forWords) =>
      `Connector ${label('connector')} on ${CLUSTER} has been UNASSIGNED, run by no worker, for more than ${forWords}.`,
  },
  KafkaConnectTaskUnassigned: {
    group: 'connect-sentinel.kafka-connect',
    summary: 'A Kafka Connect task has no worker.',
    onStateClock: true,
    expr: (q) =>
      inStateLongEnough(q, TASK_SINCE, ['connect_cluster', 'connector', 'task'], 'state="unassigned"', 'state!="unassigned"') +
      unlessPausedOrStopped(q),
    description: (_q, forWords) => `${TASK} has been UNASSIGNED, run by no worker, for more than ${forWords}.`,
  },
  KafkaConnectStuckRestarting: {
    group: 'connect-sentinel.kafka-connect',
    summary: 'A Kafka Connect connector or task is stuck restarting.',
    // RESTARTING lasts seconds; a start() that hangs keeps it there, neither FAILED (which auto-restart would handle)
    // nor RUNNING. Restarting it again would queue behind the hung start, so this is for a human.
    onStateClock: true,
    expr: (q) =>
      `(${inStateLongEnough(q, TASK_SINCE, ['connect_cluster', 'connector', 'task'], 'state="restarting"', 'state!="restarting"')})` +
      ` or (${inStateLongEnough(q, CONNECTOR_SINCE, ['connect_cluster', 'connector'], 'state="restarting"', 'state!="restarting"')})`,
    description: (_q, forWords) =>
      `${TARGET} on ${CLUSTER} has been RESTARTING for more than ${forWords}: its start does not finish, and connect-sentinel does not restart it again.`,
  },
  KafkaConnectConnectorWithoutTasks: {
    group: 'connect-sentinel.kafka-connect',
    summary: 'A running Kafka Connect connector has no tasks.',
    // Connect reports it RUNNING and never FAILED, so auto-restart has nothing to act on. A MirrorSourceConnector
    // whose source cluster cannot be reached looks like this (real Connect 3.9 and 4.3); so does one with nothing to
    // replicate, hence the long `for`.
    expr: (q) =>
      `max ${q.by('connect_cluster', 'connector')} (${q.s('kafka_connect_connector_state', 'state="running"')}) == 1` +
      ` unless ${q.on('connect_cluster', 'connector')} count ${q.by('connect_cluster', 'connector')} (${q.s('kafka_connect_task_state')})`,
    description: (_q, forWords) =>
      `Connector ${label('connector')} on ${CLUSTER} has been RUNNING with no tasks for more than ${forWords}. Connect reports no failure, so connect-sentinel restarts nothing.`,
  },
  KafkaConnectConnectorPaused: {
    group: 'connect-sentinel.kafka-connect',
    summary: 'A Kafka Connect connector has been paused or stopped for a long time.',
    onStateClock: true,
    expr: (q) =>
      inStateLongEnough(q, CONNECTOR_SINCE, ['connect_cluster', 'connector'], 'state=~"paused|stopped"', 'state!~"paused|stopped"', ['state']),
    description: (_q, forWords) =>
      `Connector ${label('connector')} on ${CLUSTER} has been {{ $labels.state | toUpper }} for more than ${forWords}.`,
  },
  KafkaConnectRestartLoop: {
    group: 'connect-sentinel.autorestart',
    summary: 'A Kafka Connect connector or task keeps failing after automatic restarts.',
    expr: (q) =>
      // `and` the cluster as the exporter reports it now: once the exporter is gone its series are stale, and an
      // hour of old samples must not keep the alert firing on a dead exporter's data.
      `sum ${q.by('connect_cluster', 'connector', 'task')} (increase(${q.s('kafka_connect_autorestart_restarts_total')}[${q.config.thresholds.restartLoopWindow}])) >= ${q.config.thresholds.restartLoopRestarts}` +
      ` and ${q.on('connect_cluster')} max ${q.by('connect_cluster')} (${q.s('kafka_connect_up')})` +
      unlessPausedOrStopped(q),
    description: (q) =>
      `${TARGET} on ${CLUSTER} failed and was restarted automatically {{ $value | printf "%.0f" }} times in the last ${durationInWords(q.config.thresholds.restartLoopWindow)}.`,
  },
  KafkaConnectAutoRestartExhausted: {
    group: 'connect-sentinel.autorestart',
    summary: 'Automatic restarts have given up on a failed Kafka Connect connector or task.',
    expr: (q) =>
      `max ${q.by('connect_cluster', 'connector', 'task')} (${q.s('kafka_connect_autorestart_exhausted')}) == 1`,
    description: (q) =>
      `${TARGET} on ${CLUSTER} is FAILED and connect-sentinel will not restart it again: its restart budget is used up or a rule says never.${givenUpBecause(q.config.groupLabels)}${targetRootCause(q.config.groupLabels)}`,
  },
  KafkaConnectAutoRestartCircuitOpen: {
    group: 'connect-sentinel.autorestart',
    summary: 'Automatic restarts are suspended on a Kafka Connect cluster.',
    expr: (q) => `max ${q.by('connect_cluster')} (${q.s('kafka_connect_autorestart_circuit_open')}) == 1`,
    description: (_q, forWords) =>
      `connect-sentinel has not restarted anything on ${CLUSTER} for more than ${forWords} because a large share of its connectors has FAILED work at once, which points to a shared cause such as a broker outage.`,
  },
};

export const ALERT_GROUP_NAMES: readonly AlertGroupName[] = [
  'connect-sentinel.exporter',
  'connect-sentinel.kafka-connect',
  'connect-sentinel.autorestart',
];

function queryContext(config: MonitoringConfig, name: AlertName): QueryContext {
  return {
    config,
    forSeconds: parseDuration(config.alerts[name].for) / 1000,
    s: (metric, ...matchers) => series(metric, config.selector, ...matchers),
    by: (...labels) => by([...config.groupLabels, ...labels]),
    on: (...labels) => on([...config.groupLabels, ...labels]),
  };
}

/** Which dashboard an alert links to: the overview (of the job, or of its cluster) or the connector's dashboard. */
const DASHBOARD_OF: Readonly<Record<AlertName, 'job' | 'cluster' | 'connector'>> = {
  KafkaConnectExporterDown: 'job',
  KafkaConnectExporterInstanceDown: 'job',
  KafkaConnectExporterConfigReloadFailed: 'job',
  KafkaConnectExporterHistoryNotWritable: 'job',
  KafkaConnectExporterNoLeader: 'job',
  KafkaConnectClusterUnreachable: 'cluster',
  KafkaConnectClusterGone: 'cluster',
  KafkaConnectStaleData: 'cluster',
  KafkaConnectPollErrorBudgetBurn: 'cluster',
  KafkaConnectRestErrors: 'cluster',
  KafkaConnectConnectorFailed: 'connector',
  KafkaConnectTaskFailed: 'connector',
  KafkaConnectConnectorUnassigned: 'connector',
  KafkaConnectTaskUnassigned: 'connector',
  KafkaConnectStuckRestarting: 'connector',
  KafkaConnectConnectorWithoutTasks: 'connector',
  KafkaConnectConnectorPaused: 'connector',
  KafkaConnectRestartLoop: 'connector',
  KafkaConnectAutoRestartExhausted: 'connector',
  KafkaConnectAutoRestartCircuitOpen: 'cluster',
};

/** The alert's dashboard, its variables set from the alert's labels (URL-encoded: names may hold `#` or `&`). */
export function dashboardUrl(config: MonitoringConfig, alert: AlertName): string {
  const { grafanaUrl, overviewUid, connectorUid } = config.dashboards;
  const variable = (name: string) => `var-${name}={{ $labels.${name} | urlquery }}`;
  const scope = DASHBOARD_OF[alert];
  const uid = scope === 'connector' ? connectorUid : overviewUid;
  const variables = [variable('job'), ...(scope === 'job' ? [] : [variable('connect_cluster')]), ...(scope === 'connector' ? [variable('connector')] : [])];
  return `${grafanaUrl}/d/${uid}?${variables.join('&')}`;
}

export function runbookUrl(config: MonitoringConfig, alert: AlertName): string {
  return `${config.runbookUrl}#${alert.toLowerCase()}`;
}

export function alertingRule(config: MonitoringConfig, name: AlertName): AlertingRule {
  const definition = DEFINITIONS[name];
  const settings = config.alerts[name];
  const q = queryContext(config, name);
  return {
    alert: name,
    expr: definition.expr(q),
    ...(definition.onStateClock ? {} : { for: settings.for }),
    ...(settings.keepFiringFor === undefined ? {} : { keep_firing_for: settings.keepFiringFor }),
    labels: { severity: settings.severity },
    annotations: {
      summary: definition.summary,
      description: definition.description(q, durationInWords(settings.for)),
      runbook_url: runbookUrl(config, name),
      dashboard_url: dashboardUrl(config, name),
    },
  };
}

/** The alert groups, with disabled alerts left out and empty groups dropped. */
export function alertGroups(config: MonitoringConfig): RuleGroup[] {
  return ALERT_GROUP_NAMES.map((group) => ({
    name: group,
    rules: ALERT_NAMES.filter((name) => DEFINITIONS[name].group === group && config.alerts[name].enabled).map((name) =>
      alertingRule(config, name),
    ),
  })).filter((group) => group.rules.length > 0);
}
