// Recording rules for the fleet-level aggregates the overview dashboard draws over long ranges, named
// `level:metric:operations` (prometheus.io/docs/practices/rules). With 5,000 connectors these turn ~100k state
// series into a few per cluster.

import type { MonitoringConfig } from './config.ts';
import { by, series } from './promql.ts';
import type { RecordingRule, RuleGroup } from './rules.ts';

export const RECORDING_GROUP_NAME = 'connect-sentinel.rules';

export const RECORDED = {
  connectorStates: 'connect_cluster_state:kafka_connect_connector_state:sum',
  taskStates: 'connect_cluster_state:kafka_connect_task_state:sum',
  tasksRunningRatio: 'connect_cluster:kafka_connect_tasks_running_per_unpaused_tasks:ratio',
  tasksPerWorker: 'connect_cluster_worker_id:kafka_connect_task_info:count',
} as const;

export function recordingRules(config: MonitoringConfig): RecordingRule[] {
  const s = (metric: string, ...matchers: string[]) => series(metric, config.selector, ...matchers);
  const keep = (...labels: string[]) => by([...config.groupLabels, ...labels]);
  // Every replica exports the same connectors and tasks: each is counted once, by its identity, not once per replica.
  const connectorStates = `max ${keep('connect_cluster', 'connector', 'state')} (${s('kafka_connect_connector_state')})`;
  const taskStates = (...matchers: string[]) => `max ${keep('connect_cluster', 'connector', 'task', 'state')} (${s('kafka_connect_task_state', ...matchers)})`;
  const tasks = `sum ${keep('connect_cluster')} (${taskStates()})`;
  const running = `sum ${keep('connect_cluster')} (${taskStates('state="running"')})`;
  const paused = `sum ${keep('connect_cluster')} (${taskStates('state="paused"')})`;
  return [
    { record: RECORDED.connectorStates, expr: `sum ${keep('connect_cluster', 'state')} (${connectorStates})` },
    { record: RECORDED.taskStates, expr: `sum ${keep('connect_cluster', 'state')} (${taskStates()})` },
    // Paused tasks are left out: pausing is someone's decision, not a task that should run and does not. `or 0 * …`
    // gives 0 rather than nothing when no task runs (or none is paused) and zero-valued states are not exported.
    { record: RECORDED.tasksRunningRatio, expr: `(${running} or 0 * ${tasks}) / (${tasks} - (${paused} or 0 * ${tasks}))` },
    {
      record: RECORDED.tasksPerWorker,
      expr: `count ${keep('connect_cluster', 'worker_id')} (max ${keep('connect_cluster', 'connector', 'task', 'worker_id')} (${s('kafka_connect_task_info')}))`,
    },
  ];
}

export function recordingGroup(config: MonitoringConfig): RuleGroup {
  return { name: RECORDING_GROUP_NAME, rules: recordingRules(config) };
}
