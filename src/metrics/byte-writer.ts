// A growable UTF-8 byte buffer. Rendering writes hundreds of thousands of short lines; encoding them straight into
// one buffer avoids building (and later flattening) a huge JavaScript string and the garbage that comes with it.

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
    const needed = this.#length + text.length * MAX_BYTES_PER_UNIT;
    if (needed > this.#buffer.length) {
      const grown = Buffer.allocUnsafe(Math.max(this.#buffer.length * 2, needed));
      this.#buffer.copy(grown, 0, 0, this.#length);
      this.#buffer = grown;
    }
    this.#length += this.#buffer.write(text, this.#length, 'utf8');
  }

  /** The bytes written, in a buffer of exactly their size (the growth slack is not kept alive). */
  toBuffer(): Buffer {
    return Buffer.from(this.#buffer.subarray(0, this.#length));
  }
}
