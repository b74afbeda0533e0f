// Pure: the connector and task families of one cluster, rendered in groups of consecutive connectors whose encoded
// lines carry over from one poll to the next. Between two polls most connectors do not change, and encoding their
// ~300,000 lines again (10,000 connectors, 50,000 tasks) was most of a poll's cost.
//
// A group ends after a connector whose name hashes to a boundary (about one in GROUP_SIZE), so creating or deleting
// a connector changes only the group it is in, not the grouping of every connector after it. A group whose
// connectors are the same, in the same order, with the same output, keeps its Buffers: the very same objects, which
// is what lets the exposition keep their compressed form too. A group that changed is written again, copying the
// lines of its unchanged connectors from the old group's Buffers (only changed connectors are encoded).

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

/**
 * Mean connectors per group: ~18 kB of lines per group at 5 tasks per connector with full state sets. Smaller groups
 * re-render and recompress less when a few connectors change; larger ones compress better and make fewer pieces.
 */
const GROUP_SIZE = 64;
/** A run of names that never hit a boundary still ends here, so no group grows without bound. */
const MAX_GROUP_CONNECTORS = GROUP_SIZE * 4;

export interface ConnectorRenderContext {
  /** `connect_cluster="…"`, escaped. */
  readonly clusterLabel: string;
  readonly dropZeroStates: boolean;
}

/** One render of a cluster's connectors, and what the next render of the same cluster reuses. Opaque to callers. */
export interface ConnectorGroups {
  readonly context: ConnectorRenderContext;
  readonly groups: readonly Group[];
  /** By escaped connector name: where its lines are. Holds exactly the connectors of this render. */
  readonly located: ReadonlyMap<string, Located>;
}

interface Group {
  /** The rendered connectors in output order, as observed when their lines were rendered. */
  readonly observed: readonly ObservedConnector[];
  readonly names: readonly string[];
  /** Per family: the lines of the group's connectors (empty when none). */
  readonly lines: readonly Buffer[];
  /** Connector i's lines of family f are lines[f][offsets[f * (n + 1) + i] … offsets[f * (n + 1) + i + 1]). */
  readonly offsets: Uint32Array;
}

interface Located {
  readonly group: Group;
  readonly index: number;
}

/** A connector of this render: its escaped name, where it was in the previous render, and whether it changed. */
interface Entry {
  readonly observed: ObservedConnector;
  readonly name: string;
  readonly before: Located | undefined;
  /** `before` when the connector's output did not change: its old lines are its lines. */
  readonly reused: Located | undefined;
}

/** Connectors looked at between two steps while their names are read, before any group is written (under 1 ms). */
const NAMES_PER_STEP = 256;
/** Connectors encoded between two steps inside a group that is written again: about half a millisecond. */
const ENCODED_PER_STEP = 16;

/**
 * The connector and task lines of `connectors` (first of each escaped name only, in the given order), reusing what
 * `previous` rendered when it was rendered in the same context. A generator, so that the caller can spread a large
 * render over several turns of its event loop: a step that ends a group yields the bytes of lines written so far,
 * the steps in between yield 0, and the last returns the render.
 */
export function* connectorGroupSteps(
  connectors: readonly ObservedConnector[],
  context: ConnectorRenderContext,
  previous: ConnectorGroups | undefined,
): Generator<number, ConnectorGroups, void> {
  const old =
    previous !== undefined &&
    previous.context.clusterLabel === context.clusterLabel &&
    previous.context.dropZeroStates === context.dropZeroStates
      ? previous.located
      : undefined;
  const entries: Entry[] = [];
  const seen = new Set<string>();
  for (const observed of connectors) {
    const name = escapeLabelValue(observed.status.name);
    // Names are unique in Kafka Connect; a view holding one twice must still give a valid exposition.
    if (seen.has(name)) continue;
    seen.add(name);
    const before = old?.get(name);
    const reused = before !== undefined && sameOutput(before.group.observed[before.index]!, observed) ? before : undefined;
    entries.push({ observed, name, before, reused });
    if (entries.length % NAMES_PER_STEP === 0) yield 0;
  }
  const writer = new GroupWriter(context);
  const groups: Group[] = [];
  const located = new Map<string, Located>();
  let bytes = 0;
  let start = 0;
  for (let end = 1; end <= entries.length; end += 1) {
    const last = entries[end - 1]!;
    if (end < entries.length && end - start < MAX_GROUP_CONNECTORS && !endsGroup(last.name)) continue;
    const slice = entries.slice(start, end);
    const group = sameGroup(slice) ?? (yield* writer.group(slice));
    slice.forEach((entry, index) => located.set(entry.name, { group, index }));
    groups.push(group);
    start = end;
    for (const lines of group.lines) bytes += lines.length;
    yield bytes;
  }
  return { context, groups, located };
}

/** Per family, the non-empty line Buffers of every group in order. */
export function groupLines(rendered: ConnectorGroups, family: number): Buffer[] {
  const lines: Buffer[] = [];
  for (const group of rendered.groups) {
    const buffer = group.lines[family]!;
    if (buffer.length > 0) lines.push(buffer);
  }
  return lines;
}

