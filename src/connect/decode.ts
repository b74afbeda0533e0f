// Pure decoders from parsed Kafka Connect JSON (`unknown`) to the domain model. The wire is never trusted:
// keys are read by name, missing or mistyped fields get neutral values where the meaning survives, and one bad
// connector entry is reported as missing instead of sinking the whole poll. From a connector's config only
// `connector.class` is read; nothing else of it is kept, because it holds credentials.

import {
  CONNECTOR_STATES,
  TASK_STATES,
  UNKNOWN_STATE,
  type ConnectorStatus,
  type ConnectorType,
  type Failure,
  type PluginInfo,
  type TaskStatus,
  type WorkerInfo,
} from '../domain/model.ts';
import { ConnectDecodeError } from '../errors.ts';
import { parseTrace } from './trace.ts';
import type { ExchangeResult } from './transport.ts';

/** Traces are a few kB; a longer one is kept only up to here, so a pathological cluster cannot fill memory. */
export const MAX_KEPT_TRACE_LENGTH = 64 * 1024;
const TRUNCATION_MARK = '\n[trace truncated by connect-sentinel]\n';
/**
 * Bounds the memory held by strings that may end up in labels or logs. Labels are cut further when written, with a
 * hash that keeps cut values apart (metrics/text.ts).
 */
const MAX_SHORT_TEXT_LENGTH = 4096;
/** Connect's own error messages are short; this keeps a pathological one from being retained. */
const MAX_ERROR_MESSAGE_LENGTH = 4096;
const TASK_ID_TEXT = /^\d{1,9}$/;

/** A connector the cluster named but whose status could not be used in this response. */
export interface MissingConnector {
  name: string;
  reason: string;
  /** The entry was there but of the wrong shape (rather than simply without a status). */
  malformed: boolean;
}

/** `GET /connectors?expand=status&expand=info`: a map since Kafka 2.3, a plain array of names before. */
export type ConnectorListing =
  | { kind: 'expanded'; connectors: ConnectorStatus[]; missing: MissingConnector[] }
  | { kind: 'names'; names: string[]; invalidEntries: number };

export type HealthStatus = 'healthy' | 'starting' | 'unhealthy' | 'unknown';

/** The body of `GET /health` (200 healthy, 503 starting, 500 unhealthy). */
export interface HealthBody {
  status: HealthStatus;
  message: string;
}

/** The `{"error_code","message"}` body Connect sends with its error statuses. */
export interface ConnectErrorBody {
  errorCode: number;
  message: string | null;
}

/** What is kept of `GET /connectors/{name}`: never the config beyond `connector.class`. */
export interface ConnectorInfo {
  name: string;
  type: ConnectorType;
  connectorClass: string;
}

const ROOT = '$';

export function parseJsonBody(text: string): unknown {
  if (text.trim() === '') throw new ConnectDecodeError('the body is empty, expected JSON');
  try {
    return JSON.parse(text);
  } catch {
    // The SyntaxError quotes the body, which may be anything: it is neither kept nor passed on.
    throw new ConnectDecodeError('the body is not JSON');
  }
}

export function decodeConnectorListing(body: unknown): ConnectorListing {
  if (Array.isArray(body)) return decodeNames(body);
  if (isRecord(body)) return decodeExpanded(body);
  return fail('an object or an array', ROOT, body);
}

/** `GET /connectors/{name}/status`. `name` (the name asked for) wins over the body's. */
export function decodeConnectorStatus(
  body: unknown,
  options: { name?: string; connectorClass?: string } = {},
): ConnectorStatus {
  return decodeStatusObject(body, ROOT, options.name, options.connectorClass ?? '');
}

/** The 202 body of `POST /connectors/{name}/restart`: a status with RESTARTING on what will restart. */
export function decodeRestartPlan(body: unknown, name?: string): ConnectorStatus {
  return decodeStatusObject(body, ROOT, name, '');
}

/** `GET /connectors/{name}/tasks/{id}/status`. */
export function decodeTaskStatus(body: unknown): TaskStatus {
  return decodeTask(body, ROOT);
}

/** `GET /connectors/{name}`. */
export function decodeConnectorInfo(body: unknown): ConnectorInfo {
  if (!isRecord(body)) return fail('an object', ROOT, body);
  const name = shortText(own(body, 'name'));
  if (name === undefined) return fail('a string', `${ROOT}.name`, own(body, 'name'));
  return { name, type: connectorType(own(body, 'type')), connectorClass: connectorClassOf(body) };
}

