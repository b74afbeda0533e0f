// connect-sentinel's real logger (its redaction, serializers and level labels), writing lines the test reads back.

import type { Logger } from 'pino';
import { createLogger } from '../../src/logger.ts';

export interface CapturedLog {
  logger: Logger;
  /** Where the real logger writes: the lines `text()` and `lines()` read. */
  destination: { write(line: string): void };
  /** Every line so far, raw (for "never contains" checks). */
  text(): string;
  lines(): Record<string, unknown>[];
  /** Lines whose msg contains `fragment`. */
  matching(fragment: string | RegExp): Record<string, unknown>[];
}

export function captureLog(level = 'debug'): CapturedLog {
  const raw: string[] = [];
  const destination = { write: (line: string) => void raw.push(line) };
  const logger = createLogger(level, destination);
  const lines = () => raw.map((line) => JSON.parse(line) as Record<string, unknown>);
  return {
    logger,
    destination,
    text: () => raw.join(''),
    lines,
    matching: (fragment) =>
      lines().filter((line) => {
        const msg = String(line['msg'] ?? '');
        return typeof fragment === 'string' ? msg.includes(fragment) : fragment.test(msg);
      }),
  };
}
