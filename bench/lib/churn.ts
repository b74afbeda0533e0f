// A small change to a simulated cluster before each timed round: the realistic case for the poll and the first
// scrape after it. Unchanged clusters let the render reuse every connector's lines, so they only measure the best case.

import type { ChurnSummary } from '../../packages/simulator/src/index.ts';
import type { SimulatorFarm } from './sim-host.ts';

export interface ChurnApplied {
  /** Share of the connectors touched per round: operations = max(1, round(share × connectors)). */
  share: number;
  operationsPerRound: number;
  rounds: number;
  /** What the operations did over all rounds (an operation that found nothing to do is not counted). */
  effect: ChurnSummary;
}

export interface Churner {
  /** One round of churn; resolves once the simulated cluster has changed. */
  apply(): Promise<void>;
  applied(): ChurnApplied;
}

// Each round gets a seed of its own: a created connector's name includes the seed, so none is created twice.
let nextSeed = 1_000_000;

export function churner(farm: SimulatorFarm, cluster: number, share: number, connectors: number): Churner {
  const operationsPerRound = Math.max(1, Math.round(share * connectors));
  const effect: ChurnSummary = { created: 0, deleted: 0, failed: 0, recovered: 0, moved: 0 };
  let rounds = 0;
  return {
    async apply() {
      const summary = await farm.churn(cluster, nextSeed++, operationsPerRound);
      for (const key of Object.keys(effect) as Array<keyof ChurnSummary>) effect[key] += summary[key];
      rounds += 1;
    },
    applied: () => ({ share, operationsPerRound, rounds, effect: { ...effect } }),
  };
}
