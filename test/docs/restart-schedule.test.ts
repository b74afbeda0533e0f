// The side-by-side schedule in docs/auto-restart.md is what both policies compute, not prose that can drift.

import { describe, expect, it } from 'vitest';
import { documentedTable, scheduleTable, sentinelRestarts, strimziRestarts } from '../../tools/restart-schedule.ts';

describe('the restart schedules in docs/auto-restart.md', () => {
  it('are the ones the code computes (regenerate with node tools/restart-schedule.ts --write)', async () => {
    expect(await documentedTable()).toBe(scheduleTable());
  });

  it("follow Strimzi's rule: 0, 2, 8, 20 and 40 minutes, at 2-minute reconciliations", () => {
    expect(strimziRestarts().slice(0, 5)).toEqual([0, 2, 8, 20, 40]);
  });

  it('give up after the default budget of five restarts in about a quarter of an hour', () => {
    const { times, gaveUpAt } = sentinelRestarts();
    expect(times).toHaveLength(5);
    expect(gaveUpAt).toBeGreaterThan(times.at(-1) ?? 0);
    expect(gaveUpAt).toBeLessThan(20);
  });
});
