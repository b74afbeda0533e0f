// Pure: the bounded `reason` label of kafka_connect_exporter_poll_errors_total for an error a poll ended with.
// A poll held back as untrusted is not an error; the poller reports it as `untrusted` itself.

import { ConnectUnreachableError, isSentinelError } from '../errors.ts';
import type { PollErrorReason } from './catalogue.ts';

export function pollErrorReason(err: unknown): PollErrorReason {
  if (err instanceof ConnectUnreachableError) return err.timeout ? 'timeout' : 'unreachable';
  if (isSentinelError(err, 'CS_ERR_CONNECT_HTTP')) return 'http';
  if (isSentinelError(err, 'CS_ERR_CONNECT_DECODE')) return 'decode';
  if (isSentinelError(err, 'CS_ERR_CONNECT_TOO_LARGE')) return 'too_large';
  if (isSentinelError(err, 'CS_ERR_CONNECT_LIMIT')) return 'limit';
  return 'other';
}
