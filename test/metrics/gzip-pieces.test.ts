// A gzip body assembled from pieces compressed separately: the CRC-32 combination, and bodies that decompress to
// exactly the text of their pieces whatever the split (empty pieces, multi-byte characters cut anywhere).

import { spawnSync } from 'node:child_process';
import { crc32, gunzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { crc32Combine } from '../../src/metrics/crc32-combine.ts';
import { Exposition } from '../../src/metrics/exposition.ts';
import { compressPiece, joinPieces } from '../../src/metrics/gzip.ts';
import { PieceCache } from '../../src/metrics/piece-cache.ts';
import { renderClusterReusing, type ClusterRender } from '../../src/metrics/render.ts';
import { createSelfMetrics } from '../../src/metrics/self.ts';
import { gzipBody, gzipFinish, plainBody } from './bodies.ts';
import { connector, task, view } from './views.ts';

const bytes = fc.uint8Array({ maxLength: 300 }).map((array) => Buffer.from(array));
const text = fc.string({ unit: fc.constantFrom('a', 'é', '日', '😀', '\n', '"', '\ud800'), maxLength: 200 });

/** `whole` cut at the given (sorted, possibly repeated) byte positions: pieces may be empty or split a character. */
function split(whole: Buffer, cuts: readonly number[]): Buffer[] {
  const at = [0, ...cuts.map((cut) => cut % (whole.length + 1)).sort((a, b) => a - b), whole.length];
  return at.slice(1).map((end, index) => whole.subarray(at[index], end));
}

describe('crc32Combine', () => {
  it('gives the CRC-32 of the concatenation', () => {
    fc.assert(
      fc.property(bytes, bytes, (a, b) => {
        expect(crc32Combine(crc32(a), crc32(b), b.length)).toBe(crc32(Buffer.concat([a, b])));
      }),
      { numRuns: 500 },
    );
  });

  it('folds over many pieces, long ones included', () => {
    const pieces = [Buffer.alloc(3_000_000, 0x61), Buffer.alloc(0), Buffer.from('日本😀'), Buffer.alloc(70_000, 0xff)];
    const folded = pieces.reduce((crc, piece) => crc32Combine(crc, crc32(piece), piece.length), 0);
    expect(folded).toBe(crc32(Buffer.concat(pieces)));
  });
});

describe('gzip from pieces', () => {
  it('decompresses to the pieces then the tail, however the text is cut', async () => {
    await fc.assert(
      fc.asyncProperty(text, fc.array(fc.nat(), { maxLength: 6 }), text, async (head, cuts, tail) => {
        const pieces = await Promise.all(split(Buffer.from(head), cuts).map(compressPiece));
        const body = gzipFinish(joinPieces(pieces), Buffer.from(tail));
        expect(gunzipSync(body).equals(Buffer.from(head + tail))).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it('is one gzip member that gzip itself reads, with pieces compressed off the main thread', async () => {
    const large = Buffer.from('kafka_connect_task_state{connector="x",state="running"} 1\n'.repeat(5000));
    const pieces = await Promise.all([Buffer.from('small\n'), large, Buffer.alloc(0), large].map(compressPiece));
    const body = gzipFinish(joinPieces(pieces), Buffer.from('tail\n'));
    const gzip = spawnSync('gzip', ['-dc'], { input: body });
    expect(gzip.status).toBe(0);
    expect(gzip.stdout.equals(Buffer.concat([Buffer.from('small\n'), large, large, Buffer.from('tail\n')]))).toBe(true);
    const listing = spawnSync('gzip', ['--list', '--verbose'], { input: body, encoding: 'utf8' }).stdout;
    expect(listing.split('\n').filter((line) => /^defla/.test(line))).toHaveLength(1);
  });

  it('keeps only the bytes of a compressed piece, not the 16 kB zlib chunk it came in', async () => {
    for (const size of [10, 3000, 50_000]) {
      const { blocks } = await compressPiece(Buffer.from('x'.repeat(size)));
      expect(blocks.buffer.byteLength).toBe(blocks.length);
    }
  });

  it('joins no pieces into an empty head', () => {
    expect(gunzipSync(gzipFinish(joinPieces([]), Buffer.from('only the tail'))).toString()).toBe('only the tail');
    expect(gunzipSync(gzipFinish(joinPieces([]), Buffer.alloc(0))).length).toBe(0);
  });
});

describe('PieceCache', () => {
  it('compresses a piece once for as long as it is the same Buffer', async () => {
    const cache = new PieceCache();
    const piece = Buffer.from('line\n'.repeat(2000));
    const first = cache.get(piece);
    expect(cache.get(piece)).toBe(first);
    const equalButOther = Buffer.from(piece);
    expect(cache.get(equalButOther)).not.toBe(first);
    expect((await first).blocks.equals((await cache.get(equalButOther)).blocks)).toBe(true);
  });

  it('finishes every piece handed over at once', async () => {
    const cache = new PieceCache();
    const pieces = Array.from({ length: 20 }, (_, index) => Buffer.from(`piece ${index}\n`.repeat(1000 * (index % 3))));
    const compressed = await Promise.all(pieces.map((piece) => cache.get(piece)));
    expect(gunzipSync(gzipFinish(joinPieces(compressed), Buffer.alloc(0))).equals(Buffer.concat(pieces))).toBe(true);
  });
});

describe('Exposition gzip over polls rendered by reuse', () => {
  const fleet = (failing: number) =>
    Array.from({ length: 300 }, (_, index) =>
      connector(`connector-${index}`, index === failing ? 'failed' : 'running', [task(0, index === failing ? 'failed' : 'running'), task(1, 'running')]),
    );

  it('gunzips to exactly the plain body at every poll, in both formats', async () => {
    const self = createSelfMetrics({ processMetrics: false, version: '1.2.3', nodejsVersion: '24.9.0' });
    const exposition = new Exposition(self);
    let previous: ClusterRender | undefined;
    for (const failing of [-1, 7, 7, 250, -1]) {
      previous = renderClusterReusing(view('prod', fleet(failing)), undefined, { dropZeroStates: false }, previous);
      exposition.setCluster(previous);
      exposition.setCluster(renderClusterReusing(view('other', fleet(3)), undefined, { dropZeroStates: true }, exposition.lastRender('other')));
      for (const format of ['prometheus', 'openmetrics'] as const) {
        const gzipped = await gzipBody(exposition, format);
        const plain = await plainBody(exposition, format);
        expect(gunzipSync(gzipped.body).equals(plain.body)).toBe(true);
      }
    }
  });

  it('keeps a gzip body it is writing whole when a poll lands meanwhile', async () => {
    const self = createSelfMetrics({ processMetrics: false, version: '1.2.3' });
    const exposition = new Exposition(self);
    exposition.setCluster(renderClusterReusing(view('prod', [connector('before', 'running')]), undefined, { dropZeroStates: false }, undefined));
    const pending = gzipBody(exposition, 'prometheus');
    exposition.setCluster(
      renderClusterReusing(view('prod', [connector('after', 'running')]), undefined, { dropZeroStates: false }, exposition.lastRender('prod')),
    );
    const body = gunzipSync((await pending).body).toString();
    expect(body).toContain('connector="before"');
    expect(body).not.toContain('connector="after"');
    expect(gunzipSync((await gzipBody(exposition, 'prometheus')).body).toString()).toContain('connector="after"');
  });

  it('forgets the last render of a deleted cluster', () => {
    const self = createSelfMetrics({ processMetrics: false, version: '1.2.3' });
    const exposition = new Exposition(self);
    exposition.setCluster(renderClusterReusing(view('prod', fleet(-1)), undefined, { dropZeroStates: false }, undefined));
    expect(exposition.lastRender('prod')?.reuse.located.size).toBe(300);
    exposition.deleteCluster('prod');
    expect(exposition.lastRender('prod')).toBeUndefined();
  });
});
