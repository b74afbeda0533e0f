import { describe, expect, it } from 'vitest';
import type { ConnectRequestContext } from '../../src/domain/endpoint.ts';
import {
  ConnectDecodeError,
  ConnectHttpError,
  ConnectTooLargeError,
  ConnectUnreachableError,
  SentinelError,
} from '../../src/errors.ts';
import { pollErrorReason } from '../../src/metrics/poll-error-reason.ts';

const context: ConnectRequestContext = { cluster: 'prod', endpoint: 'connectors', workerUrl: 'http://worker:8083' };

describe('pollErrorReason', () => {
  it.each([
    [new ConnectUnreachableError(context, { timeout: true, aborted: false }), 'timeout'],
    [new ConnectUnreachableError(context, { timeout: false, aborted: false, causeCode: 'ECONNREFUSED' }), 'unreachable'],
    [new ConnectHttpError(context, { status: 503, connectMessage: null }), 'http'],
    [new ConnectDecodeError('expected an object at the top level, got string', context), 'decode'],
    [new ConnectTooLargeError(context, 1024), 'too_large'],
    [new SentinelError('CS_ERR_CONFIG_INVALID', 'nope'), 'other'],
    [new TypeError('boom'), 'other'],
    ['a string', 'other'],
  ])('%s gives %s', (err, reason) => {
    expect(pollErrorReason(err)).toBe(reason);
  });
});