/** `GET /`. */
export function decodeWorkerInfo(body: unknown): WorkerInfo {
  if (!isRecord(body)) return fail('an object', ROOT, body);
  return {
    version: shortText(own(body, 'version')) ?? '',
    commit: shortText(own(body, 'commit')) ?? '',
    kafkaClusterId: shortText(own(body, 'kafka_cluster_id')) ?? '',
  };
}

/** `GET /connector-plugins`. Entries without a class name are skipped. */
export function decodePlugins(body: unknown): PluginInfo[] {
  if (!Array.isArray(body)) return fail('an array', ROOT, body);
  const plugins: PluginInfo[] = [];
  for (const entry of body) {
    if (!isRecord(entry)) continue;
    const pluginClass = shortText(own(entry, 'class'));
    if (pluginClass === undefined) continue;
    plugins.push({
      class: pluginClass,
      type: shortText(own(entry, 'type')) ?? '',
      // Left out by Connect 3.2+ when the plugin's version is "undefined".
      version: shortText(own(entry, 'version')) ?? '',
    });
  }
  return plugins;
}

/** `GET /health` (Kafka 3.9+). */
export function decodeHealth(body: unknown): HealthBody {
  if (!isRecord(body)) return fail('an object', ROOT, body);
  const status = shortText(own(body, 'status'))?.toLowerCase();
  return {
    status: status === 'healthy' || status === 'starting' || status === 'unhealthy' ? status : 'unknown',
    message: shortText(own(body, 'message')) ?? '',
  };
}

/**
 * A Connect error body, or undefined when the text is something else: Jetty's HTML 404 while a worker starts,
 * or the basic-auth filter's plain-text 401 (which claims to be application/json).
 */
export function decodeErrorBody(text: string): ConnectErrorBody | undefined {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isRecord(body)) return undefined;
  const errorCode = own(body, 'error_code');
  if (typeof errorCode !== 'number' || !Number.isInteger(errorCode)) return undefined;
  const message = own(body, 'message');
  return {
    errorCode,
    message: typeof message === 'string' ? message.slice(0, MAX_ERROR_MESSAGE_LENGTH) : null,
  };
}

function decodeNames(body: unknown[]): ConnectorListing {
  const names = new Set<string>();
  let invalidEntries = 0;
  for (const entry of body) {
    const name = text(entry);
    if (name === undefined) invalidEntries += 1;
    else names.add(name);
  }
  return { kind: 'names', names: [...names].sort(byCodeUnits), invalidEntries };
}

function decodeExpanded(body: Record<string, unknown>): ConnectorListing {
  const connectors: ConnectorStatus[] = [];
  const missing: MissingConnector[] = [];
  for (const [name, entry] of Object.entries(body)) {
    const path = `${ROOT}[${JSON.stringify(name)}]`;
    try {
      const status = decodeExpandedEntry(name, entry, path);
      if (status === undefined) missing.push({ name, reason: `no status at ${path}`, malformed: false });
      else connectors.push(status);
    } catch (err) {
      if (!(err instanceof ConnectDecodeError)) throw err;
      missing.push({ name, reason: err.problem, malformed: true });
    }
  }
  connectors.sort((a, b) => byCodeUnits(a.name, b.name));
  missing.sort((a, b) => byCodeUnits(a.name, b.name));
  return { kind: 'expanded', connectors, missing };
}

function decodeExpandedEntry(name: string, entry: unknown, path: string): ConnectorStatus | undefined {
  if (!isRecord(entry)) return fail('an object', path, entry);
  const status = own(entry, 'status');
  // Absent when the `expand` values were not understood (the entry is then `{}`).
  if (status === undefined || status === null) return undefined;
  // `info` is null for a connector being deleted at that moment; its class is then unknown.
  const info = own(entry, 'info');
  const decoded = decodeStatusObject(status, `${path}.status`, name, isRecord(info) ? connectorClassOf(info) : '');
  if (decoded.type === 'unknown' && isRecord(info)) decoded.type = connectorType(own(info, 'type'));
  return decoded;
}

