import { getTasks } from 'node-cron';
import { describe, expect, it } from 'vitest';
import { compileWindowSchedule } from '../../src/restart/blackout.ts';

const at = (iso: string) => Date.parse(iso);
const HOUR = 3_600_000;

describe('compileWindowSchedule', () => {
  it('opens at the firing instant and closes after the duration (UTC by default)', () => {
    const nightly = compileWindowSchedule('0 2 * * *', HOUR);
    expect(nightly.openAt(at('2026-11-24T01:59:59Z'))).toBeNull();
    expect(nightly.openAt(at('2026-11-24T02:00:00Z'))).toEqual({ openedAt: at('2026-11-24T02:00:00Z'), closesAt: at('2026-11-24T03:00:00Z') });
    expect(nightly.openAt(at('2026-11-24T02:59:59Z'))?.closesAt).toBe(at('2026-11-24T03:00:00Z'));
    expect(nightly.openAt(at('2026-11-24T03:00:00Z'))).toBeNull();
  });

  it('reads the expression in the given time zone', () => {
    const berlin = compileWindowSchedule('0 2 * * *', HOUR, 'Europe/Berlin');
    // 02:00 in Berlin is 01:00 UTC in winter (CET) and 00:00 UTC in summer (CEST).
    expect(berlin.openAt(at('2026-11-24T01:30:00Z'))?.openedAt).toBe(at('2026-11-24T01:00:00Z'));
    expect(berlin.openAt(at('2026-11-24T02:30:00Z'))).toBeNull();
    expect(berlin.openAt(at('2026-07-01T00:30:00Z'))?.openedAt).toBe(at('2026-07-01T00:00:00Z'));
    expect(berlin.openAt(at('2026-07-01T01:30:00Z'))).toBeNull();
  });

  it('handles zones with half-hour offsets and offset changes inside the lookback', () => {
    const kolkata = compileWindowSchedule('30 2 * * *', HOUR, 'Asia/Kolkata');
    expect(kolkata.openAt(at('2026-11-23T21:00:00Z'))?.openedAt).toBe(at('2026-11-23T21:00:00Z'));
    expect(kolkata.openAt(at('2026-11-23T20:59:00Z'))).toBeNull();
    // Berlin leaves summer time on 2026-10-25 at 03:00 CEST: a Saturday 23:00 window of 2 days spans the change.
    const weekend = compileWindowSchedule('0 23 * * 6', 48 * HOUR, 'Europe/Berlin');
    expect(weekend.openAt(at('2026-10-26T20:00:00Z'))?.openedAt).toBe(at('2026-10-24T21:00:00Z'));
    expect(weekend.openAt(at('2026-10-26T21:00:00Z'))).toBeNull();
  });

  it('finds firings inside a week-long lookback', () => {
    const friday = compileWindowSchedule('0 18 * * 5', 62 * HOUR);
    expect(friday.openAt(at('2026-11-22T12:00:00Z'))?.openedAt).toBe(at('2026-11-20T18:00:00Z'));
    expect(friday.openAt(at('2026-11-23T08:00:00Z'))).toBeNull();
  });

  it('honours a seconds field', () => {
    const everyHalfMinute = compileWindowSchedule('*/30 15 10 * * *', 10_000);
    expect(everyHalfMinute.openAt(at('2026-11-24T10:15:35Z'))?.openedAt).toBe(at('2026-11-24T10:15:30Z'));
    expect(everyHalfMinute.openAt(at('2026-11-24T10:15:45Z'))).toBeNull();
  });

  it('leaves nothing in node-cron\'s task registry', () => {
    const before = getTasks().size;
    compileWindowSchedule('0 3 * * *', HOUR);
    expect(getTasks().size).toBe(before);
  });
});
