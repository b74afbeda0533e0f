import { spawnSync } from 'node:child_process';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { Exposition } from '../../src/metrics/exposition.ts';
import { createSelfMetrics } from '../../src/metrics/self.ts';
import { gzipBody, gzipFinish, gzipHead, plainBody } from './bodies.ts';
import { connector, task, view, renderFresh } from './views.ts';

/** Gzip members in a body: a reader that stops after the first (curl, some browsers) would see only that one. */
function memberCount(body: Buffer): number {
  const result = spawnSync('gzip', ['--list', '--verbose'], { input: body, encoding: 'utf8' });
  return result.stdout.split('\n').filter((line) => /^defla/.test(line)).length;
}

describe('gzip in two pieces', () => {
  it.each([
    ['text', 'a'.repeat(100_000) + 'é😀\n', 'tail text\n'],
    ['an empty head', '', 'only the tail'],
    ['an empty tail', 'only the head', ''],
    ['both empty', '', ''],
  ])('gives one gzip member that decompresses to head and tail (%s)', async (_case, headText, tailText) => {
    const head = await gzipHead(Buffer.from(headText));
    const body = gzipFinish(head, Buffer.from(tailText));
    expect(gunzipSync(body).toString()).toBe(headText + tailText);
    const gzip = spawnSync('gzip', ['-dc'], { input: body });
    expect(gzip.status).toBe(0);
    expect(gzip.stdout.toString()).toBe(headText + tailText);
    expect(memberCount(body)).toBe(1);
  });

  it('reuses one head for many tails', async () => {
    const head = await gzipHead(Buffer.from('shared head\n'.repeat(1000)));
    expect(gunzipSync(gzipFinish(head, Buffer.from('first\n'))).toString().endsWith('shared head\nfirst\n')).toBe(true);
    expect(gunzipSync(gzipFinish(head, Buffer.from('second\n'))).toString().endsWith('shared head\nsecond\n')).toBe(true);
  });
});

describe('the gzip body of an Exposition', () => {
  it('compresses exactly the plain body, in both formats', async () => {
    const self = createSelfMetrics({ processMetrics: false, version: '1.2.3', nodejsVersion: '24.9.0' });
    const exposition = new Exposition(self);
    exposition.setCluster(renderFresh(view('prod', [connector('x', 'failed', [task(0, 'failed')])]), undefined, { dropZeroStates: false }));
    for (const format of ['prometheus', 'openmetrics'] as const) {
      const gzipped = await gzipBody(exposition, format);
      const plain = await plainBody(exposition, format);
      expect(gzipped.contentEncoding).toBe('gzip');
      expect(gzipped.contentType).toBe(plain.contentType);
      expect(gunzipSync(gzipped.body).equals(plain.body)).toBe(true);
    }
  });

  it('follows new polls and fresh self-metrics', async () => {
    const self = createSelfMetrics({ processMetrics: false, version: '1.2.3' });
    const exposition = new Exposition(self);
    exposition.setCluster(renderFresh(view('prod', [connector('before', 'running')]), undefined, { dropZeroStates: false }));
    expect(gunzipSync((await gzipBody(exposition, 'prometheus')).body).toString()).toContain('connector="before"');
    exposition.setCluster(renderFresh(view('prod', [connector('after', 'running')]), undefined, { dropZeroStates: false }));
    self.restRequest('prod', 'health', '503');
    const text = gunzipSync((await gzipBody(exposition, 'prometheus')).body).toString();
    expect(text).toContain('connector="after"');
    expect(text).not.toContain('connector="before"');
    expect(text).toContain('endpoint="health",code="503"} 1');
    exposition.deleteCluster('prod');
    expect(gunzipSync((await gzipBody(exposition, 'prometheus')).body).toString()).not.toContain('connector=');
  });
});
