// Every error connect-sentinel raises on purpose, with a stable code, in one place (fastify's lib/errors.js pattern).
// Codes are part of the contract (docs/errors.md); a retired code is never reused.

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
  // Restart history storage
  CS_ERR_STORE_LOCKED: 'data directory is used by another process',
  CS_ERR_STORE_IO: 'restart history cannot be written',
  // HTTP API
  CS_ERR_API_UNAUTHORIZED: 'request is not authorized',
  CS_ERR_API_FORBIDDEN: 'action is disabled',
  CS_ERR_API_BAD_REQUEST: 'request is invalid',
  CS_ERR_API_NOT_FOUND: 'resource not found',
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
