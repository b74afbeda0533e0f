// Times and durations as they appear in decision messages and the history API.

import { formatDuration } from '../config/duration.ts';

/** `2026-11-24T10:32:00Z`: whole seconds, which is all a poll-driven schedule can honour. */
export function isoSeconds(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/** `4m`, `1m5s`: rounded to whole seconds (jittered delays are not whole). */
export function roundedDuration(ms: number): string {
  return formatDuration(Math.max(0, Math.round(ms / 1000) * 1000));
}
