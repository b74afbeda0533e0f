// The soak, run in its own process with --expose-gc so heap figures are exact and nothing else shares the heap:
//   node --expose-gc test/load/soak-run.ts [polls]
// Several simulated clusters with thousands of connectors and tasks whose states change at every poll, polled
// explicitly with a clock that advances two minutes per poll (an hour of simulated time), restarts on, scraped
// (gzip, as Prometheus does) after every poll.
// Prints one JSON object with the figures; test/load/soak.test.ts asserts on them and docs/reliability.md quotes them.

import { gunzipSync } from 'node:zlib';
import { churn, generateFleet, startSimulator, type Simulator } from '../../packages/simulator/src/index.ts';
import { startService, type Service } from '../reliability/service.ts';

const CLUSTERS = 3;
const CONNECTORS_PER_CLUSTER = 500;
const TASKS_PER_CONNECTOR = 2;
/** State changes per cluster and poll: fail, recover, move, create and delete. */
const CHANGES_PER_POLL = 100;
/** Simulated time between polls: long, so backoffs, budgets and recovery windows come and go within the run. */
const CLOCK_STEP_MS = 120_000;
const WARM_UP_POLLS = 10;

export interface SoakFigures {
  clusters: number;
  connectors: number;
  tasks: number;
  polls: number;
  simulatedMinutes: number;
  changesPerPoll: number;
  heapAfterWarmUpBytes: number;
  heapAtEndBytes: number;
  heapGrowthRatio: number;
  rssAtEndBytes: number;
  pollMsMedian: number;
  pollMsMax: number;
  scrapeMsMedian: number;
  scrapeBytes: number;
  restartsSent: number;
  /** TCP sockets open after the warm-up and at the end of the polls (keep-alive pools, listening servers). */
  socketsAfterWarmUp: number;
  socketsAtEnd: number;
  /** Scrapes answered while one slow poll (every response delayed) was in flight, before it ended. */
  scrapesDuringSlowPoll: number;
  slowPollOutlastedScrapes: boolean;
  /** Active handles and process listeners before the service was built and after everything was closed. */
  resourcesBefore: Record<string, number>;
  resourcesAfter: Record<string, number>;
  processListenersBefore: number;
  processListenersAfter: number;
}

function gc(): void {
  const collect = (globalThis as { gc?: () => void }).gc;
  if (collect === undefined) throw new Error('run with node --expose-gc');
  collect();
  collect();
}

function resources(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const kind of process.getActiveResourcesInfo()) counts[kind] = (counts[kind] ?? 0) + 1;
  return counts;
}

