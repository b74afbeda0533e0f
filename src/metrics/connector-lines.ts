// Pure: the connector and task families of one cluster, as the encoded lines of each connector, kept from one poll
// to the next. Between two polls most connectors do not change, and encoding their ~300,000 lines again (10,000
// connectors, 50,000 tasks) was most of a poll's cost: a connector whose output did not change keeps its bytes, the
// very same Buffer, and only the changed ones are encoded (the way kube-state-metrics caches bytes per object).

import type { Failure, ObservedConnector, TaskStatus } from '../domain/model.ts';
import { CONNECTOR_STATES, TASK_STATES } from '../domain/model.ts';
import { ByteWriter } from './byte-writer.ts';
import { CONNECTOR_FAMILIES, METRICS } from './catalogue.ts';
import { escapeLabelValue, formatValue } from './exposition-text.ts';

const FAMILY_COUNT = CONNECTOR_FAMILIES.length;
const CONNECTOR_INFO = CONNECTOR_FAMILIES.indexOf('connectorInfo');
const CONNECTOR_STATE = CONNECTOR_FAMILIES.indexOf('connectorState');
const CONNECTOR_STATE_SINCE = CONNECTOR_FAMILIES.indexOf('connectorStateSince');
const CONNECTOR_WORKER = CONNECTOR_FAMILIES.indexOf('connectorWorkerInfo');
const CONNECTOR_FAILURE = CONNECTOR_FAMILIES.indexOf('connectorFailureInfo');
const TASK_STATE = CONNECTOR_FAMILIES.indexOf('taskState');
const TASK_STATE_SINCE = CONNECTOR_FAMILIES.indexOf('taskStateSince');
const TASK_INFO = CONNECTOR_FAMILIES.indexOf('taskInfo');
const TASK_FAILURE = CONNECTOR_FAMILIES.indexOf('taskFailureInfo');

export interface ConnectorRenderContext {
  /** `connect_cluster="…"`, escaped. */
  readonly clusterLabel: string;
  readonly dropZeroStates: boolean;
}

/** One connector's lines of every connector family, one family after the other in catalogue order. */
export interface ConnectorLines {
  /** The connector as observed when its lines were encoded. */
  readonly observed: ObservedConnector;
  /** Escaped, as in its labels. */
  readonly name: string;
  readonly bytes: Buffer;
  /** Family f (an index into CONNECTOR_FAMILIES) is bytes[ends[f - 1] ?? 0 … ends[f]). */
  readonly ends: Uint32Array;
}

/** One render of a cluster's connectors, and what the next render of the same cluster reuses. */
export interface RenderedConnectors {
  readonly context: ConnectorRenderContext;
  /** In output order, each escaped name once. */
  readonly connectors: readonly ConnectorLines[];
  readonly byName: ReadonlyMap<string, ConnectorLines>;
  /** Per family: the bytes of its lines, all connectors together. */
  readonly familyBytes: readonly number[];
}

/** Connectors looked at between two steps when their lines are reused, or encoded (about half a millisecond). */
const REUSED_PER_STEP = 512;
const ENCODED_PER_STEP = 16;

/**
 * The connector and task lines of `connectors` (first of each escaped name only, in the given order), reusing what
 * `previous` rendered when it was rendered in the same context. A generator, so that the caller can spread a large
 * render over several turns of its event loop: each step yields the bytes of lines so far, the last returns the render.
 */
export function* connectorLineSteps(
  connectors: readonly ObservedConnector[],
  context: ConnectorRenderContext,
  previous: RenderedConnectors | undefined,
): Generator<number, RenderedConnectors, void> {
  const old =
    previous !== undefined &&
    previous.context.clusterLabel === context.clusterLabel &&
    previous.context.dropZeroStates === context.dropZeroStates
      ? previous.byName
      : undefined;
  const writer = new ByteWriter(64 * 1024);
  const rendered: ConnectorLines[] = [];
  const byName = new Map<string, ConnectorLines>();
  const familyBytes = new Array<number>(FAMILY_COUNT).fill(0);
  let bytes = 0;
  let encoded = 0;
  for (const observed of connectors) {
    const name = escapeLabelValue(observed.status.name);
    // Names are unique in Kafka Connect; a view holding one twice must still give a valid exposition.
    if (byName.has(name)) continue;
    const before = old?.get(name);
    let lines: ConnectorLines;
    if (before !== undefined && sameOutput(before.observed, observed)) {
      // The same bytes, but the status of this poll: the next poll compares against it, and the old one can go.
      lines = before.observed === observed ? before : { ...before, observed };
    } else {
      lines = encodeConnector(writer, observed, name, context);
      encoded += 1;
    }
    rendered.push(lines);
    byName.set(name, lines);
    for (let family = 0; family < FAMILY_COUNT; family += 1) familyBytes[family]! += familyLength(lines, family);
    bytes += lines.bytes.length;
    if (encoded === ENCODED_PER_STEP || rendered.length % REUSED_PER_STEP === 0) {
      encoded = 0;
      yield bytes;
    }
  }
  return { context, connectors: rendered, byName, familyBytes };
}

/** Where family `family` of the connector's lines starts. */
export function familyStart(lines: ConnectorLines, family: number): number {
  return family === 0 ? 0 : lines.ends[family - 1]!;
}

