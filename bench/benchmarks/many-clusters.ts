// Figure 5: many clusters polled by one service. The cycle (every cluster polled once) against the slowest
// single cluster polled alone, as shipped (every cluster's poll starts at once) and with the status polls bounded
// to `concurrency` at a time across clusters. Singles and cycles alternate round by round, so that a busy machine
// slows them alike.

import { limitedClients } from '../lib/clients.ts';
import { collectGarbage, median, sample } from '../lib/measure.ts';
import { startBenchService, type BenchService } from '../lib/service.ts';
import type { SimulatorFarm } from '../lib/sim-host.ts';

export interface CycleResult {
  /** Median wall time of one cycle (app.pollAll over every cluster). */
  cycleMs: number;
  /** Median CPU time of a cycle. */
  cpuMs: number;
  /** Worst kafka_connect_poll_duration_seconds of a cycle (median over cycles): how long a cluster's poll seemed to take. */
  worstReportedPollMs: number;
}

export interface ManyClustersResult {
  clusters: number;
  connectorsPerCluster: number;
  /** Each cluster polled alone by its own service: the slowest cluster's median poll, and the sum of all of them. */
  slowestSingleMs: number;
  sumOfSinglesMs: number;
  /** Every cluster's poll started at once (the service as shipped: one poll loop per cluster). */
  unbounded: CycleResult;
  /** At most `concurrency` status polls in flight across clusters. */
  bounded: CycleResult & { concurrency: number };
}

interface Cycles {
  wallMs: number[];
  cpuMs: number[];
  worstReportedPollMs: number[];
}

async function cycle(service: BenchService, into: Cycles): Promise<void> {
  const { wallMs, cpuMs } = await sample(() => service.app.pollAll());
  into.wallMs.push(wallMs);
  into.cpuMs.push(cpuMs);
  into.worstReportedPollMs.push(Math.max(...service.app.views().map((view) => view.pollDurationSeconds * 1000)));
}

function summary(cycles: Cycles): CycleResult {
  return {
    cycleMs: median(cycles.wallMs),
    cpuMs: median(cycles.cpuMs),
    worstReportedPollMs: median(cycles.worstReportedPollMs),
  };
}

export async function measureManyClusters(
  farm: SimulatorFarm,
  options: { connectorsPerCluster: number; concurrency: number; repeats: number },
): Promise<ManyClustersResult> {
  const services: BenchService[] = [];
  try {
    const singles: BenchService[] = [];
    for (const url of farm.urls) singles.push(await startBenchService({ urls: [url] }));
    services.push(...singles);
    const unbounded = await startBenchService({ urls: farm.urls });
    services.push(unbounded);
    const bounded = await startBenchService({ urls: farm.urls, createClient: limitedClients(options.concurrency) });
    services.push(bounded);
    // Warm-up: the first poll of a service also reads the worker's version and the plugins.
    for (const service of services) await service.app.pollAll();

    const singleMs: number[][] = farm.urls.map(() => []);
    const unboundedCycles: Cycles = { wallMs: [], cpuMs: [], worstReportedPollMs: [] };
    const boundedCycles: Cycles = { wallMs: [], cpuMs: [], worstReportedPollMs: [] };
    const steps = [
      async () => {
        for (const [index, service] of singles.entries()) singleMs[index]!.push((await sample(() => service.app.pollAll())).wallMs);
      },
      () => cycle(unbounded, unboundedCycles),
      () => cycle(bounded, boundedCycles),
    ];
    for (let round = 0; round < options.repeats; round += 1) {
      // Each step goes first in turn.
      for (let step = 0; step < steps.length; step += 1) {
        collectGarbage();
        await steps[(round + step) % steps.length]!();
      }
    }
    const medians = singleMs.map((times) => median(times));
    return {
      clusters: farm.urls.length,
      connectorsPerCluster: options.connectorsPerCluster,
      slowestSingleMs: Math.max(...medians),
      sumOfSinglesMs: medians.reduce((sum, ms) => sum + ms, 0),
      unbounded: summary(unboundedCycles),
      bounded: { ...summary(boundedCycles), concurrency: options.concurrency },
    };
  } finally {
    for (const service of services) await service.close();
  }
}
