// The mutable model of one simulated Connect cluster: connector configs (what the config topic holds) and statuses
// (what the status topic holds), kept apart because Connect keeps them apart (docs/connect-rest-api.md §2, §3).

import { SimulatorError } from './errors.ts';
import { connectorPlugin } from './catalogue.ts';
import { failureSpec, FAILURE_KINDS, type FailureKind } from './failures.ts';
import { javaTrace, type TraceSite, type TraceSpec } from './traces.ts';
import type { KafkaProfile } from './version.ts';

/** States as the wire spells them. Any other string may be set too, to feed clients a state they do not know. */
export type WireState = 'UNASSIGNED' | 'RUNNING' | 'PAUSED' | 'FAILED' | 'RESTARTING' | 'STOPPED';
export type InstanceState = WireState | (string & {});
export type ConnectorType = 'source' | 'sink' | 'unknown';
/** The target state in the config topic (pause/resume/stop write it). */
export type TargetState = 'STARTED' | 'PAUSED' | 'STOPPED';

/** A preset failure, a trace built from a spec, or a literal trace. */
export type FailureInput = FailureKind | TraceSpec | { trace: string };

/** What the next restarts of one connector or task do. Without a script, a restart recovers. */
export type RestartScript =
  | { recoverAfterRestart: true }
  /** The next `failuresLeft` restarts fail again (with `failure`, or the instance's last trace); later ones recover. */
  | { failuresLeft: number; failure?: FailureInput }
  /** Every restart fails again, e.g. a ConfigException. */
  | { permanent: true; failure?: FailureInput };

export interface TaskSpec {
  state?: InstanceState;
  workerId?: string;
  /** The trace of a FAILED task; default: the connector plugin's typical failure. */
  failure?: FailureInput;
  restart?: RestartScript;
}

export interface ConnectorSpec {
  name: string;
  connectorClass: string;
  /** Default: the installed plugin's type; `unknown` when no plugin has the class. */
  type?: ConnectorType;
  /** Default: a realistic config for the plugin. `name`, `connector.class` and `tasks.max` are filled in. */
  config?: Record<string, string>;
  /** A task count (all RUNNING) or one spec per task id. Default 1. */
  tasks?: number | readonly TaskSpec[];
  /** The connector instance's state. PAUSED and STOPPED also set the target state. Default RUNNING. */
  state?: InstanceState;
  workerId?: string;
  /** The plugin's version, as statuses show it from 4.1 on. Default: the known plugin's, else the Kafka version. */
  version?: string;
  failure?: FailureInput;
  restart?: RestartScript;
  /** Active topics (`GET …/topics`); default: from the config. */
  topics?: readonly string[];
}

/** One status record. `lastTrace` survives RESTARTING so a failing restart can report the same failure. */
export interface InstanceRecord {
  state: InstanceState;
  workerId: string;
  trace: string | undefined;
  lastTrace: string | undefined;
  restart: RestartScript | undefined;
}

/** Internal: shared with the renderer and the restart engine. Mutate only through SimCluster. */
export interface ConnectorRecord {
  readonly name: string;
  config: Record<string, string>;
  connectorClass: string;
  type: ConnectorType;
  pluginVersion: string;
  target: TargetState;
  /** Task configs: ids 0 … taskCount − 1. */
  taskCount: number;
  /** The task count to restore when a STOPPED connector resumes. */
  desiredTasks: number;
  /** undefined: no status record yet (just created, or the status topic lags). */
  status: InstanceRecord | undefined;
  /** Task status records; before 2.6 they outlive their task configs ("ghosts"). */
  readonly tasks: Map<number, InstanceRecord>;
  /** The config is gone but the name is still listed: `info` is null and `type` unknown. */
  deleting: boolean;
  topics: string[];
  /** Insertion order and Java String hash, for HashMap iteration order. */
  readonly seq: number;
  readonly javaHash: number;
  /** Rendered JSON, dropped on every change. */
  statusJson: string | undefined;
  infoJson: string | undefined;
}

export interface InstanceView {
  state: InstanceState;
  workerId: string;
  trace?: string;
}

