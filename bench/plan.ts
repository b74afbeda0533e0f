// What a benchmark run measures and how hard: the full run behind bench/RESULTS.md, and the smoke run of the tests.

import type { SimulatedCluster } from './lib/sim-protocol.ts';

export interface FleetShape {
  /** Kafka Connect version the simulator speaks. */
  version: string;
  tasksPerConnector: number;
  /** Share of tasks FAILED, each with its plugin's typical Java trace. */
  failedShare: number;
  workers: number;
}

export interface BenchPlan {
  /** Connectors of the single cluster, one full set of figures per size. */
  sizes: readonly number[];
  fleet: FleetShape;
  /** Timed rounds per figure (baseline and subject alternate); the median is reported. */
  repeats: number;
  /** Untimed rounds first (JIT, connection pools, caches). */
  warmup: number;
  /**
   * Share of the connectors changed before each churned round of the poll and first-scrape figures: about 1% per
   * poll is a busy fleet at a 15 s interval (creations, deletions, task failures, recoveries, moves).
   */
  churnShare: number;
  /** Polls whose requests to Connect are counted. */
  countedPolls: number;
  /** The peers' N+1 reference: requests in flight at once, and timed polls (it is slow at 10,000 connectors). */
  nPlusOne: { concurrency: number; repeats: number };
  /** Polls with churn between them; every `sampleEvery` polls a full GC and a retained-memory sample. */
  memory: { polls: number; sampleEvery: number; warmupPolls: number };
  /** Many clusters on one service: their count, the connectors of each (one run per entry), the poll bound. */
  manyClusters: { clusters: number; connectorsPerCluster: readonly number[]; concurrency: number; repeats: number };
  /** Record a CPU profile of the poll and the scrape at the largest size. */
  profile: boolean;
}

const FLEET: FleetShape = { version: '3.9.0', tasksPerConnector: 5, failedShare: 0.02, workers: 6 };

/** bench/RESULTS.md: 100, 1,000 and 10,000 connectors (50,000 tasks at the top); a few minutes on 2 cores. */
export const FULL_PLAN: BenchPlan = {
  sizes: [100, 1_000, 10_000],
  fleet: FLEET,
  repeats: 7,
  warmup: 2,
  churnShare: 0.01,
  countedPolls: 10,
  nPlusOne: { concurrency: 8, repeats: 3 },
  memory: { polls: 100, sampleEvery: 5, warmupPolls: 20 },
  // 50 × 2, 20 and 200 connectors are 100, 1,000 and 10,000 in all; 50 × 500 is the figure.
  manyClusters: { clusters: 50, connectorsPerCluster: [2, 20, 200, 500], concurrency: 4, repeats: 5 },
  profile: true,
};

/** Every benchmark at a tiny size, for test/bench/smoke.test.ts: seconds, not minutes. */
export const SMOKE_PLAN: BenchPlan = {
  sizes: [12],
  fleet: { ...FLEET, failedShare: 0.1 },
  repeats: 2,
  warmup: 1,
  // One operation per round at 12 connectors.
  churnShare: 0.01,
  countedPolls: 3,
  nPlusOne: { concurrency: 4, repeats: 1 },
  memory: { polls: 6, sampleEvery: 2, warmupPolls: 2 },
  manyClusters: { clusters: 3, connectorsPerCluster: [4], concurrency: 2, repeats: 1 },
  profile: true,
};

export function simulatedCluster(plan: BenchPlan, connectors: number, seed: number): SimulatedCluster {
  return { ...plan.fleet, connectors, seed };
}