/** The group of the previous render when `slice` is exactly its connectors, in order, all unchanged. */
function sameGroup(slice: readonly Entry[]): Group | undefined {
  const group = slice[0]?.reused?.group;
  if (group === undefined || group.names.length !== slice.length) return undefined;
  for (let index = 0; index < slice.length; index += 1) {
    const reused = slice[index]!.reused;
    if (reused?.group !== group || reused.index !== index) return undefined;
  }
  // The same lines, but the entries of this poll: the next poll compares against them, and the old ones can go.
  return { ...group, observed: slice.map((entry) => entry.observed) };
}

/** FNV-1a of the name: a fixed, cheap, well-spread choice of which connectors end a group. */
function endsGroup(name: string): boolean {
  let hash = 0x811c9dc5;
  for (let index = 0; index < name.length; index += 1) hash = Math.imul(hash ^ name.charCodeAt(index), 0x01000193);
  return (hash >>> 0) % GROUP_SIZE === 0;
}

/** Whether two entries give the same lines: every field that reaches a label or a value, and nothing else. */
function sameOutput(before: ObservedConnector, now: ObservedConnector): boolean {
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

/** Writes groups: one scratch writer per family, reused from group to group. */
class GroupWriter {
  readonly #context: ConnectorRenderContext;
  readonly #writers = CONNECTOR_FAMILIES.map(() => new ByteWriter(64 * 1024));

  constructor(context: ConnectorRenderContext) {
    this.#context = context;
  }

  /** A generator too: a group of up to 256 changed connectors takes several milliseconds to encode. */
  *group(entries: readonly Entry[]): Generator<number, Group, void> {
    const stride = entries.length + 1;
    const offsets = new Uint32Array(FAMILY_COUNT * stride);
    let index = 0;
    let encoded = 0;
    while (index < entries.length) {
      const entry = entries[index]!;
      const { reused } = entry;
      if (reused === undefined) {
        writeConnector(this.#writers, entry, this.#context);
        index += 1;
        for (let family = 0; family < FAMILY_COUNT; family += 1) offsets[family * stride + index] = this.#writers[family]!.length;
        encoded += 1;
        if (encoded % ENCODED_PER_STEP === 0) yield 0;
        continue;
      }
      // Unchanged connectors that were consecutive in one old group are copied with one call per family.
      let count = 1;
      while (index + count < entries.length) {
        const next = entries[index + count]!.reused;
        if (next?.group !== reused.group || next.index !== reused.index + count) break;
        count += 1;
      }
      copyRun(this.#writers, reused, count, offsets.subarray(index), stride);
      index += count;
    }
    // A family whose lines come out the same as in the old group of the first connector seen before keeps that
    // Buffer (and with it its compressed form): a task failing changes a group's task states, not its connector lines.
    const old = entries.find((entry) => entry.before !== undefined)?.before?.group;
    const lines = this.#writers.map((writer, family) => {
      const bytes = writer.take();
      const before = old?.lines[family];
      return before?.equals(bytes) ? before : bytes;
    });
    return { observed: entries.map((each) => each.observed), names: entries.map((each) => each.name), lines, offsets };
  }
}

/** Appends `count` connectors' lines from an old group, and sets their end offsets (`offsets` starts at the first one). */
function copyRun(writers: readonly ByteWriter[], from: Located, count: number, offsets: Uint32Array, stride: number): void {
  const { group, index } = from;
  const oldStride = group.names.length + 1;
  for (let family = 0; family < FAMILY_COUNT; family += 1) {
    const writer = writers[family]!;
    const base = family * oldStride + index;
    const start = group.offsets[base]!;
    const shift = writer.length - start;
    for (let k = 1; k <= count; k += 1) offsets[family * stride + k] = group.offsets[base + k]! + shift;
    const end = group.offsets[base + count]!;
    if (end > start) writer.append(group.lines[family]!.subarray(start, end));
  }
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

/** One connector's lines, built from precomputed pieces; its task lines are gathered into one write per family. */
function writeConnector(writers: readonly ByteWriter[], entry: Entry, context: ConnectorRenderContext): void {
  const { observed, name } = entry;
  const { status } = observed;
  const { clusterLabel, dropZeroStates } = context;
  const connector = `${clusterLabel},connector="${name}"`;
  writers[CONNECTOR_INFO]!.write(
    `${METRICS.connectorInfo.name}{${connector},type="${escapeLabelValue(status.type)}",` +
      `connector_class="${escapeLabelValue(status.connectorClass)}"} 1\n`,
  );
  writers[CONNECTOR_STATE]!.write(
    stateSetLines(`${CONNECTOR_STATE_START}${connector},state="`, CONNECTOR_ENDINGS, status.state, dropZeroStates),
  );
  writers[CONNECTOR_STATE_SINCE]!.write(
    `${METRICS.connectorStateSince.name}{${connector},state="${escapeLabelValue(status.state)}"} ${formatValue(observed.stateSince / 1000)}\n`,
  );
  writers[CONNECTOR_WORKER]!.write(
    `${METRICS.connectorWorkerInfo.name}{${connector},worker_id="${escapeLabelValue(status.workerId)}"} 1\n`,
  );
  if (status.state === 'failed') {
    writers[CONNECTOR_FAILURE]!.write(`${METRICS.connectorFailureInfo.name}{${connector},${failureLabels(status.failure)}} 1\n`);
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
  if (states !== '') writers[TASK_STATE]!.write(states);
  if (since !== '') writers[TASK_STATE_SINCE]!.write(since);
  if (infos !== '') writers[TASK_INFO]!.write(infos);
  if (failures !== '') writers[TASK_FAILURE]!.write(failures);
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
