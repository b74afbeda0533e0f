// Pure: one cluster's view (and its auto-restart view) to the sample lines of every per-poll family, encoded once.
// This runs once per poll for up to ~310,000 series (10,000 connectors, 50,000 tasks), so it builds each line
// from precomputed pieces (the label prefix of a connector and of a task is escaped once, and a state-set line
// is that prefix plus a constant ending) and encodes a connector's lines straight into per-family byte buffers.

import {
  CONNECTOR_STATES,
  TASK_STATES,
  type ClusterRestartView,
  type ClusterView,
  type ConnectorStatus,
  type Failure,
} from '../domain/model.ts';
import { METRICS, POLL_FAMILIES, type PollFamily } from './catalogue.ts';
import { ByteWriter } from './byte-writer.ts';
import { escapeLabelValue, formatValue } from './text.ts';

export interface RenderOptions {
  /** Emit only the 1-valued series of a state set (the current state) instead of all of them. */
  readonly dropZeroStates: boolean;
}

export interface RenderedCluster {
  readonly cluster: string;
  /** Per family with samples: its sample lines (no HELP/TYPE), each ending in `\n`, as UTF-8. */
  readonly families: ReadonlyMap<PollFamily, Buffer>;
}

/** For each state of a set: the text after `state="` for the series of value 0 and of value 1. */
interface StateEndings {
  readonly states: readonly string[];
  readonly zero: readonly string[];
  readonly one: readonly string[];
}

function stateEndings(states: readonly string[]): StateEndings {
  return {
    states,
    zero: states.map((state) => `${state}"} 0\n`),
    one: states.map((state) => `${state}"} 1\n`),
  };
}

const CONNECTOR_ENDINGS = stateEndings(CONNECTOR_STATES);
const TASK_ENDINGS = stateEndings(TASK_STATES);

export function renderCluster(
  view: ClusterView,
  restart: ClusterRestartView | undefined,
  options: RenderOptions,
): RenderedCluster {
  const out = Object.fromEntries(POLL_FAMILIES.map((family) => [family, new ByteWriter()])) as Output;
  const cluster = `connect_cluster="${escapeLabelValue(view.cluster)}"`;

  out.up.write(`${METRICS.up.name}{${cluster}} ${view.up ? 1 : 0}\n`);
  out.pollDuration.write(`${METRICS.pollDuration.name}{${cluster}} ${formatValue(view.pollDurationSeconds)}\n`);
  if (view.lastSuccessTimestampSeconds !== null) {
    out.lastPollSuccess.write(
      `${METRICS.lastPollSuccess.name}{${cluster}} ${formatValue(view.lastSuccessTimestampSeconds)}\n`,
    );
  }
  if (view.worker !== undefined) {
    const { version, commit, kafkaClusterId } = view.worker;
    out.clusterInfo.write(
      `${METRICS.clusterInfo.name}{${cluster},version="${escapeLabelValue(version)}",commit="${escapeLabelValue(commit)}",` +
        `kafka_cluster_id="${escapeLabelValue(kafkaClusterId)}"} 1\n`,
    );
  }
  out.pluginInfo.write(pluginLines(view, cluster));
  renderConnectors(out, view, cluster, options.dropZeroStates);
  if (restart !== undefined) renderRestart(out, restart, cluster);

  const families = new Map<PollFamily, Buffer>();
  for (const family of POLL_FAMILIES) {
    if (out[family].length > 0) families.set(family, out[family].toBuffer());
  }
  return { cluster: view.cluster, families };
}

type Output = Readonly<Record<PollFamily, ByteWriter>>;

function pluginLines(view: ClusterView, cluster: string): string {
  const seen = new Set<string>();
  let lines = '';
  for (const plugin of view.plugins) {
    const labels =
      `${cluster},class="${escapeLabelValue(plugin.class)}",type="${escapeLabelValue(plugin.type)}",` +
      `version="${escapeLabelValue(plugin.version)}"`;
    // Kafka Connect may list a plugin twice (one per class loader); a repeated series would be invalid.
    if (seen.has(labels)) continue;
    seen.add(labels);
    lines += `${METRICS.pluginInfo.name}{${labels}} 1\n`;
  }
  return lines;
}

