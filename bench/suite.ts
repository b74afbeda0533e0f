// Runs every benchmark of a plan and returns the figures as data; bench/run.ts writes them to bench/RESULTS.md,
// and the smoke test runs a tiny plan to check that each benchmark still produces well-formed figures.

import { cpus, totalmem } from 'node:os';
import { measureCardinality, type CardinalityResult } from './benchmarks/cardinality.ts';
import { measureManyClusters, type ManyClustersResult } from './benchmarks/many-clusters.ts';
import { measureMemory, type MemoryResult } from './benchmarks/memory.ts';
import { measurePollCost, type PollCostResult } from './benchmarks/poll-cost.ts';
import { measureRequests, type RequestsResult } from './benchmarks/requests.ts';
import { measureScrapeCost, type ScrapeCostResult } from './benchmarks/scrape-cost.ts';
import { pollGate } from './lib/clients.ts';
import { startBenchService, type BenchService } from './lib/service.ts';
import { startSimulatorFarm } from './lib/sim-host.ts';
import { simulatedCluster, type BenchPlan } from './plan.ts';

export interface Machine {
  cpus: number;
  cpuModel: string;
  memoryBytes: number;
  node: string;
  platform: string;
}

export interface SizeResult {
  connectors: number;
  tasks: number;
  memory: MemoryResult;
  requests: RequestsResult;
  pollCost: PollCostResult;
  /** The same poll with `metrics.dropZeroStates` (a third of the series to render). */
  pollCostDropZeroStates: PollCostResult;
  scrapeCost: ScrapeCostResult;
  cardinality: CardinalityResult;
}

export interface SuiteResult {
  plan: BenchPlan;
  machine: Machine;
  /** ISO 8601. */
  startedAt: string;
  durationMs: number;
  sizes: SizeResult[];
  manyClusters: ManyClustersResult[];
}

export function machine(): Machine {
  const list = cpus();
  return {
    cpus: list.length,
    cpuModel: list[0]?.model.trim() ?? 'unknown',
    memoryBytes: totalmem(),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
  };
}

type Log = (line: string) => void;

export async function runSuite(plan: BenchPlan, log: Log = () => {}): Promise<SuiteResult> {
  const startedAt = new Date();
  const started = performance.now();
  const sizes: SizeResult[] = [];
  for (const connectors of plan.sizes) {
    sizes.push(await runSize(plan, connectors, connectors === Math.max(...plan.sizes) && plan.profile, log));
  }
  const manyClusters: ManyClustersResult[] = [];
  for (const perCluster of plan.manyClusters.connectorsPerCluster) {
    log(`many clusters: ${plan.manyClusters.clusters} × ${perCluster} connectors`);
    const farm = await startSimulatorFarm(
      Array.from({ length: plan.manyClusters.clusters }, (_, index) => simulatedCluster(plan, perCluster, index + 1)),
    );
    try {
      manyClusters.push(
        await measureManyClusters(farm, {
          connectorsPerCluster: perCluster,
          concurrency: plan.manyClusters.concurrency,
          repeats: plan.manyClusters.repeats,
        }),
      );
    } finally {
      await farm.close();
    }
  }
  return {
    plan,
    machine: machine(),
    startedAt: startedAt.toISOString(),
    durationMs: performance.now() - started,
    sizes,
    manyClusters,
  };
}

async function runSize(plan: BenchPlan, connectors: number, profile: boolean, log: Log): Promise<SizeResult> {
  const farm = await startSimulatorFarm([simulatedCluster(plan, connectors, 1)]);
  const services: BenchService[] = [];
  const service = async (options: Parameters<typeof startBenchService>[0]) => {
    const started = await startBenchService(options);
    services.push(started);
    return started;
  };
  try {
    const { tasks } = await farm.size(0);
    const timing = { repeats: plan.repeats, warmup: plan.warmup };
    log(`${connectors} connectors: memory over ${plan.memory.polls} polls with churn`);
    const memory = await measureMemory(simulatedCluster(plan, connectors, 1), plan.memory);

    const gate = pollGate();
    const main = await service({ urls: farm.urls, createClient: gate.createClient });
    log(`${connectors} connectors: requests per poll`);
    const requests = await measureRequests(main, farm, { countedPolls: plan.countedPolls, nPlusOne: plan.nPlusOne, warmup: plan.warmup });
    log(`${connectors} connectors: poll cost`);
    const churn = { churnShare: plan.churnShare, connectors };
    const pollCost = await measurePollCost(main, farm, { ...timing, ...churn, profile });
    const dropping = await service({ urls: farm.urls, dropZeroStates: true });
    const pollCostDropZeroStates = await measurePollCost(dropping, farm, { ...timing, ...churn, profile: false });
    log(`${connectors} connectors: scrape cost`);
    const twin = await service({ urls: farm.urls });
    const scrapeCost = await measureScrapeCost(main, gate, { ...timing, ...churn, profile, farm, twin });
    log(`${connectors} connectors: cardinality`);
    const cardinality = await measureCardinality(main, dropping);
    return { connectors, tasks, memory, requests, pollCost, pollCostDropZeroStates, scrapeCost, cardinality };
  } finally {
    for (const started of services) await started.close();
    await farm.close();
  }
}
