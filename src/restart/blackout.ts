// Blackout windows: a cron expression marks when a window opens, `duration` how long it stays open.
// "Is a window open at `now`?" means "did the expression fire in (now - duration, now]". node-cron answers
// "does it fire at this instant?" (about 20 µs each, it localises the time), so the scan tests only the instants
// whose local minute and hour can match, found by cheap arithmetic from the zone's UTC offset. Windows of up to a
// week then cost a handful of exact checks.

import { createTask, parse as parseCron } from 'node-cron';

const MINUTE_MS = 60_000;
const HOUR_MINUTES = 60;
const DAY_MINUTES = 24 * HOUR_MINUTES;

export interface OpenWindow {
  /** Unix ms when the window (the latest firing inside the lookback) opened. */
  openedAt: number;
  /** Unix ms when it closes, unless the expression fires again before then. */
  closesAt: number;
}

export interface WindowSchedule {
  /** The open window at `now` (Unix ms), or null. Pure: depends only on `now`. */
  openAt(now: number): OpenWindow | null;
}

/** UTC offset in minutes of `zone` at instant `at`, from one cached formatter. */
function offsetReader(zone: string): (at: number) => number {
  const format = new Intl.DateTimeFormat('en-US', {
    timeZone: zone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
  });
  return (at) => {
    const parts: Record<string, number> = {};
    for (const part of format.formatToParts(at)) parts[part.type] = Number(part.value);
    const local = Date.UTC(parts.year ?? 1970, (parts.month ?? 1) - 1, parts.day ?? 1, parts.hour ?? 0, parts.minute ?? 0);
    return Math.round((local - Math.floor(at / MINUTE_MS) * MINUTE_MS) / MINUTE_MS);
  };
}

function modulo(value: number, divisor: number): number {
  return ((value % divisor) + divisor) % divisor;
}

/**
 * Compiles a validated expression. `timezone` defaults to UTC, as Alertmanager's time intervals do: a server's
 * local zone is an accident of where it runs.
 */
export function compileWindowSchedule(expression: string, durationMs: number, timezone = 'UTC'): WindowSchedule {
  const fields = parseCron(expression);
  // The matcher is used without ever starting the task; destroying it takes it out of node-cron's global registry.
  const task = createTask(expression, () => undefined, { timezone });
  void task.destroy();
  const minutes = new Set(fields.minute);
  const hours = new Set(fields.hour);
  const seconds = [...fields.second].sort((a, b) => b - a);
  const offsetAt = offsetReader(timezone);

  const mayMatch = (minuteStart: number, offsets: readonly number[]) =>
    offsets.some((offset) => {
      const localMinuteOfDay = modulo(Math.floor(minuteStart / MINUTE_MS) + offset, DAY_MINUTES);
      return minutes.has(localMinuteOfDay % HOUR_MINUTES) && hours.has(Math.floor(localMinuteOfDay / HOUR_MINUTES));
    });

  return {
    openAt(now) {
      const from = now - durationMs;
      // A zone's offset changes at most a couple of times a week; trying both ends' offsets covers a change inside.
      const offsets = [...new Set([offsetAt(from), offsetAt(now)])];
      // Newest first: an open window is usually found at once.
      for (let minuteStart = Math.floor(now / MINUTE_MS) * MINUTE_MS; minuteStart > from - MINUTE_MS; minuteStart -= MINUTE_MS) {
        if (!mayMatch(minuteStart, offsets)) continue;
        for (const second of seconds) {
          const at = minuteStart + second * 1000;
          if (at > from && at <= now && task.match(new Date(at))) return { openedAt: at, closesAt: at + durationMs };
        }
      }
      return null;
    },
  };
}