function renderConnectors(out: Output, view: ClusterView, cluster: string, dropZeroStates: boolean): void {
  const connectorState = `${METRICS.connectorState.name}{`;
  const taskState = `${METRICS.taskState.name}{`;
  const seen = new Set<string>();
  for (const { status } of view.connectors) {
    const name = escapeLabelValue(status.name);
    // Names are unique in Kafka Connect; a view holding one twice must still give a valid exposition.
    if (seen.has(name)) continue;
    seen.add(name);
    const connector = `${cluster},connector="${name}"`;

    out.connectorInfo.write(
      `${METRICS.connectorInfo.name}{${connector},type="${escapeLabelValue(status.type)}",` +
        `connector_class="${escapeLabelValue(status.connectorClass)}"} 1\n`,
    );
    out.connectorState.write(
      stateSetLines(`${connectorState}${connector},state="`, CONNECTOR_ENDINGS, status.state, dropZeroStates),
    );
    out.connectorWorkerInfo.write(
      `${METRICS.connectorWorkerInfo.name}{${connector},worker_id="${escapeLabelValue(status.workerId)}"} 1\n`,
    );
    if (status.state === 'failed') {
      out.connectorFailureInfo.write(
        `${METRICS.connectorFailureInfo.name}{${connector},${failureLabels(status.failure)}} 1\n`,
      );
    }

    // A connector's task lines are gathered first: one encoding call per family instead of one per line.
    let states = '';
    let infos = '';
    let failures = '';
    for (const task of uniqueTasks(status)) {
      const labels = `${connector},task="${task.id}"`;
      states += stateSetLines(`${taskState}${labels},state="`, TASK_ENDINGS, task.state, dropZeroStates);
      infos += `${METRICS.taskInfo.name}{${labels},worker_id="${escapeLabelValue(task.workerId)}"} 1\n`;
      if (task.state === 'failed') {
        failures += `${METRICS.taskFailureInfo.name}{${labels},${failureLabels(task.failure)}} 1\n`;
      }
    }
    out.taskState.write(states);
    out.taskInfo.write(infos);
    out.taskFailureInfo.write(failures);
  }
}

/** The state set of one instance: every known state (or only the current one), none of them 1 for an unknown state. */
function stateSetLines(prefix: string, endings: StateEndings, current: string, dropZeroStates: boolean): string {
  const { states, zero, one } = endings;
  if (dropZeroStates) {
    const index = states.indexOf(current);
    return index === -1 ? '' : prefix + one[index];
  }
  let lines = '';
  for (let index = 0; index < states.length; index += 1) {
    lines += prefix + (states[index] === current ? one[index] : zero[index]);
  }
  return lines;
}

/** Class names only, never the trace; empty when Connect reported FAILED without a trace. */
function failureLabels(failure: Failure | undefined): string {
  return `exception="${escapeLabelValue(failure?.exception ?? '')}",root_cause="${escapeLabelValue(failure?.rootCause ?? '')}"`;
}

/** The tasks with ids not seen before. Decoded views are sorted by id without repeats, which costs one pass to confirm. */
function uniqueTasks(status: ConnectorStatus): ConnectorStatus['tasks'] {
  const { tasks } = status;
  let increasing = true;
  for (let index = 1; index < tasks.length && increasing; index += 1) {
    increasing = (tasks[index]?.id ?? 0) > (tasks[index - 1]?.id ?? 0);
  }
  if (increasing) return tasks;
  const seen = new Set<string>();
  return tasks.filter((task) => {
    const id = String(task.id);
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}

function renderRestart(out: Output, restart: ClusterRestartView, cluster: string): void {
  out.autorestartCircuitOpen.write(`${METRICS.autorestartCircuitOpen.name}{${cluster}} ${restart.circuitOpen ? 1 : 0}\n`);
  const seen = new Set<string>();
  for (const target of restart.targets) {
    const { connector, task } = target.ref;
    // A connector target has no task label at all: in Prometheus an empty label is the same as an absent one.
    const labels = `${cluster},connector="${escapeLabelValue(connector)}"${task === undefined ? '' : `,task="${task}"`}`;
    if (seen.has(labels)) continue;
    seen.add(labels);
    if (target.exhausted) out.autorestartExhausted.write(`${METRICS.autorestartExhausted.name}{${labels}} 1\n`);
    if (target.nextAttemptAt !== null) {
      out.autorestartNextAttempt.write(
        `${METRICS.autorestartNextAttempt.name}{${labels}} ${formatValue(target.nextAttemptAt / 1000)}\n`,
      );
    }
  }
}