function familyLength(lines: ConnectorLines, family: number): number {
  return lines.ends[family]! - familyStart(lines, family);
}

/** Whether two entries give the same lines: every field that reaches a label or a value, and nothing else. */
function sameOutput(before: ObservedConnector, now: ObservedConnector): boolean {
  if (before === now) return true;
  if (before.stateSince !== now.stateSince || !sameTimes(before.taskStateSince, now.taskStateSince)) return false;
  const a = before.status;
  const b = now.status;
  if (a === b) return true;
  if (
    a.state !== b.state ||
    a.type !== b.type ||
    a.connectorClass !== b.connectorClass ||
    a.workerId !== b.workerId ||
    !sameFailure(a.failure, b.failure) ||
    a.tasks.length !== b.tasks.length
  ) {
    return false;
  }
  for (let index = 0; index < a.tasks.length; index += 1) {
    const x = a.tasks[index]!;
    const y = b.tasks[index]!;
    if (x.id !== y.id || x.state !== y.state || x.workerId !== y.workerId || !sameFailure(x.failure, y.failure)) return false;
  }
  return true;
}

function sameTimes(a: readonly number[], b: readonly number[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let index = 0; index < a.length; index += 1) if (a[index] !== b[index]) return false;
  return true;
}

function sameFailure(a: Failure | undefined, b: Failure | undefined): boolean {
  return (a?.exception ?? '') === (b?.exception ?? '') && (a?.rootCause ?? '') === (b?.rootCause ?? '');
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
const CONNECTOR_STATE_START = `${METRICS.connectorState.name}{`;
const TASK_STATE_START = `${METRICS.taskState.name}{`;

/**
 * One connector's lines, built from precomputed pieces, in `writer` (scratch space, emptied): the connector families
 * first, then its task lines gathered into one write per family.
 */
function encodeConnector(writer: ByteWriter, observed: ObservedConnector, name: string, context: ConnectorRenderContext): ConnectorLines {
  const { status } = observed;
  const { clusterLabel, dropZeroStates } = context;
  const connector = `${clusterLabel},connector="${name}"`;
  const text = new Array<string>(FAMILY_COUNT).fill('');
  text[CONNECTOR_INFO] =
    `${METRICS.connectorInfo.name}{${connector},type="${escapeLabelValue(status.type)}",` +
    `connector_class="${escapeLabelValue(status.connectorClass)}"} 1\n`;
  text[CONNECTOR_STATE] = stateSetLines(`${CONNECTOR_STATE_START}${connector},state="`, CONNECTOR_ENDINGS, status.state, dropZeroStates);
  text[CONNECTOR_STATE_SINCE] =
    `${METRICS.connectorStateSince.name}{${connector},state="${escapeLabelValue(status.state)}"} ${formatValue(observed.stateSince / 1000)}\n`;
  text[CONNECTOR_WORKER] = `${METRICS.connectorWorkerInfo.name}{${connector},worker_id="${escapeLabelValue(status.workerId)}"} 1\n`;
  if (status.state === 'failed') {
    text[CONNECTOR_FAILURE] = `${METRICS.connectorFailureInfo.name}{${connector},${failureLabels(status.failure)}} 1\n`;
  }
  let states = '';
  let since = '';
  let infos = '';
  let failures = '';
  for (const [index, task] of uniqueTasks(status.tasks)) {
    const labels = `${connector},task="${task.id}"`;
    states += stateSetLines(`${TASK_STATE_START}${labels},state="`, TASK_ENDINGS, task.state, dropZeroStates);
    since += `${METRICS.taskStateSince.name}{${labels},state="${escapeLabelValue(task.state)}"} ${formatValue(observed.taskStateSince[index]! / 1000)}\n`;
    infos += `${METRICS.taskInfo.name}{${labels},worker_id="${escapeLabelValue(task.workerId)}"} 1\n`;
    if (task.state === 'failed') failures += `${METRICS.taskFailureInfo.name}{${labels},${failureLabels(task.failure)}} 1\n`;
  }
  text[TASK_STATE] = states;
  text[TASK_STATE_SINCE] = since;
  text[TASK_INFO] = infos;
  text[TASK_FAILURE] = failures;
  const ends = new Uint32Array(FAMILY_COUNT);
  for (let family = 0; family < FAMILY_COUNT; family += 1) {
    writer.write(text[family]!);
    ends[family] = writer.length;
  }
  return { observed, name, bytes: writer.take(), ends };
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

/**
 * The tasks with ids not seen before, with their index in `tasks`. Decoded views are sorted by id without repeats,
 * which costs one pass to confirm.
 */
function* uniqueTasks(tasks: readonly TaskStatus[]): Generator<[number, TaskStatus]> {
  let increasing = true;
  for (let index = 1; index < tasks.length && increasing; index += 1) {
    increasing = (tasks[index]?.id ?? 0) > (tasks[index - 1]?.id ?? 0);
  }
  const seen = increasing ? undefined : new Set<number>();
  for (let index = 0; index < tasks.length; index += 1) {
    const task = tasks[index]!;
    if (seen !== undefined) {
      if (seen.has(task.id)) continue;
      seen.add(task.id);
    }
    yield [index, task];
  }
}
