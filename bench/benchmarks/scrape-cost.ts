// Figure 2: serving /metrics for the loaded cluster, against a server that writes the same bytes from a ready
// Buffer; plain and gzip. The first gzip scrape after a poll twice: on an unchanged cluster and after a small churn
// (the poll ends once its render is compressed, so the scrape is served the new part). Also: scrapes never wait for a poll
// (one is held in flight at a gate while scraping), and their latency while polls of a churning cluster run back
// to back, against the ready buffer's.

import { createServer, type Server } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { Agent } from 'undici';
import type { PollGate } from '../lib/clients.ts';
import { churner, type ChurnApplied } from '../lib/churn.ts';
import { compare, median, percentile, sample, type Comparison } from '../lib/measure.ts';
import { profile, summarise, type ProfileSummary } from '../lib/cpu-profile.ts';
import type { BenchService } from '../lib/service.ts';
import type { SimulatorFarm } from '../lib/sim-host.ts';

export interface ScrapeCostResult {
  /** Uncompressed and gzip body sizes. */
  bytes: number;
  gzipBytes: number;
  plain: Comparison;
  gzip: Comparison;
  /** The first gzip scrape right after a poll of the unchanged cluster, against the ready gzip bytes. */
  gzipFirstAfterPoll: Comparison;
  /**
   * The same after a poll of the churned cluster, whose changed connectors were encoded again. The floor serves
   * the gzip body of the same churned cluster, as a twin service polled on the same data renders it.
   */
  gzipFirstAfterChurnedPoll: { comparison: Comparison; churn: ChurnApplied };
  duringPoll: DuringPollResult;
  profile?: ProfileSummary;
}

export interface DuringPollResult {
  /** Scrapes sent while a poll was held in flight at the gate, and how many of them were answered before it ended. */
  scrapes: number;
  answeredDuringPoll: number;
  /** Median latency of those scrapes, and of scrapes with no poll running. */
  heldMs: number;
  idleMs: number;
  /**
   * Gzip scrapes sent back to back while polls of the churning cluster ran back to back (decoding and rendering
   * share the process with the scrapes), and as many scrapes of the ready buffer with no poll running.
   */
  underPolling: LatencySpread & { polls: number };
  readyBuffer: LatencySpread;
}

