// Figure 4: memory with the cluster loaded, over many polls with churn between them (connectors created and
// deleted, tasks failing, recovering and moving between workers), scraped with gzip after every poll as
// Prometheus would. Runs in a fresh process, so that peak RSS is this cluster's own. Retained memory is sampled
// after full GCs; flat means the late samples match the early ones.

import { setImmediate as nextTurn } from 'node:timers/promises';
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { Agent } from 'undici';
import { runIsolated } from '../lib/isolated.ts';
import { collectGarbage, median, memory, type MemorySnapshot } from '../lib/measure.ts';
import { startBenchService, type BenchService } from '../lib/service.ts';
import { startSimulatorFarm, type SimulatorFarm } from '../lib/sim-host.ts';
import type { SimulatedCluster } from '../lib/sim-protocol.ts';

export interface MemoryOptions {
  polls: number;
  /** A retained-memory sample every this many polls (and after the first). */
  sampleEvery: number;
  /** Samples of polls up to here are warm-up: not used for flatness and bytes per series. */
  warmupPolls: number;
}

export interface RetainedSample {
  poll: number;
  /** heapUsed + external after full GCs (Buffers, where the rendered exposition lives, are external). */
  retained: number;
  heapUsed: number;
  series: number;
}

export interface MemoryResult {
  polls: number;
  /** The process's maximum resident set size (getrusage), from start to the last poll. */
  peakRss: number;
  /** Highest heapUsed and external seen after a poll or a scrape (without GC). */
  peakHeapUsed: number;
  peakExternal: number;
  /** Retained memory of the running service before its first poll. */
  emptyRetained: number;
  samples: RetainedSample[];
  /** Median retained bytes per series after warm-up, above the empty service. */
  bytesPerSeries: number;
  /** Median retained memory of the late half of the samples after warm-up over that of the early half: 1.0 is flat. */
  growth: number;
  churn: { created: number; deleted: number; failed: number; recovered: number; moved: number };
}

const ENTRY = new URL('./memory-process.ts', import.meta.url);

/** The benchmark in its own process, against its own simulated cluster. */
export function measureMemory(cluster: SimulatedCluster, options: MemoryOptions): Promise<MemoryResult> {
  return runIsolated<MemoryResult>(ENTRY, { cluster, options });
}

/** The body of memory-process.ts: farm and service are fresh, in this fresh process. */
export async function memoryInThisProcess(cluster: SimulatedCluster, options: MemoryOptions): Promise<MemoryResult> {
  const farm = await startSimulatorFarm([cluster]);
  try {
    const service = await startBenchService({ urls: farm.urls });
    try {
      return await pollWithChurn(service, farm, options);
    } finally {
      await service.close();
    }
  } finally {
    await farm.close();
  }
}

async function pollWithChurn(service: BenchService, farm: SimulatorFarm, options: MemoryOptions): Promise<MemoryResult> {
  const agent = new Agent();
  const emptyRetained = retained(await settledMemory());
  const churn = { created: 0, deleted: 0, failed: 0, recovered: 0, moved: 0 };
  const samples: RetainedSample[] = [];
  let peakHeapUsed = 0;
  let peakExternal = 0;
  const notePeak = (): void => {
    const now = memory();
    peakHeapUsed = Math.max(peakHeapUsed, now.heapUsed);
    peakExternal = Math.max(peakExternal, now.external);
  };
  try {
    for (let poll = 1; poll <= options.polls; poll += 1) {
      const step = await farm.churn(0, poll);
      for (const key of Object.keys(churn) as Array<keyof typeof churn>) churn[key] += step[key];
      await service.app.pollAll();
      notePeak();
      const response = await agent.request({ origin: service.url, path: '/metrics', method: 'GET', headers: { 'accept-encoding': 'gzip' } });
      const body = Buffer.from(await response.body.arrayBuffer());
      notePeak();
      if (poll % options.sampleEvery === 0 || poll === 1) {
        const series = await countSamples(body);
        const settled = await settledMemory();
        samples.push({ poll, retained: retained(settled), heapUsed: settled.heapUsed, series });
      }
    }
  } finally {
    await agent.close();
  }
  const settled = samples.filter((sample) => sample.poll > options.warmupPolls);
  const half = Math.max(1, Math.floor(settled.length / 2));
  const early = median(settled.slice(0, half).map((sample) => sample.retained));
  const late = median(settled.slice(-half).map((sample) => sample.retained));
  return {
    polls: options.polls,
    peakRss: process.resourceUsage().maxRSS * 1024,
    peakHeapUsed,
    peakExternal,
    emptyRetained,
    samples,
    bytesPerSeries: median(settled.map((sample) => (sample.retained - emptyRetained) / sample.series)),
    growth: late / early,
    churn,
  };
}

/**
 * The sample lines of a gzip body, counted as it is decompressed a chunk at a time: peak RSS is a high-water mark,
 * and the 48 MB text of 10,000 connectors, decompressed and split, would be the benchmark's own peak, not the service's.
 */
async function countSamples(gzipped: Buffer): Promise<number> {
  const NEWLINE = 0x0a;
  const HASH = 0x23;
  let samples = 0;
  let atLineStart = true;
  for await (const chunk of Readable.from([gzipped]).pipe(createGunzip()) as AsyncIterable<Buffer>) {
    for (let index = 0; index < chunk.length; index += 1) {
      const byte = chunk[index]!;
      if (atLineStart && byte !== NEWLINE && byte !== HASH) samples += 1;
      atLineStart = byte === NEWLINE;
    }
  }
  return samples;
}

/**
 * Memory after full GCs with a turn of the event loop between them: Buffers are released by their finalisers,
 * which run after the GC that found them dead, so a single GC leaves the last exposition's bytes counted.
 */
async function settledMemory(): Promise<MemorySnapshot> {
  collectGarbage();
  await nextTurn();
  collectGarbage();
  await nextTurn();
  collectGarbage();
  return memory();
}

function retained(snapshot: MemorySnapshot): number {
  return snapshot.heapUsed + snapshot.external;
}
