// PromQL shared by the dashboards: the state encoding of state timelines and the joins that put a connector's class,
// its worker and a failure's exception next to each connector or task in a table. The joins read the large state
// metrics as few times as possible: a table of 50,000 tasks must stay one cheap instant query.

import { CONNECTOR_STATES, TASK_STATES } from '../../src/domain/model.ts';
import { valueMappings } from './grafana.ts';

/** How each state looks everywhere: its number in state timelines, its text and its colour. */
export const STATE_STYLES = {
  running: { code: 1, text: 'RUNNING', color: 'green' },
  paused: { code: 2, text: 'PAUSED', color: 'blue' },
  failed: { code: 3, text: 'FAILED', color: 'red' },
  unassigned: { code: 4, text: 'UNASSIGNED', color: 'orange' },
  restarting: { code: 5, text: 'RESTARTING', color: 'yellow' },
  stopped: { code: 6, text: 'STOPPED', color: '#8e8e8e' },
} as const;

export type StateName = keyof typeof STATE_STYLES;

/** Value mappings that show a `state` label value in its text and colour (tables of connectors and tasks). */
export const STATE_TEXT = valueMappings(
  (Object.keys(STATE_STYLES) as StateName[]).map((state) => ({ value: state, text: STATE_STYLES[state].text, color: STATE_STYLES[state].color })),
);

export const CONNECTOR_STATE_NAMES: readonly StateName[] = CONNECTOR_STATES;
export const TASK_STATE_NAMES: readonly StateName[] = TASK_STATES;

function labelList(labels: readonly string[]): string {
  return labels.join(', ');
}

/**
 * One series per `byLabels` whose value is the code of the current state (1 = RUNNING, …), for state timelines:
 * `max by (task) ((m{…, state="running"} == 1) * 1 or (m{…, state="paused"} == 1) * 2 or …)`.
 */
export function encodedState(metric: string, matchers: string, states: readonly StateName[], byLabels: readonly string[]): string {
  const parts = states.map((state) => `(${metric}{${matchers}, state="${state}"} == 1) * ${STATE_STYLES[state].code}`);
  return `max by (${labelList(byLabels)}) (${parts.join(' or ')})`;
}

/** Adds the labels of an info series that exists for every row (`connector_info`, `task_info`). */
function withLabelsOf(rows: string, on: readonly string[], labels: readonly string[], info: string): string {
  const right = `max by (${labelList([...on, ...labels])}) (${info})`;
  return `${rows} * on (${labelList(on)}) group_left (${labelList(labels)}) ${right}`;
}

/**
 * Adds the labels of a series that exists for some rows only (a failure, the experimental worker series) and keeps
 * the rows without one: a missing series must never hide a connector from a table. `rows` appears twice.
 */
function withOptionalLabelsOf(rows: string, on: readonly string[], labels: readonly string[], info: string): string {
  const onList = labelList(on);
  return `(${withLabelsOf(`(${rows})`, on, labels, info)}) or ((${rows}) unless on (${onList}) ${info})`;
}

const CONNECTOR_KEY = ['job', 'connect_cluster', 'connector'];
const TASK_KEY = [...CONNECTOR_KEY, 'task'];

/** Connectors in the states `stateMatcher` selects, with type, class, worker, exception and root cause. */
export function connectorRows(matchers: string, stateMatcher: string): string {
  const state = stateMatcher === '' ? matchers : `${matchers}, ${stateMatcher}`;
  const rows = `max by (${labelList([...CONNECTOR_KEY, 'state'])}) (kafka_connect_connector_state{${state}} == 1)`;
  const withInfo = withLabelsOf(rows, CONNECTOR_KEY, ['type', 'connector_class'], `kafka_connect_connector_info{${matchers}}`);
  const withWorker = withOptionalLabelsOf(withInfo, CONNECTOR_KEY, ['worker_id'], `kafka_connect_connector_worker_info{${matchers}}`);
  return withOptionalLabelsOf(withWorker, CONNECTOR_KEY, ['exception', 'root_cause'], `kafka_connect_connector_failure_info{${matchers}}`);
}

/** Tasks in the states `stateMatcher` selects, with worker, exception and root cause. */
export function taskRows(matchers: string, stateMatcher: string): string {
  const state = stateMatcher === '' ? matchers : `${matchers}, ${stateMatcher}`;
  const rows = `max by (${labelList([...TASK_KEY, 'state'])}) (kafka_connect_task_state{${state}} == 1)`;
  const withWorker = withLabelsOf(rows, TASK_KEY, ['worker_id'], `kafka_connect_task_info{${matchers}}`);
  return withOptionalLabelsOf(withWorker, TASK_KEY, ['exception', 'root_cause'], `kafka_connect_task_failure_info{${matchers}}`);
}

/** Names auto-restart targets in one `target` label: `task 3`, or `connector` for the connector instance (no `task`). */
export function byTarget(expr: string): string {
  return `label_replace(label_replace(${expr}, "target", "task $1", "task", "(.+)"), "target", "connector", "task", "")`;
}
