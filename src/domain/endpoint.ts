// The Kafka Connect endpoints the client calls, as a bounded set: each is a metric label value and an error field.

export const CONNECT_ENDPOINTS = [
  'root',
  'connectors',
  'connector_status',
  'connector_info',
  'plugins',
  'health',
  'connector_restart',
  'task_restart',
] as const;

export type ConnectEndpoint = (typeof CONNECT_ENDPOINTS)[number];

/** Where a request went: enough to name it in an error or a log line, never a credential. */
export interface ConnectRequestContext {
  cluster: string;
  endpoint: ConnectEndpoint;
  /** The worker's origin and base path, without userinfo or query. */
  workerUrl: string;
}