function decodeStatusObject(
  value: unknown,
  path: string,
  name: string | undefined,
  connectorClass: string,
): ConnectorStatus {
  if (!isRecord(value)) return fail('an object', path, value);
  const connectorName = name ?? text(own(value, 'name'));
  if (connectorName === undefined) return fail('a string', `${path}.name`, own(value, 'name'));
  const connector = own(value, 'connector');
  if (!isRecord(connector)) return fail('an object', `${path}.connector`, connector);
  const failure = failureOf(own(connector, 'trace'));
  return {
    name: connectorName,
    type: connectorType(own(value, 'type')),
    connectorClass,
    state: stateOf(own(connector, 'state'), CONNECTOR_STATES),
    workerId: shortText(own(connector, 'worker_id')) ?? '',
    ...(failure === undefined ? {} : { failure }),
    tasks: decodeTasks(own(value, 'tasks'), `${path}.tasks`),
  };
}

/** Tasks sorted by id. A missing list means no tasks; a duplicate id makes the whole status unusable. */
function decodeTasks(value: unknown, path: string): TaskStatus[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) return fail('an array', path, value);
  const tasks = value.map((task, index) => decodeTask(task, `${path}[${index}]`));
  tasks.sort((a, b) => a.id - b.id);
  for (let i = 1; i < tasks.length; i += 1) {
    if (tasks[i]?.id === tasks[i - 1]?.id) throw new ConnectDecodeError(`duplicate task id ${tasks[i]?.id} in ${path}`);
  }
  return tasks;
}

function decodeTask(value: unknown, path: string): TaskStatus {
  if (!isRecord(value)) return fail('an object', path, value);
  const failure = failureOf(own(value, 'trace'));
  return {
    id: taskId(own(value, 'id'), `${path}.id`),
    state: stateOf(own(value, 'state'), TASK_STATES),
    workerId: shortText(own(value, 'worker_id')) ?? '',
    ...(failure === undefined ? {} : { failure }),
  };
}

function taskId(value: unknown, path: string): number {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return value;
  if (typeof value === 'string' && TASK_ID_TEXT.test(value)) return Number(value);
  return fail('a non-negative integer', path, value);
}

/**
 * The known state itself, not the lowercased copy: the view then holds one shared string per state instead of one
 * per connector and task, and every later comparison with a state is a pointer comparison.
 */
function stateOf<S extends string>(value: unknown, known: readonly S[]): S | typeof UNKNOWN_STATE {
  if (typeof value !== 'string') return UNKNOWN_STATE;
  const index = (known as readonly string[]).indexOf(value.toLowerCase());
  return index === -1 ? UNKNOWN_STATE : (known[index] as S);
}

function connectorType(value: unknown): ConnectorType {
  const type = typeof value === 'string' ? value.toLowerCase() : undefined;
  return type === 'source' || type === 'sink' ? type : 'unknown';
}

/** `connector.class` of an info object's `config`; '' when absent. Nothing else of the config is read. */
function connectorClassOf(info: Record<string, unknown>): string {
  const config = own(info, 'config');
  return isRecord(config) ? (shortText(own(config, 'connector.class')) ?? '') : '';
}

function failureOf(trace: unknown): Failure | undefined {
  if (typeof trace !== 'string' || trace === '') return undefined;
  const kept =
    trace.length > MAX_KEPT_TRACE_LENGTH ? trace.slice(0, MAX_KEPT_TRACE_LENGTH) + TRUNCATION_MARK : trace;
  return { ...parseTrace(trace), trace: kept };
}

/** A string, or a number where a string belongs. */
function text(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}

function shortText(value: unknown): string | undefined {
  return text(value)?.slice(0, MAX_SHORT_TEXT_LENGTH);
}

function own(record: Record<string, unknown>, key: string): unknown {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function fail(expected: string, path: string, got: unknown): never {
  const where = path === ROOT ? 'the top level' : path;
  throw new ConnectDecodeError(`expected ${expected} at ${where}, got ${kindOf(got)}`);
}

function kindOf(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

function byCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** An answer's JSON body through `decoder`; a shape error names the request it came from. */
export function decodeWith<T>(result: ExchangeResult, decoder: (body: unknown) => T): T {
  try {
    return decoder(parseJsonBody(result.text));
  } catch (err) {
    if (err instanceof ConnectDecodeError) throw new ConnectDecodeError(err.problem, result.context);
    throw err;
  }
}
