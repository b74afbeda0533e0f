// Figure 1: one poll of a cluster by the whole service (fetch, decode, reconcile, restart decisions, render into
// the exposition), against the floor of any client: a bare undici GET of the same endpoint plus JSON.parse.
// Measured twice: on an unchanged cluster (the best case: the render reuses every connector's lines) and with a small churn
// applied before each round, which the poll and its floor then both read.

import { Agent } from 'undici';
import type { BenchService } from '../lib/service.ts';
import { churner, type ChurnApplied } from '../lib/churn.ts';
import { compare, median, type Comparison } from '../lib/measure.ts';
import { profile, summarise, type ProfileSummary } from '../lib/cpu-profile.ts';
import type { SimulatorFarm } from '../lib/sim-host.ts';

export const STATUS_PATH = '/connectors?expand=status&expand=info';

export interface PollCostResult {
  /** Bytes of the status response. */
  bodyBytes: number;
  /** The cluster unchanged between polls. */
  comparison: Comparison;
  /** Median of kafka_connect_poll_duration_seconds over the timed polls: fetch, decode and reconcile only. */
  fetchDecodeMs: number;
  /** The cluster churned before each round; subject and floor read the same churned body. */
  churned: { comparison: Comparison; fetchDecodeMs: number; churn: ChurnApplied };
  profile?: ProfileSummary;
}

export interface PollCostOptions {
  repeats: number;
  warmup: number;
  profile: boolean;
  /** Share of the connectors changed before each churned round. */
  churnShare: number;
  connectors: number;
}

export async function measurePollCost(service: BenchService, farm: SimulatorFarm, options: PollCostOptions): Promise<PollCostResult> {
  const agent = new Agent();
  const workerUrl = farm.urls[0]!;
  let bodyBytes = 0;
  const floor = async (): Promise<unknown> => {
    const response = await agent.request({ origin: workerUrl, path: STATUS_PATH, method: 'GET' });
    const text = await response.body.text();
    bodyBytes = Buffer.byteLength(text);
    return JSON.parse(text) as unknown;
  };
  const polls = (durations: number[]) => async (): Promise<void> => {
    await service.app.pollAll();
    durations.push(service.app.views()[0]!.pollDurationSeconds * 1000);
  };
  try {
    const timing = { repeats: options.repeats, warmup: options.warmup };
    const unchangedDurations: number[] = [];
    const comparison = await compare({ ...timing, baseline: floor, subject: polls(unchangedDurations) });
    const unchangedBodyBytes = bodyBytes;

    const churn = churner(farm, 0, options.churnShare, options.connectors);
    const churnedDurations: number[] = [];
    const churnedComparison = await compare({ ...timing, beforeRound: churn.apply, baseline: floor, subject: polls(churnedDurations) });

    const result: PollCostResult = {
      bodyBytes: unchangedBodyBytes,
      comparison,
      fetchDecodeMs: median(unchangedDurations.slice(options.warmup)),
      churned: { comparison: churnedComparison, fetchDecodeMs: median(churnedDurations.slice(options.warmup)), churn: churn.applied() },
    };
    if (options.profile) {
      // Churned, as in production: the poll renders the changed groups again.
      result.profile = summarise(await profile(async () => {
        for (let poll = 0; poll < 3; poll += 1) {
          await churn.apply();
          await service.app.pollAll();
        }
      }));
    }
    return result;
  } finally {
    await agent.close();
  }
}
