// Prometheus-style durations (`1m30s`) and human sizes (`64MiB`), as pure parsers and as zod schemas.

import { z } from 'zod';
import { MAX_DURATION_MS, MAX_DURATION_TEXT } from '../domain/time.ts';
import { SentinelError } from '../errors.ts';
import { quote } from './quote.ts';

const DURATION_UNITS_MS = { y: 365 * 86_400_000, w: 7 * 86_400_000, d: 86_400_000, h: 3_600_000, m: 60_000, s: 1000, ms: 1 };
// Units appear at most once each, largest first, as in Prometheus: `1h30m` is valid, `30m1h` is not.
const DURATION_PATTERN = /^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$/;
const DURATION_UNIT_ORDER = ['y', 'w', 'd', 'h', 'm', 's', 'ms'] as const;

function describeInput(input: unknown): string {
  return typeof input === 'string' ? quote(input) : String(input);
}

export function invalidDurationMessage(input: unknown): string {
  return `invalid duration ${describeInput(input)}: use a number with a unit, e.g. 30s, 5m, 1h`;
}

/** Parses `500ms`, `30s`, `1m30s`, `2h`, `1d`, `1w`, `1y` (and a bare `0`) into milliseconds, at most 10 years. */
export function parseDuration(text: string): number {
  if (text === '0') return 0;
  const match = text === '' ? null : DURATION_PATTERN.exec(text);
  if (!match) throw new SentinelError('CS_ERR_CONFIG_INVALID', invalidDurationMessage(text));
  let total = 0;
  DURATION_UNIT_ORDER.forEach((unit, i) => {
    const digits = match[i + 1];
    if (digits !== undefined) total += Number(digits) * DURATION_UNITS_MS[unit];
  });
  if (!(total <= MAX_DURATION_MS)) {
    throw new SentinelError('CS_ERR_CONFIG_INVALID', `invalid duration ${quote(text)}: too long (at most ${MAX_DURATION_TEXT})`);
  }
  return total;
}

/** The shortest Prometheus-style spelling of a duration in milliseconds, e.g. 90000 → `1m30s`. */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  let rest = ms;
  let text = '';
  for (const unit of DURATION_UNIT_ORDER) {
    const size = DURATION_UNITS_MS[unit];
    const count = Math.floor(rest / size);
    if (count > 0) {
      text += `${count}${unit}`;
      rest -= count * size;
    }
  }
  return text;
}

/** A duration string in the config, parsed into milliseconds. A missing value is left to the enclosing schema. */
export const durationSchema = z
  .string({ error: (issue) => (issue.input === undefined ? undefined : invalidDurationMessage(issue.input)) })
  .transform((text, ctx) => {
    try {
      return parseDuration(text);
    } catch (err) {
      ctx.issues.push({ code: 'custom', message: (err as Error).message, input: text });
      return z.NEVER;
    }
  });

/** A duration of at least `minimumMs`, refused with the bound in words. */
export function durationAtLeast(minimumMs: number) {
  return durationSchema.refine((ms) => ms >= minimumMs, `must be at least ${formatDuration(minimumMs)}`);
}

const SIZE_UNITS: Record<string, number> = {
  B: 1,
  kB: 1000,
  KB: 1000,
  MB: 1000 ** 2,
  GB: 1000 ** 3,
  TB: 1000 ** 4,
  KiB: 1024,
  MiB: 1024 ** 2,
  GiB: 1024 ** 3,
  TiB: 1024 ** 4,
};
const SIZE_PATTERN = /^(\d+(?:\.\d+)?) ?([A-Za-z]+)?$/;

export function invalidSizeMessage(input: unknown): string {
  return `invalid size ${describeInput(input)}: use a number of bytes or a number with a unit, e.g. 512KiB, 64MiB, 1GB`;
}

/** Parses a byte count: a whole number of bytes, or `512KiB`, `64MiB`, `1.5GB` (rounded down to whole bytes). */
export function parseSize(value: string | number): number {
  if (typeof value === 'number') {
    if (Number.isSafeInteger(value) && value >= 0) return value;
    throw new SentinelError('CS_ERR_CONFIG_INVALID', invalidSizeMessage(value));
  }
  const match = SIZE_PATTERN.exec(value);
  const unit = match?.[2] ?? 'B';
  const factor = SIZE_UNITS[unit];
  // A fraction needs a unit larger than a byte: `1.5MiB` is fine, `1.5` bytes is not.
  if (!match || factor === undefined || (factor === 1 && match[1]?.includes('.'))) {
    throw new SentinelError('CS_ERR_CONFIG_INVALID', invalidSizeMessage(value));
  }
  const bytes = Math.floor(Number(match[1]) * factor);
  if (!Number.isSafeInteger(bytes)) throw new SentinelError('CS_ERR_CONFIG_INVALID', `invalid size ${quote(value)}: too large`);
  return bytes;
}

/** A size in the config (`64MiB` or a number of bytes), parsed into bytes. */
export const sizeSchema = z
  .union([z.string(), z.number()], {
    error: (issue) => (issue.input === undefined ? undefined : invalidSizeMessage(issue.input)),
  })
  .transform((value, ctx) => {
    try {
      return parseSize(value);
    } catch (err) {
      ctx.issues.push({ code: 'custom', message: (err as Error).message, input: value });
      return z.NEVER;
    }
  });