export interface ConnectorView {
  name: string;
  connectorClass: string;
  type: ConnectorType;
  target: TargetState;
  config: Readonly<Record<string, string>>;
  taskCount: number;
  deleting: boolean;
  /** undefined when the connector has no status record. */
  connector: InstanceView | undefined;
  /** Task status records, by id. */
  tasks: Array<InstanceView & { id: number }>;
}

/** Config keys whose values are credentials. */
const SECRET_KEY = /password|secret|private\.key|jaas\.config|token|credentials/i;

export class SimCluster {
  readonly profile: KafkaProfile;
  readonly workers: readonly string[];
  readonly #records = new Map<string, ConnectorRecord>();
  readonly #traces = new Map<string, string>();
  #seq = 0;
  #nextWorker = 0;
  #order: { capacity: number; records: ConnectorRecord[] } | undefined;

  constructor(profile: KafkaProfile, workers: readonly string[]) {
    if (workers.length === 0) throw usage('a cluster needs at least one worker');
    this.profile = profile;
    this.workers = [...workers];
  }

  get size(): number {
    return this.#records.size;
  }

  has(name: string): boolean {
    return this.#records.has(name);
  }

  add(spec: ConnectorSpec): void {
    if (this.#records.has(spec.name)) throw usage(`connector ${spec.name} already exists`);
    const plugin = connectorPlugin(spec.connectorClass);
    const taskSpecs: readonly TaskSpec[] =
      typeof spec.tasks === 'object' ? spec.tasks : Array.from({ length: spec.tasks ?? 1 }, () => ({}));
    const state = spec.state ?? 'RUNNING';
    const target: TargetState = state === 'PAUSED' ? 'PAUSED' : state === 'STOPPED' ? 'STOPPED' : 'STARTED';
    // A given config is kept as it is (tasks.max is optional, and only an upper bound); a generated one gets it.
    const config: Record<string, string> = spec.config === undefined
      ? { ...plugin?.config(subjectOf(spec.name), secretFor(spec.name)), 'tasks.max': String(Math.max(1, taskSpecs.length)) }
      : { ...spec.config };
    config['name'] = spec.name;
    config['connector.class'] = spec.connectorClass;
    const type = spec.type ?? plugin?.type ?? guessType(spec.connectorClass);
    const record: ConnectorRecord = {
      name: spec.name,
      config,
      connectorClass: spec.connectorClass,
      type,
      pluginVersion: spec.version ?? plugin?.version ?? this.profile.version,
      target,
      taskCount: target === 'STOPPED' ? 0 : taskSpecs.length,
      desiredTasks: taskSpecs.length,
      status: undefined,
      tasks: new Map(),
      deleting: false,
      topics: [...(spec.topics ?? topicsOf(config))],
      seq: this.#seq++,
      javaHash: javaStringHash(spec.name),
      statusJson: undefined,
      infoJson: undefined,
    };
    const workerId = spec.workerId ?? this.#assignWorker();
    record.status = this.#instance(record, state, workerId, spec.failure, 'connector');
    record.status.restart = copyScript(spec.restart);
    if (target !== 'STOPPED') {
      taskSpecs.forEach((task, id) => {
        const taskState = task.state ?? (target === 'PAUSED' ? 'PAUSED' : 'RUNNING');
        const instance = this.#instance(record, taskState, task.workerId ?? this.#assignWorker(), task.failure, taskSite(record));
        instance.restart = copyScript(task.restart);
        record.tasks.set(id, instance);
      });
    }
    this.#records.set(spec.name, record);
    this.#order = undefined;
  }

  load(specs: Iterable<ConnectorSpec>): void {
    for (const spec of specs) this.add(spec);
  }

  /** Deletes the connector: config and statuses go (Connect writes tombstones, REST never shows DESTROYED). */
  remove(name: string): void {
    this.#get(name);
    this.#records.delete(name);
    this.#order = undefined;
  }

  /** Replaces config entries; `tasks` changes the task count (ghost statuses stay behind before 2.6). */
  update(name: string, change: { config?: Record<string, string>; tasks?: number; type?: ConnectorType }): void {
    const record = this.#get(name);
    if (change.config !== undefined) record.config = { ...change.config, name, 'connector.class': record.connectorClass };
    if (change.type !== undefined) record.type = change.type;
    if (change.tasks !== undefined) this.#setTaskCount(record, change.tasks);
    touch(record);
  }

  setConnectorState(name: string, state: InstanceState, options: { workerId?: string; failure?: FailureInput } = {}): void {
    const record = this.#get(name);
    const workerId = options.workerId ?? record.status?.workerId ?? this.#assignWorker();
    const restart = record.status?.restart;
    record.status = this.#instance(record, state, workerId, options.failure, 'connector', record.status?.lastTrace);
    record.status.restart = restart;
    touch(record);
  }

  /** Sets a task's status record, creating it if needed (a task id beyond the task count is a ghost). */
  setTaskState(name: string, task: number, state: InstanceState, options: { workerId?: string; failure?: FailureInput } = {}): void {
    const record = this.#get(name);
    const previous = record.tasks.get(task);
    const workerId = options.workerId ?? previous?.workerId ?? this.#assignWorker();
    const instance = this.#instance(record, state, workerId, options.failure, taskSite(record), previous?.lastTrace);
    instance.restart = previous?.restart;
    record.tasks.set(task, instance);
    touch(record);
  }

  /** FAILED with a trace (default: the plugin's typical failure); returns the trace. */
  failConnector(name: string, failure?: FailureInput): string {
    this.setConnectorState(name, 'FAILED', failure === undefined ? {} : { failure });
    return this.#get(name).status!.trace!;
  }

  failTask(name: string, task: number, failure?: FailureInput): string {
    this.#task(name, task);
    this.setTaskState(name, task, 'FAILED', failure === undefined ? {} : { failure });
    return this.#get(name).tasks.get(task)!.trace!;
  }

  /** What the next restarts of the connector (task undefined) or one task do. */
  setRestartScript(name: string, task: number | undefined, script: RestartScript | undefined): void {
    const instance = task === undefined ? this.#get(name).status : this.#task(name, task);
    if (instance === undefined) throw usage(`connector ${name} has no status record`);
    instance.restart = copyScript(script);
  }

  moveConnector(name: string, workerId: string): void {
    const record = this.#get(name);
    if (record.status === undefined) throw usage(`connector ${name} has no status record`);
    record.status.workerId = workerId;
    touch(record);
  }

  moveTask(name: string, task: number, workerId: string): void {
    this.#task(name, task).workerId = workerId;
    touch(this.#get(name));
  }

  /**
   * A worker shuts down gracefully: its connectors and tasks become UNASSIGNED and keep its worker_id until another
   * worker picks them up. (A crashed worker writes nothing: its statuses simply stay RUNNING, so there is no call.)
   */
  shutdownWorker(workerId: string): void {
    for (const record of this.#records.values()) {
      let changed = false;
      for (const instance of [record.status, ...record.tasks.values()]) {
        if (instance?.workerId === workerId && instance.state !== 'STOPPED') {
          instance.state = 'UNASSIGNED';
          instance.trace = undefined;
          changed = true;
        }
      }
      if (changed) touch(record);
    }
  }

  /** Removes the connector's status records: what a just-created connector, or a lagging status topic, looks like. */
  dropStatus(name: string): void {
    const record = this.#get(name);
    record.status = undefined;
    record.tasks.clear();
    touch(record);
  }

  /** The config is deleted but statuses and the listing lag behind: `info` is null, `type` unknown, info GETs 404. */
  markDeleting(name: string): void {
    const record = this.#get(name);
    record.deleting = true;
    touch(record);
  }

  pause(name: string): void {
    const record = this.#get(name);
    record.target = 'PAUSED';
    // FAILED instances stay FAILED until restarted; RESTARTING ones settle into PAUSED.
    if (record.status?.state === 'RUNNING') record.status.state = 'PAUSED';
    for (const task of record.tasks.values()) if (task.state === 'RUNNING') task.state = 'PAUSED';
    touch(record);
  }

  resume(name: string): void {
    const record = this.#get(name);
    const wasStopped = record.target === 'STOPPED';
    record.target = 'STARTED';
    if (record.status?.state === 'PAUSED' || record.status?.state === 'STOPPED') record.status.state = 'RUNNING';
    if (wasStopped) {
      this.#setTaskCount(record, record.desiredTasks);
    } else {
      for (const task of record.tasks.values()) if (task.state === 'PAUSED') task.state = 'RUNNING';
    }
    touch(record);
  }

  /** KIP-875: empty task configs and the STOPPED target state; the connector reports STOPPED with `tasks: []`. */
  stop(name: string): void {
    const record = this.#get(name);
    record.target = 'STOPPED';
    if (record.taskCount > 0) record.desiredTasks = record.taskCount;
    record.taskCount = 0;
    record.tasks.clear();
    if (record.status !== undefined) {
      record.status.state = 'STOPPED';
      record.status.trace = undefined;
    }
    touch(record);
  }

  /** Names in the order a Java HashMap of this size iterates them: deterministic, but neither sorted nor insertion order. */
  names(): string[] {
    return this.orderedRecords().map((record) => record.name);
  }

  get(name: string): ConnectorView | undefined {
    const record = this.#records.get(name);
    return record === undefined ? undefined : viewOf(record);
  }

  /** Every credential value in the connector configs: none may ever show up in what the service under test emits. */
  secrets(): string[] {
    const values = new Set<string>();
    for (const record of this.#records.values()) {
      for (const [key, value] of Object.entries(record.config)) if (SECRET_KEY.test(key) && value !== '') values.add(value);
    }
    return [...values];
  }

  /** Internal (renderer, restart engine, routes): the record itself. */
  record(name: string): ConnectorRecord | undefined {
    return this.#records.get(name);
  }

  /** Internal: records in Java HashMap order, cached until a connector is added or removed. */
  orderedRecords(): ConnectorRecord[] {
    const capacity = hashMapCapacity(this.#records.size);
    if (this.#order?.capacity !== capacity) {
      const records = [...this.#records.values()];
      const mask = capacity - 1;
      records.sort((a, b) => (a.javaHash & mask) - (b.javaHash & mask) || a.seq - b.seq);
      this.#order = { capacity, records };
    }
    return this.#order.records;
  }

  /** Internal: changes one instance and drops the rendered JSON. */
  setInstance(record: ConnectorRecord, task: number | undefined, state: InstanceState, trace: string | undefined): void {
    const instance = task === undefined ? record.status : record.tasks.get(task);
    if (instance === undefined) return;
    instance.state = state;
    instance.trace = trace;
    if (trace !== undefined) instance.lastTrace = trace;
    touch(record);
  }

  /** Internal: the trace a failure input stands for, in this cluster's Kafka version. */
  traceOf(failure: FailureInput, site: TraceSite): string {
    if (typeof failure === 'string') {
      if (!FAILURE_KINDS.includes(failure)) throw usage(`unknown failure kind "${failure}"`);
      let trace = this.#traces.get(failure);
      if (trace === undefined) {
        trace = javaTrace(failureSpec(failure, this.profile), site, this.profile);
        this.#traces.set(failure, trace);
      }
      return trace;
    }
    return 'trace' in failure ? failure.trace : javaTrace(failure, site, this.profile);
  }

  /** Internal: the failure a connector's instances report when nothing more specific was given. */
  defaultFailure(record: ConnectorRecord, task: boolean): FailureInput {
    if (!task) return 'config-missing';
    return connectorPlugin(record.connectorClass)?.typicalFailure ?? (record.type === 'sink' ? 'jdbc-sink-batch' : 'connection-refused');
  }

  #instance(
    record: ConnectorRecord,
    state: InstanceState,
    workerId: string,
    failure: FailureInput | undefined,
    site: TraceSite,
    lastTrace?: string,
  ): InstanceRecord {
    let trace: string | undefined;
    if (state === 'FAILED') {
      trace = this.traceOf(failure ?? this.defaultFailure(record, site !== 'connector'), site);
      if (trace === '') trace = undefined;
    }
    return { state, workerId, trace, lastTrace: trace ?? lastTrace, restart: undefined };
  }

  #setTaskCount(record: ConnectorRecord, count: number): void {
    for (let id = record.taskCount; id < count; id++) {
      if (!record.tasks.has(id)) {
        record.tasks.set(id, {
          state: record.target === 'PAUSED' ? 'PAUSED' : 'RUNNING',
          workerId: this.#assignWorker(),
          trace: undefined,
          lastTrace: undefined,
          restart: undefined,
        });
      }
    }
    if (this.profile.has('ghostTaskCleanup')) {
      for (const id of record.tasks.keys()) if (id >= count) record.tasks.delete(id);
    }
    record.taskCount = count;
    touch(record);
  }

  #assignWorker(): string {
    const worker = this.workers[this.#nextWorker % this.workers.length]!;
    this.#nextWorker++;
    return worker;
  }

  #get(name: string): ConnectorRecord {
    const record = this.#records.get(name);
    if (record === undefined) throw usage(`no connector named ${name}`);
    return record;
  }

  #task(name: string, task: number): InstanceRecord {
    const instance = this.#get(name).tasks.get(task);
    if (instance === undefined) throw usage(`connector ${name} has no task ${task}`);
    return instance;
  }
}

