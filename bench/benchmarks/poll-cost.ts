// Figure 1: one poll of a cluster by the whole service (fetch, decode, reconcile, restart decisions, render into
// the exposition), against the floor of any client: a bare undici GET of the same endpoint plus JSON.parse.

import { Agent } from 'undici';
import type { BenchService } from '../lib/service.ts';
import { compare, median, type Comparison } from '../lib/measure.ts';
import { profile, summarise, type ProfileSummary } from '../lib/cpu-profile.ts';

export const STATUS_PATH = '/connectors?expand=status&expand=info';

export interface PollCostResult {
  /** Bytes of the status response. */
  bodyBytes: number;
  comparison: Comparison;
  /** Median of kafka_connect_poll_duration_seconds over the timed polls: fetch, decode and reconcile only. */
  fetchDecodeMs: number;
  profile?: ProfileSummary;
}

export async function measurePollCost(
  service: BenchService,
  workerUrl: string,
  options: { repeats: number; warmup: number; profile: boolean },
): Promise<PollCostResult> {
  const agent = new Agent();
  let bodyBytes = 0;
  const pollDurations: number[] = [];
  try {
    const comparison = await compare({
      repeats: options.repeats,
      warmup: options.warmup,
      baseline: async () => {
        const response = await agent.request({ origin: workerUrl, path: STATUS_PATH, method: 'GET' });
        const text = await response.body.text();
        bodyBytes = Buffer.byteLength(text);
        return JSON.parse(text) as unknown;
      },
      subject: async () => {
        await service.app.pollAll();
        pollDurations.push(service.app.views()[0]!.pollDurationSeconds * 1000);
      },
    });
    const result: PollCostResult = { bodyBytes, comparison, fetchDecodeMs: median(pollDurations.slice(options.warmup)) };
    if (options.profile) {
      result.profile = summarise(await profile(async () => {
        for (let poll = 0; poll < 3; poll += 1) await service.app.pollAll();
      }));
    }
    return result;
  } finally {
    await agent.close();
  }
}
