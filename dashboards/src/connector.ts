// "Kafka Connect / Connector": one connector in depth: its state and its tasks' states over time, failures, and
// what auto-restart did and plans to do about them.

import { RowBuilder, type DashboardBuilder, type Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import type { MonitoringConfig } from '../../alerts/src/config.ts';
import { restartAnnotation } from './annotations.ts';
import {
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
import { stateTimelinePanel, statPanel, tablePanel, timeSeriesPanel } from './panels.ts';
import {
  byTarget,
  CONNECTOR_STATE_NAMES,
  connectorRows,
  encodedState,
  STATE_STYLES,
  STATE_TEXT,
  TASK_STATE_NAMES,
  taskRows,
  type StateName,
} from './queries.ts';

// Single-value variables: Grafana escapes them for `=`, not for `=~`.
const C = `${JOB}, connect_cluster="$connect_cluster", connector="$connector"`;

const STATE_CODES = valueMappings(
  (Object.keys(STATE_STYLES) as StateName[]).map((state) => ({
    value: String(STATE_STYLES[state].code),
    text: STATE_STYLES[state].text,
    color: STATE_STYLES[state].color,
  })),
);

const GAVE_UP = valueMappings([
  { value: '0', text: 'restarts allowed', color: 'green' },
  { value: '1', text: 'GAVE UP', color: 'red' },
]);

function variables(config: MonitoringConfig) {
  return [
    datasourceVariable(),
    jobVariable(config.dashboards.defaultJob),
    labelVariable({
      name: 'connect_cluster',
      label: 'Connect cluster',
      selector: `kafka_connect_up{${JOB}}`,
      multi: false,
      description: 'The Kafka Connect cluster, as named in the connect-sentinel configuration.',
    }),
    labelVariable({
      name: 'connector',
      label: 'Connector',
      selector: `kafka_connect_connector_info{${JOB}, connect_cluster="$connect_cluster"}`,
      multi: false,
      description: 'The connector to show.',
    }),
    filtersVariable(),
  ];
}

const TASK_COLUMNS = [
  { field: 'task', header: 'Task' },
  { field: 'state', header: 'State' },
  { field: 'worker_id', header: 'Worker' },
  { field: 'exception', header: 'Exception' },
  { field: 'root_cause', header: 'Root cause' },
];

function connectorRow(dashboard: DashboardBuilder): void {
  const small = (title: string, description: string, unit = 'short') => ({ title, description, unit, w: 4, h: 4 });
  dashboard
    .withRow(new RowBuilder('Connector'))
    .withPanel(
      statPanel(small('State', 'The connector\'s state now.', 'none'), instantQuery(encodedState('kafka_connect_connector_state', C, CONNECTOR_STATE_NAMES, ['connector'])), {
        mappings: STATE_CODES,
      }),
    )
    .withPanel(statPanel(small('Task count', 'Tasks of the connector, in any state.'), instantQuery(`count(max by (task) (kafka_connect_task_state{${C}} == 1))`)))
    .withPanel(
      statPanel(
        small('Tasks not running', 'Tasks in any state but RUNNING now.'),
        instantQuery(`count(max by (task) (kafka_connect_task_state{${C}, state!="running"}) == 1) or vector(0)`),
        { steps: RED_ABOVE_ZERO },
      ),
    )
    .withPanel(
      statPanel(
        small('Automatic restarts', 'Restarts of the connector and its tasks connect-sentinel sent in the selected time range.'),
        instantQuery(`round(sum(increase(kafka_connect_autorestart_restarts_total{${C}}[$__range]))) or vector(0)`),
      ),
    )
    .withPanel(
      statPanel(
        small('Auto-restart gave up', 'The connector or tasks that connect-sentinel will not restart again. Each one pages.'),
        instantQuery(`count(max by (task) (kafka_connect_autorestart_exhausted{${C}}) == 1) or vector(0)`),
        { steps: RED_ABOVE_ZERO },
      ),
    )
    .withPanel(
      statPanel(
        small('Next planned restart', 'When connect-sentinel will next restart the connector or one of its tasks.', 'dateTimeFromNow'),
        instantQuery(`min(kafka_connect_autorestart_next_attempt_timestamp_seconds{${C}}) * 1000`),
      ),
    )
    .withPanel(
      tablePanel(
        {
          title: 'Connector',
          description: 'Type, class and worker of the connector, and the exception and root cause Connect reported when it FAILED.',
          unit: 'none',
          w: 24,
          h: 4,
        },
        tableQuery(connectorRows(C, '')),
        {
          columns: [
            { field: 'connector', header: 'Connector' },
            { field: 'state', header: 'State' },
            { field: 'type', header: 'Type' },
            { field: 'connector_class', header: 'Class' },
            { field: 'worker_id', header: 'Worker' },
            { field: 'exception', header: 'Exception' },
            { field: 'root_cause', header: 'Root cause' },
          ],
          hidden: ['connect_cluster'],
          stateMappings: STATE_TEXT,
        },
      ),
    )
    .withPanel(
      stateTimelinePanel(
        { title: 'Connector state', description: 'The connector\'s state over time.', unit: 'none', w: 24, h: 4 },
        [rangeQuery(encodedState('kafka_connect_connector_state', C, CONNECTOR_STATE_NAMES, ['connector']), '{{connector}}')],
        STATE_CODES,
      ),
    );
}

function tasksRow(dashboard: DashboardBuilder): void {
  dashboard
    .withRow(new RowBuilder('Tasks'))
    .withPanel(
      stateTimelinePanel(
        { title: 'Task states', description: 'Each task\'s state over time.', unit: 'none', w: 24, h: 8 },
        [rangeQuery(encodedState('kafka_connect_task_state', C, TASK_STATE_NAMES, ['task']), 'task {{task}}')],
        STATE_CODES,
      ),
    )
    .withPanel(
      tablePanel(
        {
          title: 'Tasks',
          description: 'Every task of the connector with its worker, and the exception and root cause Connect reported when it FAILED.',
          unit: 'none',
          w: 24,
          h: 8,
        },
        tableQuery(taskRows(C, '')),
        { columns: TASK_COLUMNS, hidden: ['connect_cluster', 'connector'], stateMappings: STATE_TEXT },
      ),
    );
}

function autoRestartRow(dashboard: DashboardBuilder): void {
  const perMinute = (metric: string) => `60 * sum by (target) (${byTarget(`rate(${metric}{${C}}[$__rate_interval])`)})`;
  dashboard
    .withRow(new RowBuilder('Auto-restart'))
    .withPanel(
      timeSeriesPanel(
        {
          title: 'Restarts',
          description: 'Restarts connect-sentinel sent per minute, and those that failed, for the connector and each task.',
          unit: 'opm',
          w: 12,
          h: 8,
        },
        [
          rangeQuery(perMinute('kafka_connect_autorestart_restarts_total'), '{{target}} restarts'),
          rangeQuery(perMinute('kafka_connect_autorestart_restart_failures_total'), '{{target}} failed restarts'),
        ],
        { min: 0 },
      ),
    )
    .withPanel(
      timeSeriesPanel(
        {
          title: 'Restarts skipped',
          description: 'Restarts auto-restart decided against, per minute and reason (backoff, budget_exhausted, policy_never, …).',
          unit: 'opm',
          w: 12,
          h: 8,
        },
        [rangeQuery(`60 * sum by (reason) (rate(kafka_connect_autorestart_skipped_total{${C}}[$__rate_interval]))`, '{{reason}}')],
        { min: 0 },
      ),
    )
    .withPanel(
      stateTimelinePanel(
        {
          title: 'Auto-restart gave up, over time',
          description: 'When connect-sentinel stopped restarting the connector or a task: its budget was used up or a rule says never.',
          unit: 'none',
          w: 12,
          h: 6,
        },
        [rangeQuery(`max by (target) (${byTarget(`kafka_connect_autorestart_exhausted{${C}}`)})`, '{{target}}')],
        GAVE_UP,
      ),
    )
    .withPanel(
      tablePanel(
        {
          title: 'Next planned restarts',
          description: 'When connect-sentinel will next restart each target that is waiting out its backoff.',
          unit: 'dateTimeAsIso',
          w: 12,
          h: 6,
        },
        tableQuery(`max by (target) (${byTarget(`kafka_connect_autorestart_next_attempt_timestamp_seconds{${C}}`)}) * 1000`),
        { columns: [{ field: 'target', header: 'Target' }, { field: 'Value', header: 'Next restart' }], showValue: true },
      ),
    );
}

export function connectorDashboard(config: MonitoringConfig): Dashboard {
  const dashboard = dashboardFrame(config, {
    title: 'Connector',
    uid: config.dashboards.connectorUid,
    description: 'One Kafka Connect connector: its state and its tasks\' states over time, failures, and automatic restarts.',
    variables: variables(config),
    annotation: restartAnnotation(C),
    link: dashboardLink('Overview', config.dashboards.overviewUid, 'all'),
  });
  connectorRow(dashboard);
  tasksRow(dashboard);
  autoRestartRow(dashboard);
  return dashboard.build();
}
