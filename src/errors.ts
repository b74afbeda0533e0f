// Every error connect-sentinel raises on purpose, with a stable code, in one place (fastify's lib/errors.js pattern).
// Codes are part of the contract (docs/errors.md); a retired code is never reused.

import type { ConnectRequestContext } from './domain/endpoint.ts';

export const ERROR_CODES = {
  // Configuration
  CS_ERR_CONFIG_INVALID: 'configuration is invalid',
  CS_ERR_CONFIG_READ: 'configuration file cannot be read',
  CS_ERR_CLI_USAGE: 'command line is invalid',
  // Kafka Connect REST
  CS_ERR_CONNECT_HTTP: 'Kafka Connect answered with an error status',
  CS_ERR_CONNECT_UNREACHABLE: 'Kafka Connect cannot be reached',
  CS_ERR_CONNECT_DECODE: 'Kafka Connect response has an unexpected shape',
  CS_ERR_CONNECT_TOO_LARGE: 'Kafka Connect response exceeds the size limit',
  CS_ERR_CONNECT_LIMIT: 'Kafka Connect cluster exceeds a configured limit',
  // Restart history storage
  CS_ERR_STORE_LOCKED: 'data directory is used by another process',
  CS_ERR_STORE_IO: 'restart history cannot be written',
  // Replicas coordinated through Kafka
  CS_ERR_NOT_LEADER: 'this replica does not lead',
  CS_ERR_HA: 'the shared restart history in Kafka cannot be opened',
  // HTTP API
  CS_ERR_API_UNAUTHORIZED: 'request is not authorized',
  CS_ERR_API_FORBIDDEN: 'action is disabled',
  CS_ERR_API_BAD_REQUEST: 'request is invalid',
  CS_ERR_API_NOT_FOUND: 'resource not found',
  CS_ERR_API_TOO_LARGE: 'request body exceeds the size limit',
  CS_ERR_INTERNAL: 'internal error',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export class SentinelError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SentinelError';
    this.code = code;
  }
}

export function isSentinelError(err: unknown, code?: ErrorCode): err is SentinelError {
  return err instanceof SentinelError && (code === undefined || err.code === code);
}

// Kafka Connect REST errors. Messages name the cluster, endpoint, worker and status, and at most Connect's own
// `message` when it is one of Connect's known texts: never a credential or any other part of a response body.

const MAX_CONNECT_MESSAGE_LENGTH = 300;

function describeRequest(context: ConnectRequestContext): string {
  return `Kafka Connect cluster "${context.cluster}", ${context.endpoint} on ${context.workerUrl}`;
}

function truncateMessage(message: string): string {
  return message.length > MAX_CONNECT_MESSAGE_LENGTH ? `${message.slice(0, MAX_CONNECT_MESSAGE_LENGTH)}…` : message;
}

// Connect's own texts for the answers a poller and restarter meet (docs/connect-rest-api.md §4). Any other message
// may quote what Connect was given, such as an Authorization header or a connector config value, so it is withheld.
const KNOWN_CONNECT_MESSAGES: readonly RegExp[] = [
  /^HTTP \d{3} [A-Za-z ]+$/,
  /^Connector \S.* (not found|already exists)$/,
  /^(No status found for|Status for) (connector|task) \S.*( not found)?$/,
  /^Unknown (connector|task):? \S/,
  /^Task \S.* not found$/,
  /^Cannot complete request (momentarily due to|because of) [^:]*$/,
  /^Request cannot be completed because a rebalance is expected$/,
  /^Request timed out(\. The (worker is currently|last operation the worker completed was) .*)?$/,
  /^Topic tracking is disabled\.$/,
  /^Connectors must be in the STOPPED state before their offsets can be modified\./,
  // Kafka 2.5's answer to the restart of a task whose status outlived it (no owner to forward the call to).
  /^"uriTemplate" parameter is null\.$/,
];
/** What a follower answers (500) when its forward to the leader or to the owning worker failed. */
const FORWARD_FAILURE = 'IO Error trying to forward REST request';
/** The causes of a forward failure that mean the other worker never got the request: no connection was made. */
const FORWARD_NOT_SENT = /: (java\.net\.)?(ConnectException(: (Connection refused|connect timed out))?|Connection refused)$/;
// A forward failure ends with the exception's text, which may quote anything; only these causes are kept. They tell
// whether the request reached the other worker: Kafka 4.3 gives up on a forward after Jetty's 30 s idle timeout.
const KNOWN_FORWARD_CAUSES =
  /^: (Idle timeout expired: \d+\/\d+ ms|(java\.net\.)?(ConnectException|SocketTimeoutException)(: (Connection refused|Read timed out|connect timed out))?|Connection refused)$/;

/**
 * A follower's forward failure (as cleanConnectMessage left it) after which the other worker may have the request
 * and carry it out: every one but a connection that could not be made, withheld causes included.
 */
export function forwardMayHaveArrived(connectMessage: string | null): boolean {
  return connectMessage !== null && connectMessage.startsWith(FORWARD_FAILURE) && !FORWARD_NOT_SENT.test(connectMessage);
}

/** Connect's message when it is one of Connect's known texts (truncated); otherwise a note that it was withheld. */
function cleanConnectMessage(message: string): string {
  if (message.startsWith(FORWARD_FAILURE)) {
    const cause = message.slice(FORWARD_FAILURE.length);
    return KNOWN_FORWARD_CAUSES.test(cause) ? message : `${FORWARD_FAILURE} (details withheld)`;
  }
  if (KNOWN_CONNECT_MESSAGES.some((known) => known.test(message))) return truncateMessage(message);
  return "(Connect's message withheld: it is not one of Connect's known texts and may quote a secret)";
}

