// A gzip body in two pieces, so that the large per-poll part is compressed once per poll and each scrape compresses
// only its small self-metrics tail. The first piece ends with a full flush (byte-aligned, no final block), so the
// tail's own deflate blocks can follow it; CRC-32 and length continue across both pieces. The result is one
// ordinary gzip member that any gzip reader accepts.

import { promisify } from 'node:util';
import { constants, crc32, deflateRaw as deflateRawCallback, deflateRawSync } from 'node:zlib';

const deflateRaw = promisify(deflateRawCallback);

/** Magic, deflate, no flags, no modification time, no extra flags, unknown OS (RFC 1952). */
const GZIP_HEADER = Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff]);

export interface GzipHead {
  /** The gzip header and the deflate blocks of the data, without a final block. */
  readonly bytes: Buffer;
  readonly crc: number;
  /** Uncompressed length. */
  readonly length: number;
}

/**
 * Compresses `data` off the main thread as the start of a gzip member. At the fastest level: exposition text is so
 * repetitive that level 1 is ~4× faster than the default on a 48 MB body for ~15% more bytes (bench/RESULTS.md).
 */
export async function gzipHead(data: Buffer): Promise<GzipHead> {
  const crc = crc32(data);
  const blocks = await deflateRaw(data, { level: constants.Z_BEST_SPEED, finishFlush: constants.Z_FULL_FLUSH });
  return { bytes: Buffer.concat([GZIP_HEADER, blocks]), crc, length: data.length };
}

/** The whole gzip member: the head, then `tail` compressed with the final block, then CRC-32 and length. */
export function gzipFinish(head: GzipHead, tail: Buffer): Buffer {
  // Node 24's crc32() returns 0 for an empty buffer once zlib has compressed it, so the CRC comes first, and an
  // empty tail leaves it as it is.
  const crc = tail.length === 0 ? head.crc : crc32(tail, head.crc);
  const blocks = deflateRawSync(tail);
  const trailer = Buffer.alloc(8);
  trailer.writeUInt32LE(crc, 0);
  // ISIZE is the length modulo 2^32.
  trailer.writeUInt32LE((head.length + tail.length) % 2 ** 32, 4);
  return Buffer.concat([head.bytes, blocks, trailer]);
}
