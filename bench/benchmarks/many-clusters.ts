// Figure 5: many clusters polled by one service. The cycle (every cluster polled once) against the slowest
// single cluster polled alone, as shipped (every cluster's poll starts at once) and with the status polls bounded
// to `concurrency` at a time across clusters.

import { limitedClients } from '../lib/clients.ts';
import { median, sample } from '../lib/measure.ts';
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

async function cycles(service: BenchService, repeats: number): Promise<CycleResult> {
  await service.app.pollAll();
  const samples = [];
  const worst: number[] = [];
  for (let round = 0; round < repeats; round += 1) {
    samples.push(await sample(() => service.app.pollAll()));
    worst.push(Math.max(...service.app.views().map((view) => view.pollDurationSeconds * 1000)));
  }
  return {
    cycleMs: median(samples.map((s) => s.wallMs)),
    cpuMs: median(samples.map((s) => s.cpuMs)),
    worstReportedPollMs: median(worst),
  };
}

async function singlePoll(url: string, repeats: number): Promise<number> {
  const service = await startBenchService({ urls: [url] });
  try {
    await service.app.pollAll();
    const times: number[] = [];
    for (let round = 0; round < repeats; round += 1) times.push((await sample(() => service.app.pollAll())).wallMs);
    return median(times);
  } finally {
    await service.close();
  }
}

export async function measureManyClusters(
  farm: SimulatorFarm,
  options: { connectorsPerCluster: number; concurrency: number; repeats: number },
): Promise<ManyClustersResult> {
  const singles: number[] = [];
  for (const url of farm.urls) singles.push(await singlePoll(url, Math.max(1, Math.min(3, options.repeats))));

  const unboundedService = await startBenchService({ urls: farm.urls });
  let unbounded: CycleResult;
  try {
    unbounded = await cycles(unboundedService, options.repeats);
  } finally {
    await unboundedService.close();
  }
  const boundedService = await startBenchService({ urls: farm.urls, createClient: limitedClients(options.concurrency) });
  let bounded: CycleResult;
  try {
    bounded = await cycles(boundedService, options.repeats);
  } finally {
    await boundedService.close();
  }
  return {
    clusters: farm.urls.length,
    connectorsPerCluster: options.connectorsPerCluster,
    slowestSingleMs: Math.max(...singles),
    sumOfSinglesMs: singles.reduce((sum, ms) => sum + ms, 0),
    unbounded,
    bounded: { ...bounded, concurrency: options.concurrency },
  };
}