/** Connect answered with a status the caller did not expect (including a 3xx, which is never followed). */
export class ConnectHttpError extends SentinelError {
  readonly context: ConnectRequestContext;
  readonly status: number;
  /** `error_code` from a Connect JSON error body; undefined when the body was not one (HTML, plain text). */
  readonly errorCode: number | undefined;
  /** `message` from a Connect JSON error body, cleaned (cleanConnectMessage); Connect itself sends null for some exceptions. */
  readonly connectMessage: string | null;
  /** 409 (rebalance) and 5xx are worth retrying later; other statuses will not change by themselves. */
  readonly retriable: boolean;
  constructor(
    context: ConnectRequestContext,
    details: { status: number; errorCode?: number; connectMessage: string | null },
  ) {
    const redirect = details.status >= 300 && details.status < 400 ? ' (redirects are not followed)' : '';
    const connectMessage = details.connectMessage === null ? null : cleanConnectMessage(details.connectMessage);
    const said = connectMessage === null ? '' : `: ${connectMessage}`;
    super('CS_ERR_CONNECT_HTTP', `${describeRequest(context)} answered HTTP ${details.status}${redirect}${said}`);
    this.name = 'ConnectHttpError';
    this.context = context;
    this.status = details.status;
    this.errorCode = details.errorCode;
    this.connectMessage = connectMessage;
    this.retriable = details.status === 409 || details.status >= 500;
  }
}

/** No answer: connection refused or reset, TLS failure, timeout, or the request was aborted. */
export class ConnectUnreachableError extends SentinelError {
  readonly context: ConnectRequestContext;
  /** The whole request (including its body) did not finish within the client's timeout. */
  readonly timeout: boolean;
  /** The caller's signal or the client's close() ended the request. */
  readonly aborted: boolean;
  /** The Node.js or undici error code, e.g. ECONNREFUSED, UND_ERR_SOCKET, SELF_SIGNED_CERT_IN_CHAIN. */
  readonly causeCode: string | undefined;
  constructor(
    context: ConnectRequestContext,
    details: { timeout: boolean; aborted: boolean; causeCode?: string },
    options?: { cause?: unknown },
  ) {
    const why = details.timeout
      ? 'timed out'
      : details.aborted
        ? 'was aborted'
        : `failed (${details.causeCode ?? 'connection error'})`;
    super('CS_ERR_CONNECT_UNREACHABLE', `${describeRequest(context)} ${why}`, options);
    this.name = 'ConnectUnreachableError';
    this.context = context;
    this.timeout = details.timeout;
    this.aborted = details.aborted;
    this.causeCode = details.causeCode;
  }
}

/** A response of the wrong shape. `problem` says what and where, e.g. `expected an object or an array at the top level, got string`. */
export class ConnectDecodeError extends SentinelError {
  readonly problem: string;
  readonly context: ConnectRequestContext | undefined;
  constructor(problem: string, context?: ConnectRequestContext) {
    super('CS_ERR_CONNECT_DECODE', context === undefined ? problem : `${describeRequest(context)}: ${problem}`);
    this.name = 'ConnectDecodeError';
    this.problem = problem;
    this.context = context;
  }
}

/** The response body exceeded the client's size limit; reading stopped there. */
export class ConnectTooLargeError extends SentinelError {
  readonly context: ConnectRequestContext;
  readonly limitBytes: number;
  constructor(context: ConnectRequestContext, limitBytes: number) {
    super('CS_ERR_CONNECT_TOO_LARGE', `${describeRequest(context)}: response exceeds ${limitBytes} bytes`);
    this.name = 'ConnectTooLargeError';
    this.context = context;
    this.limitBytes = limitBytes;
  }
}

/** What a poll may hold for one cluster, like Prometheus's `sample_limit`: past it the poll is refused whole. */
export type ClusterLimit = 'maxConnectors' | 'maxTasks' | 'maxExpositionSize';

/** The cluster's answer is larger than a configured bound (connectors, tasks, or the size of its exposition). */
export class ConnectLimitError extends SentinelError {
  readonly cluster: string;
  readonly limit: ClusterLimit;
  /** What was counted, at least (counting may stop once the limit is passed). */
  readonly found: number;
  readonly allowed: number;
  constructor(cluster: string, details: { limit: ClusterLimit; found: number; allowed: number }) {
    const what = { maxConnectors: 'connectors', maxTasks: 'tasks', maxExpositionSize: 'bytes of exposition' }[details.limit];
    super(
      'CS_ERR_CONNECT_LIMIT',
      `Kafka Connect cluster "${cluster}" has at least ${details.found} ${what}, more than ${details.limit} allows (${details.allowed}); the poll is refused`,
    );
    this.name = 'ConnectLimitError';
    this.cluster = cluster;
    this.limit = details.limit;
    this.found = details.found;
    this.allowed = details.allowed;
  }
}

/** A bad command line: the message, and where to read how it is used. */
export function usageError(message: string): SentinelError {
  return new SentinelError('CS_ERR_CLI_USAGE', `${message}\nRun with --help for usage.`);
}

/** What an error says, for anything thrown. */
export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * A log-safe description of an error, what every log line's `err` holds: code and message only (our errors never
 * carry credentials), never the stack or the properties a library error may carry, such as a request's headers.
 */
export function errorSummary(err: unknown): { code?: string; message: string } {
  const code = err instanceof Error ? (err as { code?: unknown }).code : undefined;
  return typeof code === 'string' ? { code, message: errorMessage(err) } : { message: errorMessage(err) };
}