/** Closed sockets and servers leave the handle list a few event-loop turns after close(): wait for that (2 s at most). */
async function settledResources(expected: Record<string, number>): Promise<Record<string, number>> {
  const same = (a: Record<string, number>) => JSON.stringify(Object.entries(a).sort()) === JSON.stringify(Object.entries(expected).sort());
  for (let attempt = 0; attempt < 200; attempt++) {
    if (same(resources())) break;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return resources();
}

function processListeners(): number {
  return process.eventNames().reduce((sum, name) => sum + process.listenerCount(name), 0);
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

type Measured = Omit<SoakFigures, 'clusters' | 'connectors' | 'tasks' | 'polls' | 'simulatedMinutes' | 'changesPerPoll' | 'resourcesBefore' | 'resourcesAfter' | 'processListenersBefore' | 'processListenersAfter'>;

export async function soak(polls: number): Promise<SoakFigures> {
  // The baseline once what was already queued (the test runner's own immediates) has run: not part of the service.
  await new Promise((resolve) => setImmediate(resolve));
  const resourcesBefore = resources();
  const processListenersBefore = processListeners();
  const simulators: Simulator[] = [];
  let service: Service | undefined;
  let measured: Measured;
  try {
    for (let i = 0; i < CLUSTERS; i++) {
      simulators.push(
        await startSimulator({
          version: '3.9.0',
          fleet: generateFleet({ connectors: CONNECTORS_PER_CLUSTER, tasksPerConnector: TASKS_PER_CONNECTOR, failedShare: 0.02, seed: 11 + i }),
          requestLogLimit: 1000,
        }),
      );
    }
    const clock = { now: Date.UTC(2026, 0, 5, 12) };
    const clusters = simulators.map((sim, i) => `  - name: c${i}\n    url: ${sim.url}\n    pollInterval: 15s\n`).join('');
    service = await startService({
      config:
        `clusters:\n${clusters}restart:\n  enabled: true\n  defaults:\n    backoff: { initial: 1m, max: 10m }\n` +
        '  recovery: { healthyPolls: 1, resetAfter: 5m }\n  clusterSafety:\n    rateLimit: { maxRestarts: 1000 }\n',
      logLevel: 'warn',
      now: () => clock.now,
    });
    measured = await measure(service, simulators, polls, clock);
  } finally {
    await service?.close();
    await Promise.all(simulators.map((sim) => sim.close()));
  }
  return {
    clusters: CLUSTERS,
    connectors: CLUSTERS * CONNECTORS_PER_CLUSTER,
    tasks: CLUSTERS * CONNECTORS_PER_CLUSTER * TASKS_PER_CONNECTOR,
    polls,
    simulatedMinutes: (polls * CLOCK_STEP_MS) / 60_000,
    changesPerPoll: CLUSTERS * CHANGES_PER_POLL,
    ...measured,
    resourcesBefore,
    resourcesAfter: await settledResources(resourcesBefore),
    processListenersBefore,
    processListenersAfter: processListeners(),
  };
}

async function measure(service: Service, simulators: Simulator[], polls: number, clock: { now: number }): Promise<Measured> {
  const pollMs: number[] = [];
  const scrapeMs: number[] = [];
  let scrapeBytes = 0;
  let heapAfterWarmUp = 0;
  let socketsAfterWarmUp = 0;
  for (let poll = 0; poll < polls; poll++) {
    simulators.forEach((sim, i) => {
      churn(sim.cluster, poll * CLUSTERS + i, { operations: CHANGES_PER_POLL });
      sim.settle();
    });
    let started = performance.now();
    await service.app.pollAll();
    pollMs.push(performance.now() - started);
    clock.now += CLOCK_STEP_MS;

    // As Prometheus scrapes: gzip.
    started = performance.now();
    const zipped = await service.app.server.inject({ url: '/metrics', headers: { 'accept-encoding': 'gzip' } });
    scrapeMs.push(performance.now() - started);
    const body = gunzipSync(zipped.rawPayload);
    if (zipped.statusCode !== 200 || !body.includes('kafka_connect_up')) throw new Error('scrape failed');
    scrapeBytes = body.length;

    if (poll === WARM_UP_POLLS - 1) {
      gc();
      heapAfterWarmUp = process.memoryUsage().heapUsed;
      socketsAfterWarmUp = resources()['TCPSocketWrap'] ?? 0;
    }
  }
  gc();
  const heapAtEnd = process.memoryUsage().heapUsed;
  const rssAtEnd = process.memoryUsage().rss;
  const socketsAtEnd = resources()['TCPSocketWrap'] ?? 0;
  const restartsSent = simulators.reduce((sum, sim) => sum + sim.requests.count({ method: 'POST' }), 0);

  // Slow Kafka Connect: every response takes 2 s more, far longer than 20 scrapes even on a loaded machine;
  // scrapes must not wait for the poll.
  for (const sim of simulators) sim.faults.latencyMs = 2000;
  let pollDone = false;
  const slowPoll = service.app.pollAll().then(() => {
    pollDone = true;
  });
  let scrapesDuringSlowPoll = 0;
  for (let i = 0; i < 20; i++) {
    const scrape = await service.scrape();
    if (scrape.status === 200 && !pollDone) scrapesDuringSlowPoll++;
  }
  const slowPollOutlastedScrapes = !pollDone;
  await slowPoll;

  return {
    heapAfterWarmUpBytes: heapAfterWarmUp,
    heapAtEndBytes: heapAtEnd,
    heapGrowthRatio: heapAtEnd / heapAfterWarmUp,
    rssAtEndBytes: rssAtEnd,
    pollMsMedian: median(pollMs),
    pollMsMax: Math.max(...pollMs),
    scrapeMsMedian: median(scrapeMs),
    scrapeBytes,
    restartsSent,
    socketsAfterWarmUp,
    socketsAtEnd,
    scrapesDuringSlowPoll,
    slowPollOutlastedScrapes,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const polls = Number(process.argv[2] ?? 30);
  process.stdout.write(`${JSON.stringify(await soak(polls))}\n`);
}
