// A gzip body assembled from pieces compressed separately, so that what did not change since the last poll is not
// compressed again and each scrape compresses only its small self-metrics tail. Each piece is raw deflate started
// with an empty window and ended with a full flush (byte-aligned, no final block), so the pieces can follow one
// another in any combination; the tail adds the final block. The CRC-32 of the whole is combined from the pieces'
// CRCs (crc32-combine.ts). The result is one ordinary gzip member that any gzip reader accepts.

import { promisify } from 'node:util';
import { constants, crc32, deflateRaw as deflateRawCallback, deflateRawSync, type ZlibOptions } from 'node:zlib';
import { ownCopy } from './byte-writer.ts';
import { crc32Combine } from './crc32-combine.ts';

const deflateRaw = promisify(deflateRawCallback);

/** Magic, deflate, no flags, no modification time, no extra flags, unknown OS (RFC 1952). */
const GZIP_HEADER = Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff]);

/**
 * At the fastest level: exposition text is so repetitive that level 1 is ~4× faster than the default on a 48 MB
 * body for ~15% more bytes (bench/RESULTS.md).
 */
const PIECE_OPTIONS: ZlibOptions = { level: constants.Z_BEST_SPEED, finishFlush: constants.Z_FULL_FLUSH };
const TAIL_OPTIONS: ZlibOptions = { level: constants.Z_BEST_SPEED };

/** Below this, compressing on the main thread costs less than a round trip through the thread pool. */
const SYNC_BELOW_BYTES = 4096;

export interface CompressedPiece {
  /** Raw deflate blocks of the piece, ending in a full flush. */
  readonly blocks: Buffer;
  readonly crc: number;
  /** Uncompressed length. */
  readonly length: number;
}

export interface GzipHead {
  /** The gzip header and the deflate blocks of the data, without a final block, in pieces. */
  readonly parts: readonly Buffer[];
  readonly crc: number;
  /** Uncompressed length. */
  readonly length: number;
  /** Compressed length: the sum of the parts' lengths. */
  readonly bytes: number;
}

/** Compresses one piece: small ones right away, larger ones off the main thread (zlib runs in the libuv pool). */
export async function compressPiece(data: Buffer): Promise<CompressedPiece> {
  const crc = crc32(data);
  const blocks = data.length < SYNC_BELOW_BYTES ? deflateRawSync(data, PIECE_OPTIONS) : await deflateRaw(data, PIECE_OPTIONS);
  // zlib hands back a view of its 16 kB output chunk; a piece is kept for many polls, so it keeps only its bytes.
  return { blocks: blocks.byteLength < blocks.buffer.byteLength ? ownCopy(blocks) : blocks, crc, length: data.length };
}

/** The start of a gzip member holding the pieces' data in order. */
export function joinPieces(pieces: readonly CompressedPiece[]): GzipHead {
  let crc = 0;
  let length = 0;
  let bytes = GZIP_HEADER.length;
  const parts: Buffer[] = [GZIP_HEADER];
  for (const piece of pieces) {
    crc = crc32Combine(crc, piece.crc, piece.length);
    length += piece.length;
    bytes += piece.blocks.length;
    parts.push(piece.blocks);
  }
  return { parts, crc, length, bytes };
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