export function taskSite(record: ConnectorRecord): TraceSite {
  return record.type === 'sink' ? 'sink-task' : 'source-task';
}

function touch(record: ConnectorRecord): void {
  record.statusJson = undefined;
  record.infoJson = undefined;
}

function viewOf(record: ConnectorRecord): ConnectorView {
  const instance = (status: InstanceRecord): InstanceView =>
    status.trace === undefined
      ? { state: status.state, workerId: status.workerId }
      : { state: status.state, workerId: status.workerId, trace: status.trace };
  return {
    name: record.name,
    connectorClass: record.connectorClass,
    type: record.type,
    target: record.target,
    config: { ...record.config },
    taskCount: record.taskCount,
    deleting: record.deleting,
    connector: record.status === undefined ? undefined : instance(record.status),
    tasks: [...record.tasks.entries()].sort(([a], [b]) => a - b).map(([id, task]) => ({ id, ...instance(task) })),
  };
}

/** Scripts count down as restarts consume them: each instance gets its own copy. */
function copyScript(script: RestartScript | undefined): RestartScript | undefined {
  return script === undefined ? undefined : { ...script };
}

function usage(message: string): SimulatorError {
  return new SimulatorError('SIM_ERR_UNSUPPORTED', message);
}

function guessType(connectorClass: string): ConnectorType {
  if (/Sink/.test(connectorClass)) return 'sink';
  if (/Source/.test(connectorClass)) return 'source';
  return 'unknown';
}