export interface LatencySpread {
  scrapes: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

function spread(latencies: readonly number[]): LatencySpread {
  return { scrapes: latencies.length, p50Ms: percentile(latencies, 50), p99Ms: percentile(latencies, 99), maxMs: Math.max(...latencies) };
}

interface Scraper {
  scrape(path: string, gzip: boolean): Promise<number>;
  close(): Promise<void>;
}

function scraper(origin: string): Scraper {
  const agent = new Agent();
  return {
    async scrape(path, gzip) {
      const response = await agent.request({
        origin,
        path,
        method: 'GET',
        headers: gzip ? { 'accept-encoding': 'gzip' } : {},
      });
      if (response.statusCode !== 200) throw new Error(`${origin}${path} answered ${response.statusCode}`);
      let bytes = 0;
      for await (const chunk of response.body as AsyncIterable<Buffer>) bytes += chunk.length;
      return bytes;
    },
    close: () => agent.close(),
  };
}

/** The floor: an HTTP server that answers with bytes it already holds (the caller may replace them between rounds). */
async function readyBufferServer(bodies: { plain: Buffer; gzip: Buffer; contentType: string }): Promise<{ url: string; server: Server }> {
  const server = createServer((request, response) => {
    const gzip = request.url === '/gzip';
    const body = gzip ? bodies.gzip : bodies.plain;
    response.writeHead(200, {
      'content-type': bodies.contentType,
      'content-length': body.length,
      ...(gzip ? { 'content-encoding': 'gzip' } : {}),
    });
    response.end(body);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

async function captureBody(url: string, gzip: boolean): Promise<{ body: Buffer; contentType: string }> {
  const agent = new Agent();
  try {
    const response = await agent.request({
      origin: url,
      path: '/metrics',
      method: 'GET',
      headers: gzip ? { 'accept-encoding': 'gzip' } : {},
    });
    return { body: Buffer.from(await response.body.arrayBuffer()), contentType: String(response.headers['content-type']) };
  } finally {
    await agent.close();
  }
}

export interface ScrapeCostOptions {
  repeats: number;
  warmup: number;
  profile: boolean;
  /** Share of the connectors changed before each churned round. */
  churnShare: number;
  connectors: number;
  farm: SimulatorFarm;
  /** A second service on the same cluster, same settings: its gzip body of the churned cluster is the floor's. */
  twin: BenchService;
}

export async function measureScrapeCost(service: BenchService, gate: PollGate, options: ScrapeCostOptions): Promise<ScrapeCostResult> {
  await service.app.pollAll();
  const plainBody = await captureBody(service.url, false);
  const gzipBody = await captureBody(service.url, true);
  const floorBodies = { plain: plainBody.body, gzip: gzipBody.body, contentType: plainBody.contentType };
  const floor = await readyBufferServer(floorBodies);
  const toService = scraper(service.url);
  const toFloor = scraper(floor.url);
  try {
    const timing = { repeats: options.repeats, warmup: options.warmup };
    const plain = await compare({
      ...timing,
      baseline: () => toFloor.scrape('/plain', false),
      subject: () => toService.scrape('/metrics', false),
    });
    const gzip = await compare({
      ...timing,
      baseline: () => toFloor.scrape('/gzip', true),
      subject: () => toService.scrape('/metrics', true),
    });
    // Untimed, right before the subject's scrape: the poll publishes its render, the scrape serves it.
    const pollFirst = async (run: 'baseline' | 'subject'): Promise<void> => {
      if (run === 'subject') await service.app.pollAll();
    };
    const gzipFirstAfterPoll = await compare({
      ...timing,
      prepare: pollFirst,
      baseline: () => toFloor.scrape('/gzip', true),
      subject: () => toService.scrape('/metrics', true),
    });
    const churn = churner(options.farm, 0, options.churnShare, options.connectors);
    const churnedComparison = await compare({
      ...timing,
      beforeRound: async () => {
        await churn.apply();
        await options.twin.app.pollAll();
        floorBodies.gzip = (await captureBody(options.twin.url, true)).body;
      },
      prepare: pollFirst,
      baseline: () => toFloor.scrape('/gzip', true),
      subject: () => toService.scrape('/metrics', true),
    });
    const pollingChurn = churner(options.farm, 0, options.churnShare, options.connectors);
    const duringPoll = await scrapesDuringPolls(service, gate, { service: toService, floor: toFloor }, pollingChurn, options.repeats);
    const result: ScrapeCostResult = {
      bytes: plainBody.body.length,
      gzipBytes: gzipBody.body.length,
      plain,
      gzip,
      gzipFirstAfterPoll,
      gzipFirstAfterChurnedPoll: { comparison: churnedComparison, churn: churn.applied() },
      duringPoll,
    };
    if (options.profile) {
      // Gzip, as Prometheus scrapes; the first scrape after the poll also compresses the per-poll part.
      await service.app.pollAll();
      result.profile = summarise(await profile(async () => {
        for (let round = 0; round < 10; round += 1) await toService.scrape('/metrics', true);
      }));
    }
    return result;
  } finally {
    await toService.close();
    await toFloor.close();
    floor.server.close();
  }
}

async function scrapesDuringPolls(
  service: BenchService,
  gate: PollGate,
  clients: { service: Scraper; floor: Scraper },
  churn: { apply(): Promise<unknown> },
  scrapes: number,
): Promise<DuringPollResult> {
  const client = clients.service;
  const idle: number[] = [];
  for (let round = 0; round < scrapes; round += 1) idle.push((await sample(() => client.scrape('/metrics', true))).wallMs);

  // A poll held in flight: every scrape must be answered before it is let go.
  const held = gate.hold();
  let pollEnded = false;
  const polling = service.app.pollAll().then(() => {
    pollEnded = true;
  });
  await held.reached;
  const heldMs: number[] = [];
  let answeredDuringPoll = 0;
  for (let round = 0; round < scrapes; round += 1) {
    heldMs.push((await sample(() => client.scrape('/metrics', true))).wallMs);
    if (!pollEnded) answeredDuringPoll += 1;
  }
  held.release();
  await polling;

  // Real polls of a churning cluster, back to back: each one decodes a new answer and renders what changed, while
  // scrapes share the process with it. At least 100 scrapes, for a p99.
  const underPolling: number[] = [];
  let polls = 0;
  while (underPolling.length < Math.max(100, scrapes) || polls < 3) {
    await churn.apply();
    let done = false;
    const poll = service.app.pollAll().then(() => {
      done = true;
    });
    do underPolling.push((await sample(() => client.scrape('/metrics', true))).wallMs);
    while (!done);
    await poll;
    polls += 1;
  }
  const ready: number[] = [];
  while (ready.length < underPolling.length) ready.push((await sample(() => clients.floor.scrape('/gzip', true))).wallMs);
  return {
    scrapes,
    answeredDuringPoll,
    heldMs: median(heldMs),
    idleMs: median(idle),
    underPolling: { ...spread(underPolling), polls },
    readyBuffer: spread(ready),
  };
}
