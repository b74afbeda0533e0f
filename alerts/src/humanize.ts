// Durations in words for alert descriptions: `15m` → `15 minutes`, `1h30m` → `1 hour 30 minutes`.

import { parseDuration } from '../../src/config/duration.ts';

const UNITS: ReadonlyArray<readonly [string, number]> = [
  ['day', 86_400_000],
  ['hour', 3_600_000],
  ['minute', 60_000],
  ['second', 1000],
  ['millisecond', 1],
];

export function durationInWords(duration: string): string {
  let rest = parseDuration(duration);
  if (rest === 0) return '0 seconds';
  const words: string[] = [];
  for (const [unit, size] of UNITS) {
    const count = Math.floor(rest / size);
    if (count > 0) {
      words.push(`${count} ${unit}${count === 1 ? '' : 's'}`);
      rest -= count * size;
    }
  }
  return words.join(' ');
}
