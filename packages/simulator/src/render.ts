// JSON bodies exactly as Jackson writes them for the simulated version: key order, `trace` only when non-empty,
// `version` from 4.1. Per-connector fragments are cached on the record, so a 10k-connector expand is mostly joins.

import type { ConnectorRecord, InstanceRecord } from './cluster.ts';
import type { KafkaProfile } from './version.ts';

/** `ConnectorStateInfo` of `GET /connectors/{name}/status`; undefined when there is no status record. */
export function statusJson(record: ConnectorRecord, profile: KafkaProfile): string | undefined {
  if (record.status === undefined) return undefined;
  record.statusJson ??= stateInfoJson(record, profile, record.status.state, (task) => task.state);
  return record.statusJson;
}

/**
 * The 202 body of a KIP-745 restart: the current status with RESTARTING on each instance that will restart.
 * Those keep their old trace, which the status topic itself drops (docs/connect-rest-api.md §2.8).
 */
export function restartPlanJson(
  record: ConnectorRecord,
  profile: KafkaProfile,
  restartConnector: boolean,
  restartTask: (task: InstanceRecord) => boolean,
): string {
  return stateInfoJson(
    record,
    profile,
    restartConnector ? 'RESTARTING' : record.status!.state,
    (task) => (restartTask(task) ? 'RESTARTING' : task.state),
  );
}

function stateInfoJson(
  record: ConnectorRecord,
  profile: KafkaProfile,
  connectorState: string,
  taskState: (task: InstanceRecord) => string,
): string {
  const status = record.status!;
  const version = profile.has('statusVersion') ? record.pluginVersion : undefined;
  const tasks = [...record.tasks.entries()]
    .sort(([a], [b]) => a - b)
    .map(([id, task]) => taskStateObject(id, taskState(task), task.workerId, task.trace, version, profile));
  return JSON.stringify({
    name: record.name,
    connector: connectorStateObject(connectorState, status.workerId, status.trace, version, profile),
    tasks,
    type: record.deleting ? 'unknown' : record.type,
  });
}

/** `GET /connectors/{name}/tasks/{id}/status`. */
export function taskStatusJson(id: number, task: InstanceRecord, record: ConnectorRecord, profile: KafkaProfile): string {
  const version = profile.has('statusVersion') ? record.pluginVersion : undefined;
  return JSON.stringify(taskStateObject(id, task.state, task.workerId, task.trace, version, profile));
}

// Jackson writes creator properties first (state, worker_id, then 4.1's version), then the `trace` getter, left
// out when empty. Jackson before Kafka 2.2 wrote `state, trace, id, worker_id`.
function connectorStateObject(
  state: string,
  workerId: string,
  trace: string | undefined,
  version: string | undefined,
  profile: KafkaProfile,
): object {
  if (!profile.has('currentKeyOrder')) return { state, trace, worker_id: workerId };
  return { state, worker_id: workerId, version, trace };
}

function taskStateObject(
  id: number,
  state: string,
  workerId: string,
  trace: string | undefined,
  version: string | undefined,
  profile: KafkaProfile,
): object {
  if (!profile.has('currentKeyOrder')) return { state, trace, id, worker_id: workerId };
  return { id, state, worker_id: workerId, version, trace };
}

/** `ConnectorInfo` of `GET /connectors/{name}`; `null` while the connector is being deleted. */
export function infoJson(record: ConnectorRecord): string {
  if (record.deleting) return 'null';
  record.infoJson ??= JSON.stringify({
    name: record.name,
    config: record.config,
    tasks: taskIds(record),
    type: record.type,
  });
  return record.infoJson;
}

function taskIds(record: ConnectorRecord): Array<{ connector: string; task: number }> {
  return Array.from({ length: record.taskCount }, (_, task) => ({ connector: record.name, task }));
}

/** A task's config: the connector's plus the task class, as most connectors generate it. */
export function taskConfig(record: ConnectorRecord, taskClass: string | undefined): Record<string, string> {
  return taskClass === undefined ? { ...record.config } : { ...record.config, 'task.class': taskClass };
}

/** `GET /connectors/{name}/tasks`. */
export function tasksJson(record: ConnectorRecord, taskClass: string | undefined): string {
  return JSON.stringify(taskIds(record).map((id) => ({ id, config: taskConfig(record, taskClass) })));
}

/** `GET /connectors/{name}/tasks-config` (2.8–3.9): keyed by `name-id`. */
export function tasksConfigJson(record: ConnectorRecord, taskClass: string | undefined): string {
  const out: Record<string, Record<string, string>> = {};
  for (const { task } of taskIds(record)) out[`${record.name}-${task}`] = taskConfig(record, taskClass);
  return JSON.stringify(out);
}

export type Expansion = 'status' | 'info';

/**
 * `GET /connectors?expand=…`. Each connector maps to its expansions in request order (both keys share a Java HashMap
 * bucket, so insertion order shows); unknown values add nothing, leaving `{}`. A connector without a status record is
 * left out when status was asked for.
 */
export function expandedJson(records: readonly ConnectorRecord[], expansions: readonly Expansion[], profile: KafkaProfile): string {
  const parts: string[] = [];
  for (const record of records) {
    const fields: string[] = [];
    let missing = false;
    for (const expansion of expansions) {
      if (expansion === 'status') {
        const status = statusJson(record, profile);
        if (status === undefined) {
          missing = true;
          break;
        }
        fields.push(`"status":${status}`);
      } else {
        fields.push(`"info":${infoJson(record)}`);
      }
    }
    if (!missing) parts.push(`${JSON.stringify(record.name)}:{${fields.join(',')}}`);
  }
  return `{${parts.join(',')}}`;
}

export function namesJson(records: readonly ConnectorRecord[]): string {
  return JSON.stringify(records.map((record) => record.name));
}
