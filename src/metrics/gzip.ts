// The gzip body of a scrape in two parts: the per-poll part, compressed once per change off the event loop, and the
// small self-metrics tail, compressed at each scrape. The part is raw deflate ended with a full flush (byte-aligned,
// no final block), so the tail can follow it; the tail adds the final block. The result is one ordinary gzip member
// that any gzip reader accepts (some, curl's among them, read only the first member of several).

import { once } from 'node:events';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { constants, crc32, createDeflateRaw, deflateRawSync, type ZlibOptions } from 'node:zlib';

/** Magic, deflate, no flags, no modification time, no extra flags, unknown OS (RFC 1952). */
const GZIP_HEADER = Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff]);

/**
 * At the fastest level: exposition text is so repetitive that level 1 is ~4× faster than the default on a 48 MB
 * body for ~15% more bytes (bench/RESULTS.md).
 */
const PART_OPTIONS: ZlibOptions = { level: constants.Z_BEST_SPEED, chunkSize: 64 * 1024 };
const TAIL_OPTIONS: ZlibOptions = { level: constants.Z_BEST_SPEED };

export interface GzipHead {
  /** The gzip header and the deflate blocks of the data, without a final block, in pieces. */
  readonly parts: readonly Buffer[];
  readonly crc: number;
  /** Uncompressed length. */
  readonly length: number;
  /** Compressed length: the sum of the parts' lengths. */
  readonly bytes: number;
}

/**
 * The start of a gzip member holding the data of `slabs`, one after another. Each slab may be the same Buffer
 * filled again: it is compressed (in the libuv thread pool) before the next one is asked for.
 */
export async function gzipHead(slabs: Iterable<Buffer>): Promise<GzipHead> {
  const deflate = createDeflateRaw(PART_OPTIONS);
  const blocks: Buffer[] = [];
  let bytes = GZIP_HEADER.length;
  deflate.on('data', (chunk: Buffer) => {
    blocks.push(chunk);
    bytes += chunk.length;
  });
  const failed = once(deflate, 'error').then(([err]: unknown[]) => Promise.reject(err as Error));
  failed.catch(() => {});
  let crc = 0;
  let length = 0;
  try {
    for (const slab of slabs) {
      if (slab.length === 0) continue;
      crc = crc32(slab, crc);
      length += slab.length;
      await Promise.race([new Promise<void>((resolve) => deflate.write(slab, () => resolve())), failed]);
    }
    await Promise.race([new Promise<void>((resolve) => deflate.flush(constants.Z_FULL_FLUSH, () => resolve())), failed]);
    // Output pushed in the flush's last turn may reach the listener a tick later.
    await nextTurn();
  } finally {
    deflate.close();
  }
  // One Buffer, not the 64 kB zlib chunks: each is a view that keeps its whole chunk alive.
  const joined = Buffer.allocUnsafeSlow(bytes - GZIP_HEADER.length);
  let at = 0;
  for (const block of blocks) at += block.copy(joined, at);
  return { parts: [GZIP_HEADER, joined], crc, length, bytes };
}

/**
 * The whole gzip member as the list of its buffers, not joined (a server writes them one after another): the head,
 * then `tail` compressed with the final block, then CRC-32 and length.
 */
export function gzipFinishChunks(head: GzipHead, tail: Buffer): { chunks: Buffer[]; length: number } {
  // Node 24's crc32() ignores the CRC to continue from for an empty buffer (it returns 0): an empty tail keeps it.
  const crc = tail.length === 0 ? head.crc : crc32(tail, head.crc);
  const blocks = deflateRawSync(tail, TAIL_OPTIONS);
  const trailer = Buffer.alloc(8);
  trailer.writeUInt32LE(crc, 0);
  // ISIZE is the length modulo 2^32.
  trailer.writeUInt32LE((head.length + tail.length) % 2 ** 32, 4);
  const chunks = [...head.parts, blocks, trailer];
  return { chunks, length: head.bytes + blocks.length + trailer.length };
}
