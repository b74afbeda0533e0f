// What a cluster's polls are worth telling, said once: a change of polling mode, and connector statuses of an
// unexpected shape. The same news poll after poll goes to debug.

import type { Logger } from 'pino';
import type { StatusPoll } from '../domain/model.ts';
import type { MissingConnector } from './decode.ts';

export class PollNotes {
  readonly #logger: Logger;
  #lastMode: StatusPoll['mode'] | undefined;
  readonly #modesAnnounced = new Set<StatusPoll['mode']>();
  /** Names of the connectors whose status had an unexpected shape in the last poll, to warn once per change. */
  #lastMalformed = '';

  constructor(logger: Logger) {
    this.#logger = logger;
  }

  /** The mode of the last poll; undefined before the first. */
  get mode(): StatusPoll['mode'] | undefined {
    return this.#lastMode;
  }

  noteMode(mode: StatusPoll['mode']): void {
    if (mode === this.#lastMode) return;
    const first = this.#lastMode === undefined;
    this.#lastMode = mode;
    if (first && mode === 'expanded') return;
    const message =
      mode === 'per-connector'
        ? 'Kafka Connect ignores ?expand (Kafka before 2.3): reading each connector status separately'
        : 'Kafka Connect supports ?expand again: reading all statuses in one request';
    // Old and new workers alternate during a rolling upgrade: say each switch once, then only at debug.
    if (this.#modesAnnounced.has(mode)) {
      this.#logger.debug(message);
    } else {
      this.#modesAnnounced.add(mode);
      this.#logger.info(message);
    }
  }

  /** Connectors without a status are normal while they start; a malformed status is worth a warning. */
  noteMissing(missing: readonly MissingConnector[]): void {
    const malformed = missing.filter((entry) => entry.malformed);
    // The same odd entries poll after poll are news once; a different set is news again.
    const malformedNames = malformed.map((entry) => entry.name).join('\n');
    const news = malformedNames !== this.#lastMalformed;
    this.#lastMalformed = malformedNames;
    if (malformed.length > 0) {
      this.#logger[news ? 'warn' : 'debug'](
        { count: malformed.length, examples: malformed.slice(0, 5) },
        'Kafka Connect sent connector statuses of an unexpected shape; reporting them as missing',
      );
    }
    if (missing.length > malformed.length) {
      this.#logger.debug({ count: missing.length - malformed.length }, 'Kafka Connect has no status yet for some connectors');
    }
  }
}
