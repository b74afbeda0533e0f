// The gzip part of the exposition: compressed once per change as one stream, whatever the slabs it is taken in,
// then finished per scrape with the self-metrics tail; and published renders served only once compressed, changes
// that arrive during a compression taken together by the next one.

import { spawnSync } from 'node:child_process';
import { gunzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Exposition } from '../../src/metrics/exposition.ts';
import { renderClusterReusing, type ClusterRender } from '../../src/metrics/render.ts';
import { createSelfMetrics } from '../../src/metrics/self.ts';
import { gzipBody, gzipFinish, gzipHead, plainBody } from './bodies.ts';
import { connector, countingReads, renderFresh, task, view } from './views.ts';

const text = fc.string({ unit: fc.constantFrom('a', 'é', '日', '😀', '\n', '"', '\ud800'), maxLength: 400 });

function setup() {
  return new Exposition(createSelfMetrics({ processMetrics: false, version: '1.2.3', nodejsVersion: '24.9.0' }));
}

async function gunzipped(exposition: Exposition): Promise<string> {
  return gunzipSync((await gzipBody(exposition, 'prometheus')).body).toString();
}

describe('gzip head from slabs', () => {
  it('decompresses to the data then the tail, whatever the slab size', async () => {
    await fc.assert(
      fc.asyncProperty(text, fc.integer({ min: 1, max: 64 }), text, async (head, slabBytes, tail) => {
        const body = gzipFinish(await gzipHead(Buffer.from(head), slabBytes), Buffer.from(tail));
        expect(gunzipSync(body).equals(Buffer.from(head + tail))).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it('is one gzip member that gzip itself reads', async () => {
    const large = Buffer.from('kafka_connect_task_state{connector="x",state="running"} 1\n'.repeat(50_000));
    const body = gzipFinish(await gzipHead(large), Buffer.from('tail\n'));
    const gzip = spawnSync('gzip', ['-dc'], { input: body, maxBuffer: 1 << 30 });
    expect(gzip.status).toBe(0);
    expect(gzip.stdout.equals(Buffer.concat([large, Buffer.from('tail\n')]))).toBe(true);
    const listing = spawnSync('gzip', ['--list', '--verbose'], { input: body, encoding: 'utf8' }).stdout;
    expect(listing.split('\n').filter((line) => /^defla/.test(line))).toHaveLength(1);
  });

  it('keeps the compressed bytes in a Buffer of their own, not in 64 kB zlib chunks', async () => {
    const head = await gzipHead(Buffer.from('x'.repeat(300_000)));
    for (const part of head.parts.slice(1)) expect(part.buffer.byteLength).toBe(part.length);
  });
});

describe('Exposition gzip over polls rendered by reuse', () => {
  const fleet = (failing: number) =>
    Array.from({ length: 300 }, (_, index) =>
      connector(`connector-${index}`, index === failing ? 'failed' : 'running', [task(0, index === failing ? 'failed' : 'running'), task(1, 'running')]),
    );

  it('gunzips to exactly the plain body at every poll, in both formats', async () => {
    const exposition = setup();
    let previous: ClusterRender | undefined;
    for (const failing of [-1, 7, 7, 250, -1]) {
      previous = renderClusterReusing(view('prod', fleet(failing)), undefined, { dropZeroStates: false }, previous);
      await exposition.publish(previous);
      exposition.setCluster(renderClusterReusing(view('other', fleet(3)), undefined, { dropZeroStates: true }, exposition.lastRender('other')));
      for (const format of ['prometheus', 'openmetrics'] as const) {
        const gzipped = await gzipBody(exposition, format);
        const plain = await plainBody(exposition, format);
        expect(gunzipSync(gzipped.body).equals(plain.body)).toBe(true);
      }
    }
  });

  it('keeps a gzip body it is writing whole when a poll lands meanwhile', async () => {
    const exposition = setup();
    exposition.setCluster(renderFresh(view('prod', [connector('before', 'running')]), undefined, { dropZeroStates: false }));
    const pending = gzipBody(exposition, 'prometheus');
    exposition.setCluster(renderFresh(view('prod', [connector('after', 'running')]), undefined, { dropZeroStates: false }));
    const body = gunzipSync((await pending).body).toString();
    expect(body).toContain('connector="before"');
    expect(body).not.toContain('connector="after"');
    expect(await gunzipped(exposition)).toContain('connector="after"');
  });

  it('serves the previous part until a published render is compressed, then the new one', async () => {
    const exposition = setup();
    await exposition.publish(renderFresh(view('prod', [connector('before', 'running')]), undefined, { dropZeroStates: false }));
    const publishing = exposition.publish(renderFresh(view('prod', [connector('after', 'running')]), undefined, { dropZeroStates: false }));
    const meanwhile = await gunzipped(exposition);
    expect(meanwhile).toContain('connector="before"');
    expect((await plainBody(exposition, 'prometheus')).body.toString()).toContain('connector="before"');
    await publishing;
    expect(await gunzipped(exposition)).toContain('connector="after"');
    expect((await plainBody(exposition, 'prometheus')).body.toString()).not.toContain('connector="before"');
  });

  it('takes renders published during a compression together into the next, and loses none', async () => {
    const alone = countingReads(renderFresh(view('cluster-0', fleet(-1)), undefined, { dropZeroStates: false }));
    await setup().publish(alone.rendered);
    const readsOfOneCompression = alone.reads();
    expect(readsOfOneCompression).toBeGreaterThan(0);

    const exposition = setup();
    const first = countingReads(renderFresh(view('cluster-0', fleet(-1)), undefined, { dropZeroStates: false }));
    const others = Array.from({ length: 9 }, (_, index) => renderFresh(view(`cluster-${index + 1}`, fleet(index)), undefined, { dropZeroStates: false }));
    await Promise.all([exposition.publish(first.rendered), ...others.map((rendered) => exposition.publish(rendered))]);
    // The first publish starts a compression of cluster-0 alone; the nine that arrive meanwhile share the next one.
    expect(first.reads()).toBe(2 * readsOfOneCompression);
    const body = await gunzipped(exposition);
    for (let index = 0; index < 10; index += 1) expect(body).toContain(`kafka_connect_up{connect_cluster="cluster-${index}"} 1\n`);
  });

  it('forgets the last render of a deleted cluster', () => {
    const exposition = setup();
    exposition.setCluster(renderClusterReusing(view('prod', fleet(-1)), undefined, { dropZeroStates: false }, undefined));
    expect(exposition.lastRender('prod')?.connectors.byName.size).toBe(300);
    exposition.deleteCluster('prod');
    expect(exposition.lastRender('prod')).toBeUndefined();
  });
});
