// "Kafka Connect / Overview": the whole fleet at a glance. Usable with 5,000 connectors: time series are per
// cluster or per state (from recording rules), and single connectors and tasks appear only in instant tables.

import { RowBuilder, type DashboardBuilder, type Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import type { MonitoringConfig } from '../../alerts/src/config.ts';
import { RECORDED } from '../../alerts/src/recording.ts';
import { restartAnnotation } from './annotations.ts';
import {
  connectorDrillDown,
  dashboardFrame,
  dashboardLink,
  datasourceVariable,
  instantQuery,
  JOB,
  filtersVariable,
  jobVariable,
  labelVariable,
  RED_ABOVE_ZERO,
  rangeQuery,
  tableQuery,
  valueMappings,
} from './grafana.ts';
import { barGaugePanel, stateTimelinePanel, statPanel, tablePanel, timeSeriesPanel } from './panels.ts';
import { CONNECTOR_STATE_NAMES, connectorRows, STATE_STYLES, STATE_TEXT, TASK_STATE_NAMES, taskRows, type StateName } from './queries.ts';

const S = 'job=~"$job", connect_cluster=~"$connect_cluster"';
const SC = `${S}, connector=~"$connector"`;

function stateColors(states: readonly StateName[]): Record<string, string> {
  return Object.fromEntries(states.map((state) => [state, STATE_STYLES[state].color]));
}

const UP_DOWN = valueMappings([
  { value: '1', text: 'UP', color: 'green' },
  { value: '0', text: 'DOWN', color: 'red' },
]);

const OK_FAILED = valueMappings([
  { value: '1', text: 'OK', color: 'green' },
  { value: '0', text: 'FAILED', color: 'red' },
]);

const AUTORESTART_MODE = valueMappings([
  { value: '0', text: 'off', color: 'orange' },
  { value: '1', text: 'dry run', color: 'orange' },
  { value: '2', text: 'on', color: 'green' },
]);

const CLOSED_OPEN = valueMappings([
  { value: '0', text: 'closed', color: 'green' },
  { value: '1', text: 'OPEN', color: 'red' },
]);

function variables(config: MonitoringConfig) {
  return [
    datasourceVariable(),
    jobVariable(config.dashboards.defaultJob),
    labelVariable({
      name: 'connect_cluster',
      label: 'Connect cluster',
      selector: `kafka_connect_up{${JOB}}`,
      multi: true,
      description: 'Kafka Connect clusters, as named in the connect-sentinel configuration.',
      defaultValue: '$__all',
    }),
    labelVariable({
      name: 'connector',
      label: 'Connector',
      selector: `kafka_connect_connector_info{${S}}`,
      multi: true,
      description: 'Filters the tables of connectors and tasks; fleet totals and time series are per cluster.',
      defaultValue: '$__all',
    }),
    filtersVariable(),
  ];
}

function healthRow(config: MonitoringConfig, dashboard: DashboardBuilder): void {
  const count = (title: string, description: string, expr: string) =>
    statPanel({ title, description, unit: 'short', w: 4, h: 4 }, instantQuery(expr));
  const problemCount = (title: string, description: string, expr: string) =>
    statPanel({ title, description, unit: 'short', w: 4, h: 4 }, instantQuery(`${expr} or vector(0)`), { steps: RED_ABOVE_ZERO });
  dashboard
    .withRow(new RowBuilder('Health'))
    .withPanel(
      statPanel(
        {
          title: 'connect-sentinel targets up',
          description: 'connect-sentinel targets Prometheus scraped successfully at the last scrape. 0 means Kafka Connect is not watched and nothing is restarted.',
          unit: 'short',
          w: 4,
          h: 4,
        },
        instantQuery(`sum(up{${JOB}})`),
        { steps: [{ value: null, color: 'red' }, { value: 1, color: 'green' }] },
      ),
    )
    .withPanel(
      problemCount(
        'Clusters unreachable',
        'Kafka Connect clusters whose REST API connect-sentinel could not read at its last poll.',
        `count(max by (job, connect_cluster) (kafka_connect_up{${S}}) == 0)`,
      ),
    )
    .withPanel(count('Connectors', 'Connectors in the selected clusters, in any state.', `sum(${RECORDED.connectorStates}{${S}})`))
    .withPanel(count('Tasks', 'Tasks in the selected clusters, in any state.', `sum(${RECORDED.taskStates}{${S}})`))
    .withPanel(problemCount('Failed connectors', 'Connectors in the FAILED state now.', `sum(${RECORDED.connectorStates}{${S}, state="failed"})`))
    .withPanel(problemCount('Failed tasks', 'Tasks in the FAILED state now.', `sum(${RECORDED.taskStates}{${S}, state="failed"})`))
    .withPanel(
      problemCount(
        'Unassigned tasks',
        'Tasks that no worker runs now. Short bursts are normal during a rebalance.',
        `sum(${RECORDED.taskStates}{${S}, state="unassigned"})`,
      ),
    )
    .withPanel(
      problemCount(
        'Auto-restart gave up',
        'Failed connectors and tasks that connect-sentinel will not restart again (budget used up or a rule says never). Each one pages.',
        `count(max by (job, connect_cluster, connector, task) (kafka_connect_autorestart_exhausted{${S}}) == 1)`,
      ),
    )
    .withPanel(
      count(
        'Automatic restarts',
        'Restarts of connectors and tasks connect-sentinel sent in the selected time range.',
        `round(sum(increase(kafka_connect_autorestart_restarts_total{${S}}[$__range]))) or vector(0)`,
      ),
    )
    .withPanel(
      statPanel(
        {
          title: 'Oldest data',
          description: `Time since the least recent successful poll among the selected clusters. KafkaConnectStaleData fires above ${config.thresholds.staleDataPolls} poll intervals of the cluster, and ${config.thresholds.staleDataSeconds}s at least.`,
          unit: 's',
          w: 4,
          h: 4,
        },
        instantQuery(`max(time() - kafka_connect_last_poll_success_timestamp_seconds{${S}})`),
        {
          steps: [
            { value: null, color: 'green' },
            { value: config.thresholds.staleDataSeconds / 2, color: 'orange' },
            { value: config.thresholds.staleDataSeconds, color: 'red' },
          ],
        },
      ),
    )
    .withPanel(
      stateTimelinePanel(
        {
          title: 'Clusters reachable',
          description: 'Whether connect-sentinel could read each Kafka Connect cluster at each poll.',
          unit: 'none',
          w: 8,
          h: 4,
        },
        [rangeQuery(`max by (connect_cluster) (kafka_connect_up{${S}})`, '{{connect_cluster}}')],
        UP_DOWN,
      ),
    )
    .withPanel(
      tablePanel(
        {
          title: 'Firing alerts',
          description: 'connect-sentinel alerts firing now for the selected clusters, and those about connect-sentinel itself, from Prometheus ALERTS series. Runbooks: docs/runbooks.md.',
          unit: 'none',
          w: 24,
          h: 6,
        },
        // Alerts about the exporter itself have no cluster label; an empty alternative keeps them.
        tableQuery(`ALERTS{alertname=~"KafkaConnect.+", alertstate="firing", ${JOB}, connect_cluster=~"$connect_cluster|"}`),
        {
          columns: [
            { field: 'alertname', header: 'Alert' },
            { field: 'severity', header: 'Severity' },
            { field: 'connect_cluster', header: 'Cluster' },
            { field: 'connector', header: 'Connector' },
            { field: 'task', header: 'Task' },
          ],
          hidden: ['alertstate'],
        },
      ),
    );
}

function statesRow(dashboard: DashboardBuilder): void {
  dashboard
    .withRow(new RowBuilder('States over time'))
    .withPanel(
      timeSeriesPanel(
        { title: 'Connector states', description: 'Connectors per state, all selected clusters stacked.', unit: 'short', w: 12, h: 8 },
        [rangeQuery(`sum by (state) (${RECORDED.connectorStates}{${S}})`, '{{state}}')],
        { stacked: true, colors: stateColors(CONNECTOR_STATE_NAMES), min: 0 },
      ),
    )
    .withPanel(
      timeSeriesPanel(
        { title: 'Task states', description: 'Tasks per state, all selected clusters stacked.', unit: 'short', w: 12, h: 8 },
        [rangeQuery(`sum by (state) (${RECORDED.taskStates}{${S}})`, '{{state}}')],
        { stacked: true, colors: stateColors(TASK_STATE_NAMES), min: 0 },
      ),
    )
    .withPanel(
      timeSeriesPanel(
        { title: 'Tasks running', description: 'Share of each cluster\'s tasks in the RUNNING state, paused tasks left out (pausing is intended).', unit: 'percentunit', w: 12, h: 8 },
        [rangeQuery(`${RECORDED.tasksRunningRatio}{${S}}`, '{{connect_cluster}}')],
        { min: 0, max: 1 },
      ),
    )
    .withPanel(
      timeSeriesPanel(
        {
          title: 'Tasks per worker',
          description: 'Tasks assigned to each Connect worker. Uneven lines point at a rebalance that did not spread the work.',
          unit: 'short',
          w: 12,
          h: 8,
        },
        [rangeQuery(`sum by (connect_cluster, worker_id) (${RECORDED.tasksPerWorker}{${S}, worker_id!=""})`, '{{connect_cluster}} {{worker_id}}')],
        { min: 0 },
      ),
    );
}

/**
 * Tables of connectors and tasks in the states `stateMatcher` selects, with worker, exception and root cause. FAILED
 * ones come first on the dashboard, right after the health row; paused, stopped and the rest further down.
 */
function stateTables(
  config: MonitoringConfig,
  dashboard: DashboardBuilder,
  row: { title: string; what: string; stateMatcher: string },
): void {
  const drillDown = { connector: [connectorDrillDown(config.dashboards.connectorUid)] };
  const common = [
    { field: 'state', header: 'State' },
    { field: 'worker_id', header: 'Worker' },
    { field: 'exception', header: 'Exception' },
    { field: 'root_cause', header: 'Root cause' },
  ];
  dashboard
    .withRow(new RowBuilder(row.title))
    .withPanel(
      tablePanel(
        {
          title: `Connectors ${row.what}`,
          description: `Every connector ${row.what}, with its worker and the exception and root cause Connect reported. Click a connector for its dashboard.`,
          unit: 'none',
          w: 24,
          h: 8,
        },
        tableQuery(connectorRows(SC, row.stateMatcher)),
        {
          columns: [
            { field: 'connect_cluster', header: 'Cluster' },
            { field: 'connector', header: 'Connector' },
            { field: 'type', header: 'Type' },
            { field: 'connector_class', header: 'Class' },
            ...common,
          ],
          fieldOverrides: drillDown,
          stateMappings: STATE_TEXT,
          sortBy: 'Connector',
        },
      ),
    )
    .withPanel(
      tablePanel(
        {
          title: `Tasks ${row.what}`,
          description: `Every task ${row.what}, with its worker and the exception and root cause Connect reported. Click a connector for its dashboard.`,
          unit: 'none',
          w: 24,
          h: 10,
        },
        tableQuery(taskRows(SC, row.stateMatcher)),
        {
          columns: [{ field: 'connect_cluster', header: 'Cluster' }, { field: 'connector', header: 'Connector' }, { field: 'task', header: 'Task' }, ...common],
          fieldOverrides: drillDown,
          stateMappings: STATE_TEXT,
          sortBy: 'Connector',
        },
      ),
    );
}

function autoRestartRow(config: MonitoringConfig, dashboard: DashboardBuilder): void {
  const perMinute = (metric: string, by: string) => `60 * sum by (${by}) (rate(${metric}{${S}}[$__rate_interval]))`;
  const targetColumns = [
    { field: 'connect_cluster', header: 'Cluster' },
    { field: 'connector', header: 'Connector' },
    { field: 'task', header: 'Task' },
  ];
  dashboard
    .withRow(new RowBuilder('Auto-restart'))
    .withPanel(
      timeSeriesPanel(
        {
          title: 'Restarts',
          description: 'Restarts connect-sentinel sent per minute, and those Connect refused or that failed, per cluster.',
          unit: 'opm',
          w: 12,
          h: 8,
        },
        [
          rangeQuery(perMinute('kafka_connect_autorestart_restarts_total', 'connect_cluster'), '{{connect_cluster}} restarts'),
          rangeQuery(perMinute('kafka_connect_autorestart_restart_failures_total', 'connect_cluster'), '{{connect_cluster}} failed restarts'),
        ],
        { min: 0 },
      ),
    )
    .withPanel(
      timeSeriesPanel(
        {
          title: 'Targets held back',
          description:
            'Failed targets auto-restart decided not to restart at its last poll, by reason (backoff, budget_exhausted, circuit_open, …). A count of targets, not of decisions: a target waiting out its backoff is decided on at every poll.',
          unit: 'short',
          w: 12,
          h: 8,
        },
        // Once per target across replicas; a follower's `standby` is not why the leader held it back.
        [rangeQuery(`count by (reason) (max by (job, connect_cluster, connector, task, reason) (kafka_connect_autorestart_last_decision_info{${S}, action="skip", reason!="standby"}))`, '{{reason}}')],
        { min: 0, stacked: true },
      ),
    )
    .withPanel(
      barGaugePanel(
        {
          title: 'Most restarted connectors',
          description: 'The ten connectors with the most automatic restarts (of the connector or its tasks) in the selected time range.',
          unit: 'short',
          w: 8,
          h: 8,
        },
        instantQuery(
          `topk(10, round(sum by (connect_cluster, connector) (increase(kafka_connect_autorestart_restarts_total{${SC}}[$__range]))) > 0)`,
          '{{connect_cluster}} / {{connector}}',
        ),
      ),
    )
    .withPanel(
      tablePanel(
        {
          title: 'Targets auto-restart gave up on',
          description:
            'Failed connectors and tasks connect-sentinel will not restart again, and why: budget_exhausted (its restart budget is used up) or policy_never (a rule says never, named under Rule). An empty task is the connector itself.',
          unit: 'none',
          w: 8,
          h: 8,
        },
        // The last decision says why; a target given up on before this exporter version had none, and still shows.
        tableQuery(
          `max by (job, connect_cluster, connector, task, reason, rule) (kafka_connect_autorestart_last_decision_info{${SC}})` +
            ` and on (job, connect_cluster, connector, task) (max by (job, connect_cluster, connector, task) (kafka_connect_autorestart_exhausted{${SC}}) == 1)` +
            ` or (max by (job, connect_cluster, connector, task) (kafka_connect_autorestart_exhausted{${SC}}) == 1)`,
        ),
        {
          columns: [...targetColumns, { field: 'reason', header: 'Why' }, { field: 'rule', header: 'Rule' }],
          fieldOverrides: { connector: [connectorDrillDown(config.dashboards.connectorUid)] },
        },
      ),
    )
    .withPanel(
      tablePanel(
        {
          title: 'Next planned restarts',
          description: 'When connect-sentinel will next restart each failed target that is waiting out its backoff. An empty task is the connector itself.',
          unit: 'dateTimeAsIso',
          w: 8,
          h: 8,
        },
        tableQuery(`max by (job, connect_cluster, connector, task) (kafka_connect_autorestart_next_attempt_timestamp_seconds{${SC}}) * 1000`),
        { columns: [...targetColumns, { field: 'Value', header: 'Next restart' }], showValue: true },
      ),
    )
    .withPanel(
      statPanel(
        {
          title: 'Auto-restart mode',
          description:
            'off (the default) or dry run: connect-sentinel restarts nothing, failed tasks only raise tickets and no page comes from auto-restart giving up. on: it restarts by policy.',
          unit: 'none',
          w: 4,
          h: 4,
        },
        // One number per mode, for the value mapping: on 2, dry run 1, off 0.
        instantQuery(`max(kafka_connect_autorestart_mode{${JOB}, mode="on"}) * 2 + max(kafka_connect_autorestart_mode{${JOB}, mode="dry_run"})`),
        { mappings: AUTORESTART_MODE },
      ),
    )
    .withPanel(
      statPanel(
        {
          title: 'Replicas leading',
          description:
            'How many connect-sentinel replicas lead and send restarts: 1, or 0 for a moment during a failover. 0 for minutes (KafkaConnectExporterNoLeader) means nobody restarts. A single instance always leads.',
          unit: 'short',
          w: 4,
          h: 4,
        },
        // A count of replicas, so sum: each exports 1 only while it leads.
        instantQuery(`sum(kafka_connect_exporter_leader{${JOB}})`),
        { steps: [{ value: null, color: 'red' }, { value: 1, color: 'green' }, { value: 2, color: 'red' }] },
      ),
    )
    .withPanel(
      stateTimelinePanel(
        {
          title: 'Circuit breaker',
          description: 'OPEN while a large share of a cluster\'s tasks is FAILED at once: connect-sentinel then restarts nothing there.',
          unit: 'none',
          w: 16,
          h: 4,
        },
        [rangeQuery(`max by (connect_cluster) (kafka_connect_autorestart_circuit_open{${S}})`, '{{connect_cluster}}')],
        CLOSED_OPEN,
      ),
    );
}

function clustersRow(dashboard: DashboardBuilder): void {
  dashboard
    .withRow(new RowBuilder('Connect clusters'))
    .withPanel(
      tablePanel(
        {
          title: 'Connect versions',
          description: 'Kafka Connect version, commit and Kafka cluster ID that each cluster\'s workers report.',
          unit: 'none',
          w: 12,
          h: 6,
        },
        tableQuery(`max by (job, connect_cluster, version, commit, kafka_cluster_id) (kafka_connect_cluster_info{${S}})`),
        {
          columns: [
            { field: 'connect_cluster', header: 'Cluster' },
            { field: 'version', header: 'Version' },
            { field: 'commit', header: 'Commit' },
            { field: 'kafka_cluster_id', header: 'Kafka cluster ID' },
          ],
        },
      ),
    )
    .withPanel(
      barGaugePanel(
        {
          title: 'Workers',
          description: 'Connect workers that run at least one task, per cluster.',
          unit: 'short',
          w: 12,
          h: 6,
        },
        instantQuery(`count by (connect_cluster) (${RECORDED.tasksPerWorker}{${S}, worker_id!=""})`, '{{connect_cluster}}'),
      ),
    );
}

function exporterRow(dashboard: DashboardBuilder): void {
  dashboard
    .withRow(new RowBuilder('connect-sentinel'))
    .withPanel(
      timeSeriesPanel(
        { title: 'Poll duration', description: 'How long the last status poll of each cluster took.', unit: 's', w: 6, h: 7 },
        [rangeQuery(`max by (connect_cluster) (kafka_connect_poll_duration_seconds{${S}})`, '{{connect_cluster}}')],
        { min: 0 },
      ),
    )
    .withPanel(
      timeSeriesPanel(
        { title: 'Data age', description: 'Time since the last successful poll of each cluster.', unit: 's', w: 6, h: 7 },
        [rangeQuery(`max by (connect_cluster) (time() - kafka_connect_last_poll_success_timestamp_seconds{${S}})`, '{{connect_cluster}}')],
        { min: 0 },
      ),
    )
    .withPanel(
      timeSeriesPanel(
        {
          title: 'REST requests',
          description: 'Requests connect-sentinel sent to Kafka Connect per second, by cluster and result (HTTP status, timeout, error, too_large).',
          unit: 'reqps',
          w: 6,
          h: 7,
        },
        [rangeQuery(`sum by (connect_cluster, code) (rate(kafka_connect_exporter_rest_requests_total{${S}}[$__rate_interval]))`, '{{connect_cluster}} {{code}}')],
        { min: 0 },
      ),
    )
    .withPanel(
      timeSeriesPanel(
        {
          title: 'Failed polls',
          description: 'Polls per minute that failed or whose answer was not trusted, by cluster and reason (unreachable, timeout, http, decode, too_large, untrusted, other).',
          unit: 'opm',
          w: 6,
          h: 7,
        },
        [rangeQuery(`60 * sum by (connect_cluster, reason) (rate(kafka_connect_exporter_poll_errors_total{${S}}[$__rate_interval]))`, '{{connect_cluster}} {{reason}}')],
        { min: 0 },
      ),
    )
    .withPanel(
      stateTimelinePanel(
        {
          title: 'Configuration and history',
          description: 'Whether the last configuration reload succeeded and whether the restart history can be written, per instance.',
          unit: 'none',
          w: 8,
          h: 7,
        },
        [
          rangeQuery(`min by (instance) (kafka_connect_exporter_config_last_reload_successful{${JOB}})`, 'config reload {{instance}}'),
          rangeQuery(`min by (instance) (kafka_connect_exporter_history_writable{${JOB}})`, 'history {{instance}}'),
        ],
        OK_FAILED,
      ),
    )
    .withPanel(
      timeSeriesPanel(
        { title: 'Memory', description: 'Resident memory and V8 heap in use of each connect-sentinel instance.', unit: 'bytes', w: 8, h: 7 },
        [
          rangeQuery(`process_resident_memory_bytes{${JOB}}`, 'resident {{instance}}'),
          rangeQuery(`nodejs_heap_size_used_bytes{${JOB}}`, 'heap {{instance}}'),
        ],
        { min: 0 },
      ),
    )
    .withPanel(
      timeSeriesPanel(
        { title: 'CPU', description: 'CPU time each connect-sentinel instance used, as a share of one core.', unit: 'percentunit', w: 8, h: 7 },
        [rangeQuery(`rate(process_cpu_seconds_total{${JOB}}[$__rate_interval])`, '{{instance}}')],
        { min: 0 },
      ),
    )
    .withPanel(
      timeSeriesPanel(
        {
          title: 'Event loop lag',
          description: '99th percentile of the Node.js event loop delay. High values delay polls and scrapes.',
          unit: 's',
          w: 6,
          h: 7,
        },
        [rangeQuery(`nodejs_eventloop_lag_p99_seconds{${JOB}}`, '{{instance}}')],
        { min: 0 },
      ),
    )
    .withPanel(
      timeSeriesPanel(
        { title: 'Scrape duration', description: 'How long Prometheus took to scrape connect-sentinel.', unit: 's', w: 6, h: 7 },
        [rangeQuery(`scrape_duration_seconds{${JOB}}`, '{{instance}}')],
        { min: 0 },
      ),
    )
    .withPanel(
      timeSeriesPanel(
        {
          title: 'Series per scrape',
          description: 'Samples in each scrape of connect-sentinel: the cost of the fleet in Prometheus. Connector filters in the configuration reduce it.',
          unit: 'short',
          w: 6,
          h: 7,
        },
        [rangeQuery(`scrape_samples_scraped{${JOB}}`, '{{instance}}')],
        { min: 0 },
      ),
    )
    .withPanel(
      tablePanel(
        { title: 'Version', description: 'The connect-sentinel version of each instance.', unit: 'none', w: 6, h: 7 },
        tableQuery(`max by (job, instance, version) (kafka_connect_exporter_build_info{${JOB}})`),
        { columns: [{ field: 'instance', header: 'Instance' }, { field: 'version', header: 'Version' }] },
      ),
    );
}

export function overviewDashboard(config: MonitoringConfig): Dashboard {
  const dashboard = dashboardFrame(config, {
    title: 'Overview',
    uid: config.dashboards.overviewUid,
    description: 'Health of every Kafka Connect cluster, connector and task connect-sentinel watches, and of its automatic restarts.',
    variables: variables(config),
    annotation: restartAnnotation(SC),
    link: dashboardLink('Connector', config.dashboards.connectorUid, 'datasourceAndJob'),
  });
  healthRow(config, dashboard);
  stateTables(config, dashboard, { title: 'Failed', what: 'FAILED', stateMatcher: 'state="failed"' });
  statesRow(dashboard);
  stateTables(config, dashboard, { title: 'Otherwise not running', what: 'neither RUNNING nor FAILED (paused, stopped, unassigned, restarting)', stateMatcher: 'state!~"running|failed"' });
  autoRestartRow(config, dashboard);
  clustersRow(dashboard);
  exporterRow(dashboard);
  return dashboard.build();
}
