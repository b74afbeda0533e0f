// The messages between the benchmark process and its simulator process, and how requests are counted.

export interface SimulatedCluster {
  /** As Kafka Connect reports it, e.g. `3.9.0`. */
  version: string;
  connectors: number;
  tasksPerConnector: number;
  /** Share of tasks FAILED with their plugin's typical trace. */
  failedShare: number;
  workers: number;
  seed: number;
}

export type HostMessage = { id: number; cluster: number } & (
  | { op: 'churn'; seed: number; operations?: number }
  /** The counts since the last reset; `reset` starts a new count. */
  | { op: 'requests'; reset: boolean }
  | { op: 'size' }
);

export type ChildMessage = { id: number } & ({ ok: true; result: unknown } | { ok: false; error: string });

/** What a monitoring client asks Kafka Connect for, by kind of request. */
export const REQUEST_KINDS = [
  /** `GET /connectors?expand=status&expand=info`: every status in one answer. */
  'expandedStatus',
  /** `GET /connectors` without expand: the names only. */
  'list',
  /** `GET /connectors/{name}/status`. */
  'connectorStatus',
  /** `GET /connectors/{name}` (the config, for the connector class). */
  'connectorInfo',
  /** `GET /`. */
  'root',
  /** `GET /connector-plugins`. */
  'plugins',
  'other',
] as const;
export type RequestKind = (typeof REQUEST_KINDS)[number];
export type RequestCounts = Record<RequestKind, number>;

export function emptyRequestCounts(): RequestCounts {
  return Object.fromEntries(REQUEST_KINDS.map((kind) => [kind, 0])) as RequestCounts;
}

const CONNECTOR_STATUS = /^\/connectors\/[^/]+\/status\/?$/;
const CONNECTOR_INFO = /^\/connectors\/[^/]+\/?$/;

export function classifyRequest(method: string, path: string, query: string): RequestKind {
  if (method !== 'GET') return 'other';
  if (path === '/connectors' || path === '/connectors/') return query.includes('expand=status') ? 'expandedStatus' : 'list';
  if (CONNECTOR_STATUS.test(path)) return 'connectorStatus';
  if (CONNECTOR_INFO.test(path)) return 'connectorInfo';
  if (path === '/') return 'root';
  if (path === '/connector-plugins' || path === '/connector-plugins/') return 'plugins';
  return 'other';
}

export function totalRequests(counts: RequestCounts): number {
  return Object.values(counts).reduce((sum, count) => sum + count, 0);
}
