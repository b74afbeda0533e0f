// Figure 3: requests to Kafka Connect per poll, counted by the simulator: connect-sentinel's one expanded request
// against the peers' N+1 (bench/peers/n-plus-one.ts), and the time each takes to get every status decoded.

import { createConnectClient } from '../../src/connect/client.ts';
import { createLogger } from '../../src/logger.ts';
import { compare, type Comparison } from '../lib/measure.ts';
import type { BenchService } from '../lib/service.ts';
import type { SimulatorFarm } from '../lib/sim-host.ts';
import { totalRequests, type RequestCounts } from '../lib/sim-protocol.ts';
import { nPlusOnePoller } from '../peers/n-plus-one.ts';

export interface RequestsResult {
  /** connect-sentinel: whole-service polls counted, and what the simulator answered during them. */
  polls: number;
  counts: RequestCounts;
  /** Status requests per poll; 1 is the target. */
  statusPerPoll: number;
  /** Any request per poll (root and plugins are slow-paced: once at start, then every pluginsInterval). */
  allPerPoll: number;
  /** The N+1 reference: requests of one poll. */
  nPlusOneCounts: RequestCounts;
  nPlusOnePerPoll: number;
  /** Time to fetch and decode every status: N+1 (subject) against connect-sentinel's client (baseline). */
  time: Comparison;
}

export async function measureRequests(
  service: BenchService,
  farm: SimulatorFarm,
  options: { countedPolls: number; nPlusOne: { concurrency: number; repeats: number }; warmup: number },
): Promise<RequestsResult> {
  // A fresh service: its first poll also reads the worker's version and the plugins, as in production.
  await farm.requests(0, true);
  for (let poll = 0; poll < options.countedPolls; poll += 1) await service.app.pollAll();
  const counts = await farm.requests(0, true);

  const peers = nPlusOnePoller(farm.urls[0]!, options.nPlusOne.concurrency);
  await peers.poll();
  await farm.requests(0, true);
  await peers.poll();
  const nPlusOneCounts = await farm.requests(0, true);

  const client = createConnectClient({
    cluster: 'bench',
    urls: [farm.urls[0]!],
    logger: createLogger('warn', { write: () => {} }),
    timeoutMs: 600_000,
  });
  try {
    const time = await compare({
      repeats: options.nPlusOne.repeats,
      warmup: Math.min(1, options.warmup),
      baseline: () => client.pollStatus(),
      subject: () => peers.poll(),
    });
    return {
      polls: options.countedPolls,
      counts,
      statusPerPoll: counts.expandedStatus / options.countedPolls,
      allPerPoll: totalRequests(counts) / options.countedPolls,
      nPlusOneCounts,
      nPlusOnePerPoll: totalRequests(nPlusOneCounts),
      time,
    };
  } finally {
    await client.close();
    await peers.close();
  }
}
