// Timing and memory helpers. Every figure is a median over repeats in which the subject and its baseline
// alternate, so that a busy neighbour slows both alike and the ratio between them holds.

import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

export interface Sample {
  /** Wall-clock milliseconds. */
  wallMs: number;
  /** CPU milliseconds of this process (user and system, every thread), over the same span. */
  cpuMs: number;
}

export interface Summary {
  /** Median of the repeats. */
  wallMs: number;
  cpuMs: number;
  repeats: number;
}

export interface Comparison {
  subject: Summary;
  baseline: Summary;
  /** subject / baseline, of the medians. */
  ratio: number;
  cpuRatio: number;
}

export async function sample(work: () => Promise<unknown>): Promise<Sample> {
  const cpu = process.cpuUsage();
  const start = performance.now();
  await work();
  const wallMs = performance.now() - start;
  const used = process.cpuUsage(cpu);
  return { wallMs, cpuMs: (used.user + used.system) / 1000 };
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** The nearest-rank percentile (`p` in 0…100) of `values`. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

export function summarise(samples: readonly Sample[]): Summary {
  return {
    wallMs: median(samples.map((s) => s.wallMs)),
    cpuMs: median(samples.map((s) => s.cpuMs)),
    repeats: samples.length,
  };
}

/** Runs `warmup` untimed rounds, then `repeats` rounds of baseline-then-subject (the order swapped every round). */
export async function compare(options: {
  repeats: number;
  warmup: number;
  baseline: () => Promise<unknown>;
  subject: () => Promise<unknown>;
  /** Before each timed round, untimed, once for both runs: they measure the same data (e.g. after churn). */
  beforeRound?: () => Promise<unknown>;
  /** Before each timed run, untimed, after the GC: the run starts as soon as it ends (e.g. a poll, then a scrape). */
  prepare?: (run: 'baseline' | 'subject') => Promise<unknown>;
}): Promise<Comparison> {
  for (let round = 0; round < options.warmup; round += 1) {
    await options.baseline();
    await options.subject();
  }
  const baseline: Sample[] = [];
  const subject: Sample[] = [];
  for (let round = 0; round < options.repeats; round += 1) {
    const order = round % 2 === 0 ? (['baseline', 'subject'] as const) : (['subject', 'baseline'] as const);
    await options.beforeRound?.();
    for (const which of order) {
      collectGarbage();
      await options.prepare?.(which);
      if (which === 'baseline') baseline.push(await sample(options.baseline));
      else subject.push(await sample(options.subject));
    }
  }
  return comparison(summarise(subject), summarise(baseline));
}

export function comparison(subject: Summary, baseline: Summary): Comparison {
  return { subject, baseline, ratio: subject.wallMs / baseline.wallMs, cpuRatio: subject.cpuMs / baseline.cpuMs };
}

let gc: (() => void) | undefined;

/** A full garbage collection; works with or without `--expose-gc`. */
export function collectGarbage(): void {
  if (gc === undefined) {
    const exposed = (globalThis as { gc?: () => void }).gc;
    if (exposed !== undefined) gc = exposed;
    else {
      // Exposes gc to contexts created from now on; the flag changes nothing else.
      setFlagsFromString('--expose-gc');
      gc = runInNewContext('gc') as () => void;
    }
  }
  gc();
}

export interface MemorySnapshot {
  rss: number;
  heapUsed: number;
  /** Memory outside the JS heap held by JS objects: Buffers (the rendered exposition), mostly. */
  external: number;
}

export function memory(): MemorySnapshot {
  const { rss, heapUsed, external } = process.memoryUsage();
  return { rss, heapUsed, external };
}
