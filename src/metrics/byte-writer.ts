// A growable UTF-8 byte buffer. Rendering writes hundreds of thousands of short lines; encoding them straight into
// one buffer avoids building (and later flattening) a huge JavaScript string and the garbage that comes with it.
// The renderer uses one as scratch space: it writes one group of lines, takes them out, and writes the next into
// the same (already grown) memory, so growth copies happen only while it reaches the size of the largest group.

/** A UTF-16 code unit encodes to at most 3 UTF-8 bytes (a surrogate pair: 4 bytes for 2 units). */
const MAX_BYTES_PER_UNIT = 3;

export class ByteWriter {
  #buffer: Buffer;
  #length = 0;

  constructor(initialBytes = 4096) {
    this.#buffer = Buffer.allocUnsafe(initialBytes);
  }

  get length(): number {
    return this.#length;
  }

  write(text: string): void {
    this.#reserve(text.length * MAX_BYTES_PER_UNIT);
    this.#length += this.#buffer.write(text, this.#length, 'utf8');
  }

  /** Appends bytes already encoded (lines kept from an earlier render). */
  append(bytes: Uint8Array): void {
    this.#reserve(bytes.length);
    this.#buffer.set(bytes, this.#length);
    this.#length += bytes.length;
  }

  /** The bytes written, in a buffer of exactly their size (the growth slack is not kept alive). */
  toBuffer(): Buffer {
    return ownCopy(this.#buffer.subarray(0, this.#length));
  }

  /** Like toBuffer, then empties the writer, keeping its memory for the next writes. */
  take(): Buffer {
    const bytes = this.toBuffer();
    this.#length = 0;
    return bytes;
  }

  #reserve(bytes: number): void {
    const needed = this.#length + bytes;
    if (needed <= this.#buffer.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.#buffer.length * 2, needed));
    this.#buffer.copy(grown, 0, 0, this.#length);
    this.#buffer = grown;
  }
}

/**
 * A copy in memory of its own. Buffer.from would put a small copy in a shared 8 kB pool slab, which stays alive as
 * long as any buffer in it: rendered pieces live for many polls and are replaced a few at a time, so the slabs of the
 * replaced ones would be kept by their neighbours.
 */
export function ownCopy(bytes: Uint8Array): Buffer {
  const copy = Buffer.allocUnsafeSlow(bytes.length);
  copy.set(bytes);
  return copy;
}
