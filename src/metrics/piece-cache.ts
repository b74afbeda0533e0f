// The compressed form of each piece of the exposition, kept for as long as the piece itself is: a render reuses the
// very Buffers of what did not change, so after a poll only the changed pieces are compressed. Compression starts
// as soon as a piece is handed over (eagerly, right after the poll's render), a few pieces at a time.

import { compressPiece, type CompressedPiece } from './gzip.ts';

/**
 * Pieces compressed at once in the thread pool. Each holds a zlib state of a few hundred kB until done, and a full
 * render hands over about a thousand pieces; two keep both cores of a small machine busy.
 */
const CONCURRENCY = 2;

export class PieceCache {
  /** Weak: an entry goes when its piece is no longer served, so the cache holds only what the exposition holds. */
  readonly #compressed = new WeakMap<Buffer, Promise<CompressedPiece>>();
  readonly #waiting: Array<() => void> = [];
  #running = 0;

  /** The piece compressed, started now if it was not already. A failure is not kept: the next call tries again. */
  get(piece: Buffer): Promise<CompressedPiece> {
    let compressed = this.#compressed.get(piece);
    if (compressed === undefined) {
      compressed = this.#limited(() => compressPiece(piece));
      this.#compressed.set(piece, compressed);
      compressed.catch(() => {
        if (this.#compressed.get(piece) === compressed) this.#compressed.delete(piece);
      });
    }
    return compressed;
  }

  async #limited<T>(work: () => Promise<T>): Promise<T> {
    if (this.#running >= CONCURRENCY) await new Promise<void>((resolve) => this.#waiting.push(resolve));
    this.#running += 1;
    try {
      return await work();
    } finally {
      this.#running -= 1;
      this.#waiting.shift()?.();
    }
  }
}
