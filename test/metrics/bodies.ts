// Bodies as a scrape writes them, joined into one Buffer, for tests that read them whole.

import type { ExpositionFormat } from '../../src/metrics/exposition-text.ts';
import type { Exposition } from '../../src/metrics/exposition.ts';
import { gzipFinishChunks, gzipHead as compressHead, type GzipHead } from '../../src/metrics/gzip.ts';

interface Body {
  contentType: string;
  body: Buffer;
}

async function joined(chunks: Promise<{ contentType: string; chunks: readonly Buffer[]; length: number }>): Promise<Body> {
  const { contentType, chunks: buffers, length } = await chunks;
  return { contentType, body: Buffer.concat(buffers, length) };
}

/** The plain /metrics body of `exposition`. */
export function plainBody(exposition: Exposition, format: ExpositionFormat): Promise<Body> {
  return joined(exposition.renderChunks(format));
}

/** The gzip /metrics body of `exposition`. */
export async function gzipBody(exposition: Exposition, format: ExpositionFormat): Promise<Body & { contentEncoding: 'gzip' }> {
  return { ...(await joined(exposition.renderChunks(format, 'gzip'))), contentEncoding: 'gzip' };
}

/** `data` compressed as the start of a gzip member, taken in `slabBytes` at a time through one reused slab. */
export function gzipHead(data: Buffer, slabBytes = 64 * 1024): Promise<GzipHead> {
  const slab = Buffer.alloc(slabBytes);
  function* slabs(): Generator<Buffer> {
    for (let at = 0; at < data.length; at += slabBytes) {
      const copied = data.copy(slab, 0, at, Math.min(at + slabBytes, data.length));
      yield slab.subarray(0, copied);
    }
  }
  return compressHead(slabs());
}

/** The whole gzip member: the head, then `tail` with the final block, CRC-32 and length. */
export function gzipFinish(head: GzipHead, tail: Buffer): Buffer {
  const { chunks, length } = gzipFinishChunks(head, tail);
  return Buffer.concat(chunks, length);
}
