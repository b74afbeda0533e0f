import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.ts';

function capture() {
  const lines: Array<Record<string, unknown>> = [];
  const logger = createLogger('debug', new Writable({
    write(chunk, _enc, done) {
      lines.push(JSON.parse(String(chunk)));
      done();
    },
  }));
  return { logger, lines };
}

describe('createLogger', () => {
  it('keeps error summaries as they are', () => {
    const { logger, lines } = capture();
    logger.warn({ err: { code: 'CS_ERR_CONNECT_HTTP', message: 'answered 500' } }, 'poll failed');
    expect(lines[0]!['err']).toEqual({ code: 'CS_ERR_CONNECT_HTTP', message: 'answered 500' });
  });

  it('serializes Error objects with their name, code and message', () => {
    const { logger, lines } = capture();
    logger.error({ err: Object.assign(new Error('disk full'), { code: 'ENOSPC' }) }, 'write failed');
    expect(lines[0]!['err']).toMatchObject({ type: 'Error', code: 'ENOSPC', message: 'disk full' });
  });

  it('censors credential-shaped fields whatever they hold', () => {
    const { logger, lines } = capture();
    logger.info({ password: 'p4ss', auth: { token: 't0ken' }, headers: { authorization: 'Basic eA==' }, config: { 'database.password': 'x' } }, 'm');
    const text = JSON.stringify(lines[0]);
    for (const secret of ['p4ss', 't0ken', 'Basic eA==', 'database.password']) expect(text).not.toContain(secret);
  });
});
