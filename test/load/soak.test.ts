// The soak (test/load/soak-run.ts) in its own process with --expose-gc: heap flat after warm-up, no sockets, timers or
// listeners left behind, and scrapes answered while a slow poll is in flight. Bounded: 30 polls on loopback.

import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { SoakFigures } from './soak-run.ts';

const run = promisify(execFile);

describe('soak', () => {
  it('3 clusters, 1,500 connectors and 3,000 tasks changing every poll, an hour of simulated time: nothing grows or leaks', async () => {
    const { stdout } = await run(resolve('node_modules/.bin/node'), ['--expose-gc', resolve('test/load/soak-run.ts'), '30'], {
      timeout: 150_000,
      maxBuffer: 1024 * 1024,
    });
    const figures = JSON.parse(stdout) as SoakFigures;

    expect(figures.polls).toBe(30);
    expect(figures.restartsSent).toBeGreaterThan(0);
    // Memory: after warm-up the heap stays within 1.5× (the fleet itself random-walks in size with the churn).
    expect(figures.heapGrowthRatio).toBeLessThan(1.5);
    // Sockets: the keep-alive pools do not grow with the number of polls.
    expect(figures.socketsAtEnd).toBeLessThanOrEqual(figures.socketsAfterWarmUp);
    // After close: every socket, server and timer is gone, and no listener was left on process.
    expect(figures.resourcesAfter).toEqual(figures.resourcesBefore);
    expect(figures.processListenersAfter).toBe(figures.processListenersBefore);
    // Slow Kafka Connect: every scrape made during the poll was answered before the poll ended.
    expect(figures.slowPollOutlastedScrapes).toBe(true);
    expect(figures.scrapesDuringSlowPoll).toBe(20);
  }, 180_000);
});
