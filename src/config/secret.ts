// A credential loaded from the config. It prints as <redacted> everywhere a value can leak: string conversion,
// JSON, util.inspect (and so console.log and pino). Only reveal() hands out the value, at the point of use.

import { timingSafeEqual } from 'node:crypto';
import { inspect } from 'node:util';

const REDACTED = '<redacted>';

export class Secret {
  // A private field: not enumerable, not copied by spread or structuredClone, invisible to util.inspect.
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  /** The secret value. Call it only where the value is used (an Authorization header, a TLS context). */
  reveal(): string {
    return this.#value;
  }

  /** The same value as `other`, compared in constant time. */
  equals(other: Secret): boolean {
    const mine = Buffer.from(this.#value, 'utf8');
    const theirs = Buffer.from(other.#value, 'utf8');
    return mine.length === theirs.length && timingSafeEqual(mine, theirs);
  }

  toString(): string {
    return REDACTED;
  }

  toJSON(): string {
    return REDACTED;
  }

  [Symbol.toPrimitive](): string {
    return REDACTED;
  }

  [inspect.custom](): string {
    return REDACTED;
  }
}