/** `orders-postgres-cdc-00042` → `orders`: the business subject the generated config talks about. */
function subjectOf(name: string): string {
  return /^[a-z0-9]+/.exec(name)?.[0] ?? 'data';
}

/** A stable, password-looking value per connector, so leak tests have something specific to look for. */
function secretFor(name: string): string {
  return `pw-${(javaStringHash(name) >>> 0).toString(36)}-${(javaStringHash(`${name}#`) >>> 0).toString(36)}`;
}

function topicsOf(config: Record<string, string>): string[] {
  const topics = config['topics'];
  if (topics !== undefined && !topics.includes('*')) return topics.split(',').map((topic) => topic.trim());
  const prefix = config['topic.prefix'];
  return prefix === undefined ? [] : [`${prefix.replace(/\.$/, '')}.public.${subjectOf(config['name'] ?? '')}`];
}

/** Java's String.hashCode, spread as HashMap does (`h ^ h >>> 16`). */
function javaStringHash(text: string): number {
  let hash = 0;
  for (let i = 0; i < text.length; i++) hash = (Math.imul(hash, 31) + text.charCodeAt(i)) | 0;
  return hash ^ (hash >>> 16);
}

/** The table size of a HashMap grown to `size` entries from the default 16 at load factor 0.75. */
function hashMapCapacity(size: number): number {
  let capacity = 16;
  while (size > capacity * 0.75) capacity *= 2;
  return capacity;
}
